import Fluent
import Foundation
import SamradCore
import Vapor

/// ClusterPages: the draft: look, change, save.
extension ClusterPages {
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
}
