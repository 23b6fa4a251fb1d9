import SamradCore
import Vapor

/// The page that asks before something is deleted, declined or withdrawn, so it works without
/// scripts: `GET /confirm?what=delete_item&action=/meetings/…/delete&back=/meetings/…/agenda`.
/// It only shows a form; the action is posted with the CSRF token and checks its own rights. Only
/// the kinds listed here, each for actions ending as it says, and only paths on this site.
struct Confirmation: RouteCollection {
    static let kinds: [String: String] = [
        "decline": "/decline", "withdraw": "/withdraw", "close_questionnaire": "/close",
        "delete_item": "/delete", "delete_material": "/delete", "delete_newsletter": "/delete",
        "delete_dialogue": "/delete", "delete_guide": "/delete", "delete_knowledge": "/delete",
        "delete_attachment": "/delete", "delete_document": "/delete", "delete_feedback": "/delete",
        "delete_question": "/delete", "delete_section": "/delete", "delete_person": "/delete",
        "erase_person": "/erase",
    ]

    func boot(routes: any RoutesBuilder) throws {
        routes.get("confirm", use: page)
    }

    struct Context: Encodable {
        var page: PageContext
        var explanation: String
        var button: String
        var action: String
        var back: String
    }

    func page(_ request: Request) async throws -> View {
        let what = request.query[String.self, at: "what"] ?? ""
        let action = LocalPath.checked(request.query[String.self, at: "action"], otherwise: "")
        guard let suffix = Self.kinds[what], action.hasSuffix(suffix), !action.contains("?") else {
            throw SamradError.notFound("error.not_found")
        }
        let back = LocalPath.checked(request.query[String.self, at: "back"])
        return try await request.view.render(
            "confirm",
            Context(
                page: PageContext(request, titleKey: "confirm.\(what).title"),
                explanation: request.t("confirm.\(what).explain"),
                button: request.t("confirm.\(what).button"), action: action, back: back))
    }
}
