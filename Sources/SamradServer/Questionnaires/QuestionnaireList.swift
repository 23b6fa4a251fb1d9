import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: the list.
extension QuestionnairePages {
    struct Row: Encodable {
        var href: String; var title: String; var state: String; var stateKey: String; var audience: String
    }
    struct ListContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var mayBuild: Bool
        var rows: [Row]
    }

    func list(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let all = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$closesAt, .descending
        ).all()
        let rows = try await QuestionnaireLifecycle.visible(all, in: c, request: request).map { q in
            let state = Self.state(q, c, request: request)
            return Row(
                href: q.href, title: q.title, state: state.text, stateKey: state.key,
                audience: request.t("questionnaire_audience.\(q.audience)"))
        }
        return try await request.view.render(
            "questionnaires/list",
            ListContext(
                page: PageContext(request, titleKey: "questionnaires.title"), title: c.title, slug: c.slug,
                mayBuild: QuestionnairePolicy.mayBuild(request.actor, organiserID: c.organiserID), rows: rows))
    }
}
