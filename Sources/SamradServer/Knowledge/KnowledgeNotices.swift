import Fluent
import Foundation
import SamradCore
import Vapor

/// E-mails of the editorial workflow, written in the step's transaction: editors learn that a
/// material waits for them; the author learns that it is published or what to change.
enum KnowledgeNotices {
    static func after(
        _ step: EditorialStatus.Step, _ m: KnowledgeMaterial, note: String?, request: Request, on db: any Database
    ) async throws {
        let link = request.settings.publicBaseURL + m.href
        let recipients: [User]
        let kind: String
        var arguments = [m.title, link]
        switch step {
        case .submit:
            recipients = try await editors(of: m, on: db)
            kind = "submitted"
        case .requestChanges:
            recipients = try await owner(of: m, on: db)
            kind = "changes"
            arguments.append(note ?? "")
        case .publish:
            recipients = try await owner(of: m, on: db)
            kind = "published"
        case .withdraw, .unpublish:
            return
        }
        for user in recipients where user.id != request.actor.userID && !user.disabled {
            let language = user.language.flatMap(Language.init(rawValue:)) ?? m.languageValue
            try await Outbox.enqueue(
                to: user.email, subject: request.catalog.text("mail.knowledge_\(kind).subject", language, arguments),
                body: request.catalog.text("mail.knowledge_\(kind).body", language, arguments),
                settings: request.settings, on: db)
        }
    }

    static func owner(of m: KnowledgeMaterial, on db: any Database) async throws -> [User] {
        guard let id = m.createdBy, let user = try await User.find(id, on: db) else { return [] }
        return [user]
    }

    /// The organisers of the material's collaboration, or the administrators for one of none.
    static func editors(of m: KnowledgeMaterial, on db: any Database) async throws -> [User] {
        var roles = RoleAssignment.query(on: db)
        if let collaborationID = m.collaborationID,
            let collaboration = try await Collaboration.find(collaborationID, on: db)
        {
            roles = roles.filter(\.$kind == RoleKind.organiser.rawValue).filter(
                \.$organisationID == collaboration.organiserID)
        } else {
            roles = roles.filter(\.$kind == RoleKind.administrator.rawValue)
        }
        let ids = try await roles.all(\.$userID)
        return try await User.query(on: db).filter(\.$id ~~ ids).all()
    }
}
