import Fluent
import Foundation
import SamradCore
import Vapor

/// GoalPages: A collaboration's goals side by side.
extension GoalPages {
    struct Cell: Encodable { var goals: [GoalView] }
    struct Row: Encodable { var name: String; var href: String; var cells: [Cell] }
    struct CollaborationContext: Encodable {
        var page: PageContext; var title: String; var href: String; var headers: [String]; var rows: [Row];
        var requests: [RequestView]
        var mayRequest: Bool; var form: FormState; var indicators: [Option]; var action: String
    }

    func collaborationContext(_ request: Request, form: FormState) async throws -> CollaborationContext {
        let c = try await CollaborationAccess.load(request)
        let registered = try await Registration.registeredMunicipalities(c.requireID(), on: request.db)
        let isParticipant = registered.contains { request.actor.belongs(to: $0) }
        try request.require(
            IndicatorPolicy.mayViewCollaborationGoals(
                request.actor, organiserID: c.organiserID, isParticipant: isParticipant))
        let snapshot = try await request.indicators()
        let requests = try await GoalRequest.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$createdAt
        ).all()
        var codes: [String] = []
        for r in requests { for code in r.indicators where !codes.contains(code) { codes.append(code) } }
        let goals =
            requests.isEmpty
            ? [] : try await Goal.query(on: request.db).filter(\.$requestID ~~ requests.map { $0.id! }).all()
        let directory = request.municipalities
        let href = "/collaborations/\(c.slug)"
        let rows = registered.sorted { directory.order(of: $0) < directory.order(of: $1) }.map { key in
            let m = directory[key]
            let subject = DashboardSubject(
                unit: UnitKey(key), name: m?.name ?? key.code, municipality: key, groups: [], own: [:])
            let mine = goals.filter {
                $0.country == key.country.rawValue && $0.unitCode == key.code
                    && $0.level == IndicatorLevel.municipality.rawValue
            }
            return Row(
                name: m?.name ?? key.code, href: "/municipalities/\(key.country.rawValue)/\(key.code)",
                cells: codes.map { code in
                    Cell(
                        goals: mine.filter { $0.indicator == code }.map {
                            Self.view(
                                $0, indicator: snapshot.byCode[code], subject: subject, snapshot: snapshot,
                                request: request,
                                href: "/municipalities/\(key.country.rawValue)/\(key.code)", requestedBy: nil)
                        })
                })
        }
        let countries = Set(registered.map(\.country))
        let offered = snapshot.catalogue.filter {
            $0.level == .municipality && $0.direction != .neutral && ($0.country.map { countries.contains($0) } ?? true)
        }
        let chosen = Set((form.values["indicators"] ?? "").split(separator: ",").map(String.init))
        return CollaborationContext(
            page: PageContext(request, titleKey: "goals.collaboration_title", [c.title]), title: c.title, href: href,
            headers: codes.map { snapshot.byCode[$0]?.name(request.language) ?? $0 }, rows: rows,
            requests: requests.map { r in
                RequestView(
                    collaboration: c.title, message: r.message,
                    due: r.dueOn.flatMap { DateText.day($0, request.language) } ?? "",
                    indicators: r.indicators.map {
                        Link(href: "/indicators", label: snapshot.byCode[$0]?.name(request.language) ?? $0)
                    })
            },
            mayRequest: IndicatorPolicy.mayRequestGoals(request.actor, organiserID: c.organiserID), form: form,
            indicators: offered.map {
                Option(value: $0.code, label: $0.name(request.language), selected: chosen.contains($0.code))
            }, action: href + "/goals")
    }

    func collaborationGoals(_ request: Request) async throws -> View {
        try await request.view.render(
            "indicators/collaboration-goals", collaborationContext(request, form: FormState()))
    }

    func requestGoals(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(IndicatorPolicy.mayRequestGoals(request.actor, organiserID: c.organiserID))
        struct Form: Content { var indicators: [String]?; var message: String?; var due_on: String? }
        let form = try request.content.decode(Form.self)
        let chosen = (form.indicators ?? []).filter { !$0.isEmpty }
        let values = [
            "indicators": chosen.joined(separator: ","), "message": form.message ?? "", "due_on": form.due_on ?? "",
        ]
        do {
            var v = Validation()
            let snapshot = try await request.indicators()
            if chosen.isEmpty { v.add("indicators", "goals.error.no_indicators") }
            if chosen.contains(where: { snapshot.byCode[$0]?.level != .municipality }) {
                v.add("indicators", "validation.choice")
            }
            let message = v.required("message", form.message, maxLength: 2_000)
            let due = v.optional("due_on", form.due_on, maxLength: 10)
            if let due, !DateText.isISODate(due) { v.add("due_on", "validation.date") }
            try v.check()
            let goalRequest = GoalRequest()
            goalRequest.collaborationID = try c.requireID()
            goalRequest.indicators = chosen
            goalRequest.message = message
            goalRequest.dueOn = due
            try await request.db.transaction { db in
                try await goalRequest.save(on: db)
                try await Audit.record(
                    "goal_request:create", subject: "collaboration", id: c.slug,
                    summary: chosen.joined(separator: ", "), by: request, on: db)
            }
            return request.redirect(to: "/collaborations/\(c.slug)/goals", notice: "goals.requested")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/collaboration-goals",
                collaborationContext(request, form: FormState(values: values, error: error, request: request)))
        }
    }
}
