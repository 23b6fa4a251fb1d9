import Fluent
import Foundation
import SamradCore

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
    @OptionalField(key: "claimed_country") var claimedCountry: String?
    @OptionalField(key: "claimed_code") var claimedCode: String?

    /// The municipality the provider's claim named at the last sign-in.
    var claimedMunicipality: MunicipalityKey? {
        get {
            guard let country = claimedCountry.flatMap(Country.init(rawValue:)), let code = claimedCode else {
                return nil
            }
            return MunicipalityKey(country, code)
        }
        set {
            claimedCountry = newValue?.country.rawValue
            claimedCode = newValue?.code
        }
    }

    init() {}

    init(userID: UUID, provider: String, subject: String, claimed: MunicipalityKey? = nil) {
        self.userID = userID
        self.provider = provider
        self.subject = subject
        self.lastUsedAt = Date()
        self.claimedMunicipality = claimed
    }
}
