import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: unsubscribing.
extension NewsletterPages {
    struct UnsubscribeContext: Encodable {
        var page: PageContext; var collaboration: String; var email: String; var done: Bool; var action: String
    }

    static func delivery(_ request: Request) async throws -> (NewsletterDelivery, Collaboration) {
        guard let token = request.parameters.get("token"), token.count < 100,
            let delivery = try await NewsletterDelivery.query(on: request.db).filter(\.$tokenHash == Secret.hash(token))
                .first(),
            let n = try await Newsletter.find(delivery.newsletterID, on: request.db),
            let c = try await Collaboration.find(n.collaborationID, on: request.db)
        else { throw SamradError.notFound("newsletters.error.link") }
        return (delivery, c)
    }

    func unsubscribePage(_ request: Request) async throws -> View {
        let (delivery, c) = try await Self.delivery(request)
        let done =
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == delivery.email).filter(
                \.$collaborationID == c.requireID()
            ).count() > 0
        return try await request.view.render(
            "newsletters/unsubscribe",
            UnsubscribeContext(
                page: PageContext(request, titleKey: "newsletters.unsubscribe_title"), collaboration: c.title,
                email: delivery.email, done: done, action: request.url.path))
    }

    /// One click (RFC 8058): a mail program's POST, or the page's button. No session is needed.
    func unsubscribe(_ request: Request) async throws -> Response {
        let (delivery, c) = try await Self.delivery(request)
        try await Self.setSubscribed(false, email: delivery.email, collaborationID: c.requireID(), on: request.db)
        if request.headers.contentType == .urlEncodedForm,
            (try? request.content.get(String.self, at: "List-Unsubscribe")) == "One-Click"
        {
            return Response(status: .ok)
        }
        return try await request.view.render(
            "newsletters/unsubscribe",
            UnsubscribeContext(
                page: PageContext(request, titleKey: "newsletters.unsubscribe_title"), collaboration: c.title,
                email: delivery.email, done: true, action: request.url.path)
        )
        .encodeResponse(for: request)
    }

    static func setSubscribed(
        _ subscribed: Bool, email: String, collaborationID: UUID, on db: any Database
    ) async throws {
        let existing = NewsletterUnsubscription.query(on: db).filter(\.$email == email).filter(
            \.$collaborationID == collaborationID)
        if subscribed {
            try await existing.delete()
        } else if try await existing.count() == 0 {
            try await NewsletterUnsubscription(email: email, collaborationID: collaborationID).create(on: db)
        }
    }
}
