import Fluent
import Foundation
import SamradCore
import Vapor

/// Forms, measures and saves the clusters of a collaboration. The municipalities to place are those
/// registered; the planner (`ClusterPlanner`) does the forming.
enum ClusterForming {
    /// The registered municipalities of the collaboration, in directory order.
    static func registered(_ c: Collaboration, request: Request) async throws -> [Municipality] {
        let rows = try await Registration.query(on: request.db).filter(\.$collaborationID == c.requireID())
            .filter(\.$status == RegistrationStatus.registered.rawValue).all()
        return rows.compactMap { request.municipalities[$0.municipality] }
            .sorted { request.municipalities.order(of: $0.key) < request.municipalities.order(of: $1.key) }
    }

    /// A municipality as the planner sees it; its profile is the logarithm of its density, so the
    /// profile weight groups rural with rural and urban with urban.
    static func candidate(_ m: Municipality) -> ClusterCandidate {
        ClusterCandidate(
            id: m.key.description, label: m.name, latitude: m.latitude, longitude: m.longitude,
            population: m.population, profile: [log(max(0.1, m.density))])
    }

    struct Proposal {
        var draft: ClusterDraft
        var baseline: Double
    }

    static let turns = Turns(limit: 1)
    static let timeBudget: Duration = .seconds(10)

    /// Runs the planner over the registered municipalities.
    static func propose(
        _ c: Collaboration, settings: ClusterSettingsInput, constraints: ClusterConstraints, request: Request
    ) async throws -> Proposal {
        let municipalities = try await registered(c, request: request)
        var planRequest = ClusterRequest(
            candidates: municipalities.map(candidate), minSize: settings.minSize, maxSize: settings.maxSize,
            clusterCount: settings.clusterCount, weights: settings.weights, constraints: constraints,
            seed: settings.seed)
        planRequest.timeBudget = Self.timeBudget
        let planning = planRequest
        // The search is CPU work of up to a second or two: on the thread pool, one plan at a time
        // per instance, and never longer than its budget, so no connection waits on it.
        let (plan, baseline) = try await Self.turns.run {
            try await request.application.threadPool.runIfActive {
                let planner = try ClusterPlanner(planning)
                return (try planner.plan(), planner.baseline().objective)
            }
        }
        var usedNames = Set(plan.names.compactMap { $0 })
        var number = 0
        let groups = plan.clusters.enumerated().map { index, members -> ClusterDraft.Group in
            var name = plan.names[index]
            while name == nil {
                number += 1
                let candidate = request.t("clusters.default_name", [String(number)])
                if usedNames.insert(candidate).inserted { name = candidate }
            }
            return ClusterDraft.Group(
                name: name!, wave: plan.waves[index] ?? 1, facilitatorID: nil,
                members: members.map { municipalities[$0].key })
        }
        return Proposal(draft: ClusterDraft(settings: settings, groups: groups), baseline: baseline)
    }

    /// The saved clusters as a draft (for the page, the API and the editor).
    static func saved(_ c: Collaboration, on db: any Database) async throws -> ClusterDraft? {
        let id = try c.requireID()
        let clusters = try await Cluster.query(on: db).filter(\.$collaborationID == id).sort(\.$position).all()
        guard !clusters.isEmpty else { return nil }
        let members = try await ClusterMember.query(on: db).filter(\.$collaborationID == id).all()
        let byCluster = Dictionary(grouping: members, by: \.clusterID)
        var settings = ClusterSettingsInput()
        if let stored = try await ClusterSettings.query(on: db).filter(\.$collaborationID == id).first() {
            settings = ClusterSettingsInput(
                minSize: stored.minSize, maxSize: stored.maxSize, clusterCount: clusters.count,
                weights: ClusterWeights(
                    geography: stored.weightGeography, size: stored.weightSize, profile: stored.weightProfile),
                seed: 1, meetings: stored.meetings)
        }
        return ClusterDraft(
            settings: settings,
            groups: clusters.map { cluster in
                ClusterDraft.Group(
                    name: cluster.name, wave: cluster.wave, facilitatorID: cluster.facilitatorID,
                    members: (byCluster[cluster.id!] ?? []).map(\.municipality).sorted())
            })
    }

    /// The people attached to the collaboration as facilitators: the choices for a cluster's facilitator.
    static func facilitators(_ c: Collaboration, on db: any Database) async throws -> [Person] {
        let roles = try await CollaborationRole.query(on: db).filter(\.$collaborationID == c.requireID())
            .filter(\.$role == CollaborationRole.Role.facilitator.rawValue).all()
        return try await Person.query(on: db).filter(\.$id ~~ roles.map(\.personID)).sort(\.$name).all()
    }

