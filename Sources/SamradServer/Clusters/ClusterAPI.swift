import Fluent
import Foundation
import SamradCore
import Vapor

/// The clusters of a collaboration over the API: propose a plan with its measures, save clusters,
/// read them (organisers all; participants their own).
struct ClusterAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1", "collaborations", ":slug")
        api.post("cluster-plans", use: propose)
        api.get("clusters", use: list)
        api.put("clusters", use: save)
    }

    struct WeightsJSON: Content { var geography: Double?; var size: Double?; var profile: Double? }

    struct ProposalInput: Content {
        var minSize: Int?
        var maxSize: Int?
        var clusterCount: Int?
        var weights: WeightsJSON?
        var seed: Int?
        var meetings: Int?
        var together: [[String]]?
        var apart: [[String]]?
        var pinned: [String: String]?
        var waves: [String: Int]?
    }

    struct MemberJSON: Content { var municipality: String; var name: String; var population: Int }
    struct ClusterJSON: Content {
        var name: String
        var wave: Int
        var facilitatorID: UUID?
        var members: [MemberJSON]
        var largestDistanceKm: Double
        var smallestPopulation: Int
        var largestPopulation: Int
        var cost: Double
        /// Hosts of the 1st, 2nd, … meeting.
        var hosts: [String]
    }
    struct PlanJSON: Content {
        var minSize: Int
        var maxSize: Int
        var weights: ClusterWeights
        var meetings: Int
        var objective: Double
        var baselineObjective: Double?
        var clusters: [ClusterJSON]
        var unplaced: [String]
    }

    static func json(_ draft: ClusterDraft, registered: [Municipality], baseline: Double?, request: Request) -> PlanJSON
    {
        let (evaluation, candidates) = ClusterForming.evaluate(
            draft, registered: registered, directory: request.municipalities)
        let placed = Set(draft.groups.flatMap(\.members))
        return PlanJSON(
            minSize: draft.settings.minSize, maxSize: draft.settings.maxSize, weights: draft.settings.weights,
            meetings: draft.settings.meetings,
            objective: evaluation.objective, baselineObjective: baseline,
            clusters: zip(draft.groups, evaluation.clusters).map { group, measures in
                ClusterJSON(
                    name: group.name, wave: group.wave, facilitatorID: group.facilitatorID,
                    members: group.members.compactMap { request.municipalities[$0] }.map {
                        MemberJSON(municipality: $0.key.description, name: $0.name, population: $0.population)
                    },
                    largestDistanceKm: measures.largestDistanceKm, smallestPopulation: measures.smallestPopulation,
                    largestPopulation: measures.largestPopulation, cost: measures.cost,
                    hosts: measures.hosts.map { candidates[$0].key.description })
            },
            unplaced: registered.filter { !placed.contains($0.key) }.map(\.key.description))
    }

    static func settings(_ input: ProposalInput) throws -> ClusterSettingsInput {
        var v = Validation()
        let s = ClusterSettingsInput(
            minSize: input.minSize ?? 6, maxSize: input.maxSize ?? 8, clusterCount: input.clusterCount,
            weights: ClusterWeights(
                geography: input.weights?.geography ?? 1, size: input.weights?.size ?? 1,
                profile: input.weights?.profile ?? 0),
            seed: UInt64(max(0, input.seed ?? 1)), meetings: input.meetings ?? 6)
        if !(1...50).contains(s.minSize) { v.add("minSize", "validation.range", ["1", "50"]) }
        if !(1...50).contains(s.maxSize) { v.add("maxSize", "validation.range", ["1", "50"]) }
        if let k = s.clusterCount, !(1...500).contains(k) { v.add("clusterCount", "validation.range", ["1", "500"]) }
        if !(1...40).contains(s.meetings) { v.add("meetings", "validation.range", ["1", "40"]) }
        if (input.seed ?? 1) < 0 { v.add("seed", "validation.range", ["0", String(Int32.max)]) }
        for (field, weight) in [
            ("weights.geography", s.weights.geography), ("weights.size", s.weights.size),
            ("weights.profile", s.weights.profile),
        ]
        where !weight.isFinite || !(0...100).contains(weight) { v.add(field, "validation.range", ["0", "100"]) }
        try v.check()
        return s
    }

    func propose(_ request: Request) async throws -> PlanJSON {
        let c = try await ClusterPages.planned(request)
        let input = try request.content.decode(ProposalInput.self)
        let settings = try Self.settings(input)
        var v = Validation()
        func pairs(_ list: [[String]]?, _ field: String) -> [ClusterPair] {
            (list ?? []).enumerated().compactMap { index, pair in
                guard pair.count == 2 else { v.add("\(field)[\(index)]", "clusters.error.api_pair"); return nil }
                return ClusterPair(pair[0], pair[1])
            }
        }
        for (key, name) in (input.pinned ?? [:]).sorted(by: { $0.key < $1.key }) where name.count > 80 {
            v.add("pinned.\(key)", "validation.too_long", ["80"])
        }
        let constraints = ClusterConstraints(
            together: pairs(input.together, "together"), apart: pairs(input.apart, "apart"),
            pinned: input.pinned ?? [:], waves: input.waves ?? [:])
        try v.check()
        let registered = try await ClusterForming.registered(c, request: request)
        let proposal = try await ClusterForming.propose(
            c, settings: settings, constraints: constraints, request: request)
        return Self.json(proposal.draft, registered: registered, baseline: proposal.baseline, request: request)
    }

    func list(_ request: Request) async throws -> PlanJSON {
        let c = try await CollaborationAccess.load(request)
        let registered = try await ClusterForming.registered(c, request: request)
        let canPlan = ClusterPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        guard var draft = try await ClusterForming.saved(c, on: request.db) else {
            try request.require(canPlan)
            return Self.json(
                ClusterDraft(settings: ClusterSettingsInput(), groups: []), registered: registered, baseline: nil,
                request: request)
        }
        if !canPlan {
            draft.groups = draft.groups.filter {
                ClusterPolicy.mayView(
                    request.actor, organiserID: c.organiserID, collaborationID: c.id!, members: $0.members)
            }
            try request.require(!draft.groups.isEmpty)
        }
        var plan = Self.json(draft, registered: registered, baseline: nil, request: request)
        if !canPlan { plan.unplaced = [] }
        return plan
    }

    struct SaveInput: Content {
        struct Group: Content { var name: String?; var wave: Int?; var facilitatorID: UUID?; var members: [String]? }
        var minSize: Int?
        var maxSize: Int?
        var weights: WeightsJSON?
        var meetings: Int?
        var clusters: [Group]?
    }

    func save(_ request: Request) async throws -> PlanJSON {
        let c = try await ClusterPages.planned(request)
        let input = try request.content.decode(SaveInput.self)
        let settings = try Self.settings(
            ProposalInput(
                minSize: input.minSize, maxSize: input.maxSize, weights: input.weights, meetings: input.meetings))
        var v = Validation()
        let groups = (input.clusters ?? []).enumerated().map { index, group in
            ClusterDraft.Group(
                name: group.name ?? "", wave: group.wave ?? 1, facilitatorID: group.facilitatorID,
                members: (group.members ?? []).compactMap { text in
                    guard let key = MunicipalityKey(path: text) else {
                        v.add("clusters[\(index)].members", "validation.municipality"); return nil
                    }
                    return key
                })
        }
        try v.check()
        let draft = ClusterDraft(settings: settings, groups: groups)
        do {
            try await ClusterForming.save(c, draft: draft, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            // Field names of the API: clusters[i].name rather than the form's name_i.
            throw SamradError(
                error.kind, error.messageKey, error.arguments,
                fieldErrors: error.fieldErrors.map { f in
                    var f = f
                    for prefix in ["name_", "wave_", "facilitator_"] where f.field.hasPrefix(prefix) {
                        let index = f.field.dropFirst(prefix.count)
                        let name = prefix == "facilitator_" ? "facilitatorID" : String(prefix.dropLast())
                        f.field = "clusters[\(index)].\(name)"
                    }
                    return f
                })
        }
        let registered = try await ClusterForming.registered(c, request: request)
        return Self.json(
            try await ClusterForming.saved(c, on: request.db)!, registered: registered, baseline: nil, request: request)
    }
}
