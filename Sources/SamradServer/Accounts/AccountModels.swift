import Fluent
import Foundation
import SamradCore
import Vapor

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// nil until the person sets a password through an invitation link.
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "language") var language: String?
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "disabled") var disabled: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// The TOTP key in Base32 once two-step sign-in is set up; nil without it.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// The last 30-second step whose code was accepted: a code is taken only once.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?

    init() {}

    init(id: UUID? = nil, email: String, name: String, passwordHash: String?) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.disabled = false
    }
}

final class RoleAssignment: Model, @unchecked Sendable {
    static let schema = "role_assignments"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?

    init() {}

    init(userID: UUID, grant: RoleGrant) {
        self.userID = userID
        self.kind = grant.kind.rawValue
        self.organisationID = grant.organisationID
        self.municipalityCountry = grant.municipality?.country.rawValue
        self.municipalityCode = grant.municipality?.code
    }

    var grant: RoleGrant? {
        guard let kind = RoleKind(rawValue: kind) else { return nil }
        var municipality: MunicipalityKey? = nil
        if let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode {
            municipality = MunicipalityKey(country, code)
        }
        return RoleGrant(kind: kind, organisationID: organisationID, municipality: municipality)
    }

    /// The municipalities whose people the accounts linked to a person are (member or coordinator
    /// roles): what a person's calendar feed, read without a session, may show.
    static func municipalities(ofPerson personID: UUID, on db: any Database) async throws -> Set<MunicipalityKey> {
        let users = try await User.query(on: db).filter(\.$personID == personID).all(\.$id)
        guard !users.isEmpty else { return [] }
        let roles = try await RoleAssignment.query(on: db).filter(\.$userID ~~ users)
            .filter(\.$kind ~~ [RoleKind.member.rawValue, RoleKind.coordinator.rawValue]).all()
        return Set(roles.compactMap { $0.grant?.municipality })
    }
}

/// A one-time link: first administrator set-up, password reset or invitation. Only the SHA-256 of
/// the secret is stored, so a copy of the database does not give working links.
final class AccountToken: Model, @unchecked Sendable {
    static let schema = "account_tokens"

    enum Purpose: String { case setup, passwordReset = "password_reset", invitation }

    @ID(key: .id) var id: UUID?
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "role_kind") var roleKind: String?
    @OptionalField(key: "role_organisation_id") var roleOrganisationID: UUID?
    @OptionalField(key: "role_municipality") var roleMunicipality: String?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(purpose: Purpose, tokenHash: String, userID: UUID? = nil, email: String? = nil, expiresAt: Date) {
        self.purpose = purpose.rawValue
        self.tokenHash = tokenHash
        self.userID = userID
        self.email = email
        self.expiresAt = expiresAt
    }

    var grant: RoleGrant? {
        guard let kind = roleKind.flatMap(RoleKind.init(rawValue:)) else { return nil }
        return RoleGrant(
            kind: kind, organisationID: roleOrganisationID,
            municipality: roleMunicipality.flatMap(MunicipalityKey.init(path:)))
    }
}

final class AccessToken: Model, @unchecked Sendable {
    static let schema = "access_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters of the secret, shown so the owner can tell tokens apart.
    @Field(key: "prefix") var prefix: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: UUID, name: String, tokenHash: String, prefix: String) {
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
    }
}

final class SignInFailure: Model, @unchecked Sendable {
    static let schema = "sign_in_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date

    init() {}

    init(email: String, address: String, at: Date) {
        self.email = email
        self.address = address
        self.at = at
    }
}