    /// Replaces the collaboration's clusters with the draft in one transaction. Clusters keep their
    /// identity by position, so meetings attached to "cluster 3" stay with it when members change.
    static func save(_ c: Collaboration, draft: ClusterDraft, request: Request) async throws {
        let registered = try await registered(c, request: request)
        let facilitators = try await facilitators(c, on: request.db)
        try draft.validate(registered: Set(registered.map(\.key)), facilitators: Set(facilitators.compactMap(\.id)))
        let id = try c.requireID()
        let evaluation = evaluate(draft, registered: registered, directory: request.municipalities).evaluation
        try await request.db.transaction { db in
            let existing = try await Cluster.query(on: db).filter(\.$collaborationID == id).sort(\.$position).all()
            try await ClusterMember.query(on: db).filter(\.$collaborationID == id).delete()
            // Free the names first: the unique index on (collaboration, name) holds at every statement.
            for cluster in existing {
                cluster.name = "~" + cluster.id!.uuidString
                try await cluster.save(on: db)
            }
            for (index, group) in draft.groups.enumerated() {
                let cluster = index < existing.count ? existing[index] : Cluster()
                cluster.collaborationID = id
                cluster.name = group.name.trimmingCharacters(in: .whitespaces)
                cluster.position = index
                cluster.wave = group.wave
                cluster.facilitatorID = group.facilitatorID
                try await cluster.save(on: db)
                for key in group.members {
                    let member = ClusterMember()
                    member.clusterID = try cluster.requireID()
                    member.collaborationID = id
                    member.municipalityCountry = key.country.rawValue
                    member.municipalityCode = key.code
                    try await member.create(on: db)
                }
            }
            // Fewer clusters than before: a dropped cluster takes its meetings along, so one that has
            // meetings stays (the organiser cancels or moves them first).
            for cluster in existing.dropFirst(draft.groups.count) {
                if try await Meeting.query(on: db).filter(\.$clusterID == cluster.requireID()).count() > 0 {
                    throw SamradError.invalid([
                        FieldError(field: "plan", "clusters.error.has_meetings", [String(cluster.position + 1)])
                    ])
                }
                try await cluster.delete(on: db)
            }
            let settings =
                try await ClusterSettings.query(on: db).filter(\.$collaborationID == id).first() ?? ClusterSettings()
            settings.collaborationID = id
            settings.minSize = draft.settings.minSize
            settings.maxSize = draft.settings.maxSize
            settings.weightGeography = draft.settings.weights.geography
            settings.weightSize = draft.settings.weights.size
            settings.weightProfile = draft.settings.weights.profile
            settings.meetings = draft.settings.meetings
            try await settings.save(on: db)
            try await Audit.record(
                "clusters:save", subject: "collaboration", id: id.uuidString,
                summary:
                    "\(c.slug): \(draft.groups.count) clusters, \(draft.groups.reduce(0) { $0 + $1.members.count }) "
                        + "municipalities, objective \(String(format: "%.6f", evaluation.objective))",
                by: request, on: db)
        }
    }

    /// Measures of a draft; the candidates are the registered municipalities plus any member no
    /// longer registered, so the profile is standardised over the same set as the proposal.
    static func evaluate(
        _ draft: ClusterDraft, registered: [Municipality], directory: MunicipalityDirectory
    ) -> (evaluation: ClusterEvaluation, candidates: [Municipality]) {
        var municipalities = registered
        var index = Dictionary(uniqueKeysWithValues: registered.enumerated().map { ($1.key, $0) })
        for key in draft.groups.flatMap(\.members) where index[key] == nil {
            guard let m = directory[key] else { continue }
            index[key] = municipalities.count
            municipalities.append(m)
        }
        let evaluation = ClusterEvaluation(
            candidates: municipalities.map(candidate), weights: draft.settings.weights,
            clusters: draft.groups.map { $0.members.compactMap { index[$0] } }, meetings: draft.settings.meetings)
        return (evaluation, municipalities)
    }

    /// The constraints as the organiser writes them in the form: one per line, municipalities by
    /// name or code. Pairs as "Aarhus, Silkeborg"; pins as "Aarhus: Klynge Nord"; waves as "Aarhus: 2".
    static func constraints(
        together: String, apart: String, pinned: String, waves: String, registered: [Municipality]
    ) throws -> ClusterConstraints {
        var v = Validation()
        var byName: [String: Municipality] = [:]
        for m in registered {
            byName[NordicCollation.fold(m.name)] = m
            byName[m.code] = m
            byName[m.key.description] = m
        }
        func find(_ text: Substring, _ field: String, _ line: Int) -> String? {
            let token = text.trimmingCharacters(in: .whitespaces)
            if let m = byName[NordicCollation.fold(token)] ?? byName[token] { return m.key.description }
            v.add(field, "clusters.error.line_unknown", [String(line), token])
            return nil
        }
        func lines(_ text: String) -> [(Int, Substring)] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .map { ($0 + 1, $1) }.filter { !$0.1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        }
        func pairs(_ text: String, _ field: String) -> [ClusterPair] {
            lines(text).compactMap { number, line in
                let parts = line.split(separator: ",")
                guard parts.count == 2 else { v.add(field, "clusters.error.line_pair", [String(number)]); return nil }
                guard let a = find(parts[0], field, number), let b = find(parts[1], field, number) else { return nil }
                return ClusterPair(a, b)
            }
        }
        func labelled(_ text: String, _ field: String) -> [(String, String, Int)] {
            lines(text).compactMap { number, line in
                guard let colon = line.lastIndex(of: ":") else {
                    v.add(field, "clusters.error.line_label", [String(number)]); return nil
                }
                guard let key = find(line[..<colon], field, number) else { return nil }
                return (key, line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines), number)
            }
        }
        var constraints = ClusterConstraints(together: pairs(together, "together"), apart: pairs(apart, "apart"))
        for (key, name, number) in labelled(pinned, "pinned") {
            if name.isEmpty || name.count > 80 {
                v.add("pinned", "clusters.error.line_label", [String(number)])
            } else {
                constraints.pinned[key] = name
            }
        }
        for (key, wave, number) in labelled(waves, "waves") {
            if let w = Int(wave), (1...4).contains(w) {
                constraints.waves[key] = w
            } else {
                v.add("waves", "clusters.error.line_wave", [String(number)])
            }
        }
        try v.check()
        return constraints
    }
}
