import Fluent
import Foundation
import SamradCore
import Vapor

/// ClusterPages: forming: settings and constraints.
extension ClusterPages {
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
}
