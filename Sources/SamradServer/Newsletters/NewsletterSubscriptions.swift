import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: subscriptions on the profile.
extension NewsletterPages {
    struct SubscriptionRow: Encodable { var title: String; var href: String; var subscribed: Bool; var action: String }
    struct SubscriptionsContext: Encodable { var page: PageContext; var email: String; var rows: [SubscriptionRow] }

    /// The collaborations whose newsletters reach the signed-in person (by a seat or an attachment),
    /// and those already unsubscribed from.
    static func subscriptionRows(_ request: Request, user: User) async throws -> [SubscriptionRow] {
        let email = user.email.lowercased()
        var ids = Set(
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == email).all(\.$collaborationID))
        if let personID = user.personID {
            let seats = try await RegistrationSeat.query(on: request.db).filter(\.$personID == personID).all(
                \.$registrationID)
            ids.formUnion(
                try await Registration.query(on: request.db).filter(\.$id ~~ seats).filter(
                    \.$status == RegistrationStatus.registered.rawValue
                ).all(\.$collaborationID))
            ids.formUnion(
                try await CollaborationRole.query(on: request.db).filter(\.$personID == personID).all(
                    \.$collaborationID))
        }
        let unsubscribed = Set(
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == email).all(\.$collaborationID))
        return try await Collaboration.query(on: request.db).filter(\.$id ~~ ids).sort(\.$title).all().map { c in
            SubscriptionRow(
                title: c.title, href: "/collaborations/\(c.slug)/newsletters",
                subscribed: !unsubscribed.contains(c.id!),
                action: "/profile/newsletters/\(c.id!.uuidString.lowercased())")
        }
    }

    func subscriptions(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        return try await request.view.render(
            "newsletters/subscriptions",
            SubscriptionsContext(
                page: PageContext(request, titleKey: "newsletters.subscriptions"), email: user.email,
                rows: Self.subscriptionRows(request, user: user)))
    }

    func changeSubscription(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard let id = request.parameterID("collaboration"),
            try await Collaboration.find(id, on: request.db) != nil
        else {
            throw SamradError.notFound()
        }
        struct Form: Content { var subscribed: String? }
        let subscribed = try request.content.decode(Form.self).subscribed == "yes"
        try await Self.setSubscribed(subscribed, email: user.email.lowercased(), collaborationID: id, on: request.db)
        return request.redirect(
            to: "/profile/newsletters", notice: subscribed ? "newsletters.subscribed" : "newsletters.unsubscribed")
    }
}
