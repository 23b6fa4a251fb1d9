import Fluent
import Foundation
import SamradCore
import Vapor

/// A newsletter of a collaboration or network: Markdown, an audience, and when it is sent.
final class Newsletter: Model, @unchecked Sendable {
    static let schema = "newsletters"

    @ID(key: .id) var id: UUID?
    /// The sender: its organisers write it, its archive lists it, unsubscribing is from it.
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    /// The language it is written in: its mail's frame and footer follow it.
    @Field(key: "language") var language: String
    @Field(key: "audience") var audience: NewsletterAudience
    @Field(key: "archive") var archive: String
    @Field(key: "status") var status: String
    @OptionalField(key: "send_at") var sendAt: Date?
    /// While being put into the outbox: a worker holds it until then; after that another resumes it.
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "recipient_count") var recipientCount: Int
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var languageValue: Language { Language(rawValue: language) ?? .da }
    var statusValue: NewsletterStatus { NewsletterStatus(rawValue: status) ?? .draft }
    var archiveValue: NewsletterArchive { NewsletterArchive(rawValue: archive) ?? .members }
    var href: String { "/newsletters/\(id!.uuidString.lowercased())" }
}

/// One copy of a newsletter put into the outbox, with the hash of its unsubscribe link's token.
/// Unique per newsletter and address, so a send that is resumed never mails anybody twice.
final class NewsletterDelivery: Model, @unchecked Sendable {
    static let schema = "newsletter_deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "newsletter_id") var newsletterID: UUID
    @Field(key: "email") var email: String
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// An address that wants no more newsletters from a collaboration.
final class NewsletterUnsubscription: Model, @unchecked Sendable {
    static let schema = "newsletter_unsubscriptions"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(email: String, collaborationID: UUID) {
        self.email = email
        self.collaborationID = collaborationID
    }
}
