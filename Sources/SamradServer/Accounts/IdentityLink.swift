import Fluent
import Foundation

/// An account's link to a subject at an identity provider (`OIDC_PROVIDERS`): made at the first
/// sign-in with the provider or from the profile, found again by the same subject.
final class IdentityLink: Model, @unchecked Sendable {
    static let schema = "identity_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "provider") var provider: String
    @Field(key: "subject") var subject: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    init(userID: UUID, provider: String, subject: String) {
        self.userID = userID
        self.provider = provider
        self.subject = subject
        self.lastUsedAt = Date()
    }
}
