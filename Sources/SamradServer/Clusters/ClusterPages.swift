import Fluent
import Foundation
import SamradCore
import Vapor

/// The clusters of a collaboration in the browser: the organiser forms them ("Form clusters"), looks
/// at a proposal with its measures and map, moves or swaps municipalities while seeing the objective
/// change, names them, gives each a wave and a facilitator, and saves; participants see their own.
struct ClusterPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("collaborations", ":slug")
        page.get("clusters", use: index)
        page.get("clusters", "plan", use: planForm)
        page.post("clusters", "plan", use: propose)
        page.get("clusters", "edit", use: editSaved)
        page.post("clusters", "draft", use: changeDraft)
        page.get("clusters", "export.csv", use: export)
    }

    /// The collaboration of the path, for those who may form its clusters.
    static func planned(_ request: Request) async throws -> Collaboration {
        let c = try await CollaborationAccess.load(request)
        try request.require(ClusterPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        return c
    }

    // MARK: The clusters page

    struct Contact: Encodable { var name: String; var role: String; var email: String?; var href: String }
    struct OwnCluster: Encodable {
        var name: String
        var wave: Int
        var members: [Link]
        var contacts: [Contact]
        var facilitator: String?
    }
    struct IndexContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var backHref: String
        var canPlan: Bool
        var plan: ClusterPlanView?
        var own: [OwnCluster]
        var registeredCount: Int
    }

    func index(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let draft = try await ClusterForming.saved(c, on: request.db)
        let canPlan = ClusterPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        let visible = (draft?.groups ?? []).filter {
            ClusterPolicy.mayView(
                request.actor, organiserID: c.organiserID, collaborationID: c.id!, members: $0.members)
        }
        try request.require(canPlan || !visible.isEmpty)
        let registered = try await ClusterForming.registered(c, request: request)
        let facilitators = try await ClusterForming.facilitators(c, on: request.db)
        var ownClusters: [OwnCluster] = []
        if !canPlan {
            for group in visible {
                ownClusters.append(try await Self.ownCluster(group, c, facilitators: facilitators, request: request))
            }
        }
        return try await request.view.render(
            "clusters/index",
            IndexContext(
                page: PageContext(request, titleKey: "clusters.title"), title: c.title, slug: c.slug,
                backHref: "/collaborations/\(c.slug)",
                canPlan: canPlan,
                plan: canPlan
                    ? draft.map {
                        ClusterPlanView($0, registered: registered, facilitators: facilitators, request: request)
                    } : nil,
                own: ownClusters, registeredCount: registered.count))
    }

    /// A participant's cluster: its municipalities and, for signed-in members, the people in their seats.
    static func ownCluster(
        _ group: ClusterDraft.Group, _ c: Collaboration, facilitators: [Person], request: Request
    ) async throws -> OwnCluster {
        var contacts: [Contact] = []
        if PeoplePolicy.mayList(request.actor) {
            let registrations = try await Registration.query(on: request.db).filter(\.$collaborationID == c.requireID())
                .filter(municipalities: group.members).all()
            let seats = try await RegistrationSeat.query(on: request.db).filter(
                \.$registrationID ~~ registrations.compactMap(\.id)
            ).all()
            let people = try await Person.query(on: request.db).filter(\.$id ~~ seats.map(\.personID)).all()
            let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0) })
            let municipalityOf = Dictionary(uniqueKeysWithValues: registrations.map { ($0.id!, $0.municipality) })
            contacts = seats.compactMap { seat in
                guard let person = byID[seat.personID] else { return nil }
                let place = municipalityOf[seat.registrationID].flatMap { request.municipalities[$0]?.name } ?? ""
                return Contact(
                    name: person.name, role: "\(request.t("position.\(seat.position)")), \(place)", email: person.email,
                    href: "/people/\(person.id!.uuidString)")
            }.sorted { $0.role == $1.role ? $0.name < $1.name : $0.role < $1.role }
        }
        return OwnCluster(
            name: group.name, wave: group.wave,
            members: group.members.compactMap { request.municipalities[$0] }.map {
                .init(href: "/municipalities/\($0.country.rawValue)/\($0.code)", label: $0.name)
            },
            contacts: contacts, facilitator: facilitators.first { $0.id == group.facilitatorID }?.name)
    }

    // MARK: Forming: settings and constraints

    struct PlanContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var action: String
        var form: FormState
        var registeredCount: Int
        var suggestedCount: String
    }

    static let planFields = [
        "min", "max", "k", "wg", "ws", "wp", "seed", "meetings", "together", "apart", "pinned", "waves",
    ]

    func planForm(_ request: Request) async throws -> View {
        let c = try await Self.planned(request)
        let saved = try await ClusterForming.saved(c, on: request.db)
        let s = saved?.settings ?? ClusterSettingsInput()
        let values = [
            "min": String(s.minSize), "max": String(s.maxSize), "k": "", "wg": NumberText.plain(s.weights.geography),
            "ws": NumberText.plain(s.weights.size), "wp": NumberText.plain(s.weights.profile), "seed": "1",
            "meetings": String(s.meetings),
        ]
        return try await renderPlan(request, c, form: FormState(values: values))
    }

    func renderPlan(_ request: Request, _ c: Collaboration, form: FormState) async throws -> View {
        let registered = try await ClusterForming.registered(c, request: request)
        let minSize = Int(form.values["min"] ?? "") ?? 6, maxSize = Int(form.values["max"] ?? "") ?? 8
        let suggested = ClusterRequest.defaultClusterCount(count: registered.count, minSize: minSize, maxSize: maxSize)
        return try await request.view.render(
            "clusters/plan",
            PlanContext(
                page: PageContext(request, titleKey: "clusters.form_title"), title: c.title,
                backHref: "/collaborations/\(c.slug)/clusters",
                action: "/collaborations/\(c.slug)/clusters/plan", form: form, registeredCount: registered.count,
                suggestedCount: suggested.map {
                    request.t(
                        "clusters.suggested_count",
                        [String($0), String(registered.count), String(minSize), String(maxSize)])
                }
                    ?? request.t("clusters.error.sizes", [String(registered.count), String(minSize), String(maxSize)])))
    }

    /// Settings from a form (the planning form or the hidden fields of a draft).
    static func settings(_ input: [String: String]) throws -> ClusterSettingsInput {
        var v = Validation()
        let minSize = v.wholeNumber("min", input["min"], in: 1...50, default: 6)
        let maxSize = v.wholeNumber("max", input["max"], in: 1...50, default: 8)
        let k = (input["k"] ?? "").isEmpty ? nil : v.wholeNumber("k", input["k"], in: 1...500)
        let wg = v.number("wg", input["wg"], in: 0...100, default: 1)
        let ws = v.number("ws", input["ws"], in: 0...100, default: 1)
        let wp = v.number("wp", input["wp"], in: 0...100, default: 0)
        let seed = v.wholeNumber("seed", input["seed"], in: 0...Int(Int32.max), default: 1)
        let meetings = v.wholeNumber("meetings", input["meetings"], in: 1...40, default: 6)
        if let minSize, let maxSize, minSize > maxSize {
            v.add("max", "clusters.error.bounds", [String(minSize), String(maxSize)])
        }
        try v.check()
        return ClusterSettingsInput(
            minSize: minSize!, maxSize: maxSize!, clusterCount: k,
            weights: ClusterWeights(geography: wg!, size: ws!, profile: wp!),
            seed: UInt64(seed!), meetings: meetings!)
    }

    func propose(_ request: Request) async throws -> Response {
        let c = try await Self.planned(request)
        let input = try request.content.decode([String: String].self)
        do {
            let settings = try Self.settings(input)
            let registered = try await ClusterForming.registered(c, request: request)
            let constraints = try ClusterForming.constraints(
                together: input["together"] ?? "", apart: input["apart"] ?? "",
                pinned: input["pinned"] ?? "", waves: input["waves"] ?? "", registered: registered)
            let proposal = try await ClusterForming.propose(
                c, settings: settings, constraints: constraints, request: request)
            return try await renderDraft(request, c, proposal.draft, baseline: proposal.baseline).encodeResponse(
                for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await renderPlan(
                request, c,
                form: FormState(
                    values: input.filter { Self.planFields.contains($0.key) }, error: error, request: request)
            )
            .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    // MARK: The draft: look, change, save

    struct Hidden: Encodable { var name: String; var value: String }
    struct DraftContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var action: String
        var plan: ClusterPlanView
        var hidden: [Hidden]
        var municipalities: [Option]
        var targets: [Option]
        var change: String?
        var previous: String?
        var form: FormState
        var hasFacilitators: Bool
        var membersHref: String
    }

    func editSaved(_ request: Request) async throws -> Response {
        let c = try await Self.planned(request)
        guard let draft = try await ClusterForming.saved(c, on: request.db) else {
            return request.redirect(to: "/collaborations/\(c.slug)/clusters/plan")
        }
        return try await renderDraft(request, c, draft).encodeResponse(for: request)
    }

    /// `before`: the objective before a move or swap, to say how it changed.
    func renderDraft(
        _ request: Request, _ c: Collaboration, _ draft: ClusterDraft, baseline: Double? = nil, before: Double? = nil,
        previous: String? = nil, form: FormState = FormState()
    ) async throws -> View {
        let registered = try await ClusterForming.registered(c, request: request)
        let facilitators = try await ClusterForming.facilitators(c, on: request.db)
        let plan = ClusterPlanView(
            draft, registered: registered, facilitators: facilitators, baseline: baseline, request: request)
        let change = before.map { before in
            let delta = plan.objectiveValue - before
            return request.t(
                delta <= 0 ? "clusters.change_better" : "clusters.change_worse",
                [before, plan.objectiveValue, abs(delta)].map {
                    NumberText.decimal($0, request.language, fractionDigits: 2)
                })
        }
        let s = draft.settings
        let hidden = [
            Hidden(name: "plan", value: draft.planText), Hidden(name: "min", value: String(s.minSize)),
            Hidden(name: "max", value: String(s.maxSize)),
            Hidden(name: "wg", value: NumberText.plain(s.weights.geography)),
            Hidden(name: "ws", value: NumberText.plain(s.weights.size)),
            Hidden(name: "wp", value: NumberText.plain(s.weights.profile)),
            Hidden(name: "meetings", value: String(s.meetings)),
            Hidden(name: "objective", value: plan.objectiveExact),
        ]
        // Names sort as the country of the municipalities writes them (å after z in Danish and Swedish
        // alike, ä/ö in Swedish).
        let country = draft.groups.lazy.flatMap(\.members).first?.country ?? .dk
        let municipalities =
            [Option(value: "", label: request.t("clusters.choose_municipality"), selected: true)]
            + draft.groups.flatMap { group in
                group.members.compactMap { request.municipalities[$0] }.map { m in
                    Option(value: m.key.description, label: "\(m.name) (\(group.name))", selected: false)
                }
            }
            .sorted { NordicCollation.ordered($0.label, $1.label, country) }
        let targets =
            [Option(value: "", label: request.t("clusters.choose_cluster"), selected: true)]
            + draft.groups.enumerated().map { .init(value: String($0.offset), label: $0.element.name, selected: false) }
        return try await request.view.render(
            "clusters/draft",
            DraftContext(
                page: PageContext(request, titleKey: "clusters.draft_title"), title: c.title,
                backHref: "/collaborations/\(c.slug)/clusters",
                action: "/collaborations/\(c.slug)/clusters/draft", plan: plan, hidden: hidden,
                municipalities: municipalities, targets: targets,
                change: change, previous: previous, form: form, hasFacilitators: !facilitators.isEmpty,
                membersHref: "/collaborations/\(c.slug)/members"))
    }

    /// The draft as the form posts it back: the hidden plan and settings, and each cluster's name,
    /// wave and facilitator.
    static func draft(_ input: [String: String], field: String = "plan") throws -> ClusterDraft {
        let settings = try settings(input)
        guard let members = ClusterDraft.members(fromPlanText: input[field] ?? "") else {
            throw SamradError.invalid([FieldError(field: "plan", "validation.malformed", ["plan"])])
        }
        let groups = members.enumerated().map { index, keys in
            ClusterDraft.Group(
                name: (input["name_\(index)"] ?? "").trimmingCharacters(in: .whitespaces),
                wave: Int(input["wave_\(index)"] ?? "") ?? 1,
                facilitatorID: (input["facilitator_\(index)"]).flatMap(UUID.init(uuidString:)), members: keys)
        }
        return ClusterDraft(settings: settings, groups: groups)
    }

    func changeDraft(_ request: Request) async throws -> Response {
        let c = try await Self.planned(request)
        let input = try request.content.decode([String: String].self)
        var draft = try Self.draft(input)
        let before = Double(input["objective"] ?? "")
        do {
            switch input["action"] {
            case "move":
                var v = Validation()
                let key = input["move_municipality"].flatMap(MunicipalityKey.init(path:))
                let from = key.flatMap { k in draft.groups.firstIndex { $0.members.contains(k) } }
                let target = Int(input["move_target"] ?? "").flatMap { draft.groups.indices.contains($0) ? $0 : nil }
                if from == nil { v.add("move_municipality", "clusters.choose_municipality") }
                if target == nil { v.add("move_target", "clusters.choose_cluster") }
                if let from, let target, from == target { v.add("move_target", "clusters.error.same_cluster") }
                try v.check()
                draft.groups[from!].members.removeAll { $0 == key! }
                draft.groups[target!].members.append(key!)
                draft.groups[target!].members.sort()
            case "swap":
                var v = Validation()
                let first = input["swap_first"].flatMap(MunicipalityKey.init(path:)),
                    second = input["swap_second"].flatMap(MunicipalityKey.init(path:))
                let a = first.flatMap { k in draft.groups.firstIndex { $0.members.contains(k) } }
                let b = second.flatMap { k in draft.groups.firstIndex { $0.members.contains(k) } }
                if a == nil { v.add("swap_first", "clusters.choose_municipality") }
                if b == nil { v.add("swap_second", "clusters.choose_municipality") }
                if let a, let b, a == b { v.add("swap_second", "clusters.error.same_cluster") }
                try v.check()
                draft.groups[a!].members.removeAll { $0 == first! }
                draft.groups[b!].members.removeAll { $0 == second! }
                draft.groups[a!].members.append(second!)
                draft.groups[b!].members.append(first!)
                draft.groups[a!].members.sort()
                draft.groups[b!].members.sort()
            case "undo":
                draft = try Self.draft(input, field: "previous")
                return try await renderDraft(request, c, draft).encodeResponse(for: request)
            case "save":
                try await ClusterForming.save(c, draft: draft, request: request)
                return request.redirect(to: "/collaborations/\(c.slug)/clusters", notice: "clusters.saved")
            default:
                throw SamradError.invalid([FieldError(field: "action", "validation.choice")])
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await renderDraft(
                request, c, try Self.draft(input), form: FormState(values: input, error: error, request: request)
            )
            .encodeResponse(status: .unprocessableEntity, for: request)
        }
        return try await renderDraft(request, c, draft, before: before, previous: input["plan"]).encodeResponse(
            for: request)
    }

    // MARK: Export

    func export(_ request: Request) async throws -> Response {
        let c = try await Self.planned(request)
        var csv = CSVWriter(header: [
            "cluster", "wave", "facilitator", "country", "code", "municipality", "region", "population",
        ])
        if let draft = try await ClusterForming.saved(c, on: request.db) {
            let facilitators = try await ClusterForming.facilitators(c, on: request.db)
            for group in draft.groups {
                let facilitator = facilitators.first { $0.id == group.facilitatorID }?.name ?? ""
                for key in group.members {
                    let m = request.municipalities[key]
                    csv.append([
                        group.name, String(group.wave), facilitator, key.country.rawValue, key.code, m?.name ?? "",
                        m?.regionName ?? "", m.map { String($0.population) } ?? "",
                    ])
                }
            }
        }
        return csv.response(filename: "clusters-\(c.slug).csv")
    }
}
