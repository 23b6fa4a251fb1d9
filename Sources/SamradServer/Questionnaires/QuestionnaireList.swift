import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: the list.
extension QuestionnairePages {
    struct Row: Encodable {
        var href: String; var title: String; var state: String; var stateKey: String; var audience: String
    }
    /// A collaboration's questionnaires, or a municipality's own surveys.
    struct ListContext: Encodable {
        var page: PageContext
        var back: Link
        var intro: String?
        var newHref: String?
        var rows: [Row]
    }

    func list(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let all = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$closesAt, .descending
        ).all()
        return try await request.view.render(
            "questionnaires/list",
            listContext(
                all, origin: .collaboration(c), back: Link(href: "/collaborations/\(c.slug)", label: c.title),
                titleKey: "questionnaires.title", intro: nil, request: request))
    }

    func listContext(
        _ all: [Questionnaire], origin: QuestionnaireOrigin, back: Link, titleKey: String, intro: String?,
        request: Request
    ) async throws -> ListContext {
        let rows = try await QuestionnaireLifecycle.visible(all, in: origin, request: request).map { q in
            let state = Self.state(q, zone: origin.timeZone, request: request)
            return Row(
                href: q.href, title: q.title, state: state.text, stateKey: state.key,
                audience: origin.audienceLabel(q.audience, request))
        }
        return ListContext(
            page: PageContext(request, titleKey: titleKey), back: back, intro: intro,
            newHref: QuestionnairePolicy.mayBuild(request.actor, owner: origin.owner) ? origin.listHref + "/new" : nil,
            rows: rows)
    }
}
