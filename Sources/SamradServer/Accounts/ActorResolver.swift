import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Finds who is asking — a session's account or an API token's — and their roles, once per request.
/// Requests without a session cookie or token (public pages, the open API) cost no database work.
struct ActorResolver: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            guard let found = try await Self.account(token: Secret.hash(bearer.token), on: request.db),
                !found.user.disabled
            else {
                throw SamradError(.unauthenticated, "error.bad_token")
            }
            // "Last used" to the minute is enough; it spares a write on every API call.
            if let tokenID = found.tokenID, (found.tokenLastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60) {
                try await request.db.sql.raw(
                    "UPDATE access_tokens SET last_used_at = \(bind: Date()) WHERE id = \(bind: tokenID)"
                ).run()
            }
            attach(found, to: request, viaToken: true)
        } else if request.hasSession {
            // Passes from invitation links opened in this session count with or without an account.
            let passes = RegistrationPasses.read(request.session)
            let meetingPasses = MeetingPasses.store.read(request.session)
            if let id = request.session.data["user"].flatMap(UUID.init(uuidString:)) {
                if var found = try await Self.account(user: id, on: request.db), !found.user.disabled {
                    // Where the installation asks for it, an administrator's or organiser's role takes effect only
                    // in a session signed in with a second factor.
                    if request.application.settings.requiresTwoFactorForRoles,
                        request.session.data["second_factor"] == nil
                    {
                        let kept = found.grants.filter { $0.kind != .administrator && $0.kind != .organiser }
                        request.storage[WithheldRolesKey.self] = kept.count < found.grants.count
                        found.grants = kept
                    }
                    attach(found, to: request, viaToken: false, passes: passes, meetingPasses: meetingPasses)
                } else {
                    request.session.destroy()
                }
            } else if !passes.isEmpty || !meetingPasses.isEmpty {
                request.storage[ActorKey.self] = Actor(
                    userID: nil, personID: nil, grants: [], passes: passes,
                    meetingPasses: meetingPasses)
            }
        }
        return try await next.respond(to: request)
    }

    /// An account with its roles, read in one query (every API call and signed-in page pays for it).
    struct Account {
        var user: User
        var grants: Set<RoleGrant>
        var tokenID: UUID?
        var tokenLastUsedAt: Date?
    }

    private struct Extra: Decodable {
        var token_id: UUID?
        var token_last_used_at: Date?
        var role_kind: String?
        var role_organisation_id: UUID?
        var role_country: String?
        var role_code: String?

        var grant: RoleGrant? {
            guard let kind = role_kind.flatMap(RoleKind.init(rawValue:)) else { return nil }
            let municipality = role_country.flatMap(Country.init(rawValue:)).flatMap { country in
                role_code.map { MunicipalityKey(country, $0) }
            }
            return RoleGrant(kind: kind, organisationID: role_organisation_id, municipality: municipality)
        }
    }

    /// The account and its roles: read on every signed-in request or API call, so prepared once per
    /// connection. The user's columns are `UserRow`'s.
    private static let accountColumns = """
        u.id, u.email, u.name, u.password_hash, u.language, u.person_id, u.disabled, u.created_at, u.totp_secret,
        u.totp_last_step, r.kind AS role_kind, r.organisation_id AS role_organisation_id,
        r.municipality_country AS role_country, r.municipality_code AS role_code
        """

    private struct ByToken: PreparedRead {
        static let sql = """
            SELECT \(ActorResolver.accountColumns), t.id AS token_id, t.last_used_at AS token_last_used_at
            FROM access_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN role_assignments r ON r.user_id = u.id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL
            """
        var hash: String
        var values: [String] { [hash] }
    }

    private struct ByUser: PreparedRead {
        static let sql = """
            SELECT \(ActorResolver.accountColumns), NULL AS token_id, NULL AS token_last_used_at
            FROM users u LEFT JOIN role_assignments r ON r.user_id = u.id WHERE u.id = $1
            """
        var id: UUID
        var values: [UUID] { [id] }
    }

    static func account(token hash: String, on db: any Database) async throws -> Account? {
        try account(try await db.rows(ByToken(hash: hash)))
    }

    static func account(user id: UUID, on db: any Database) async throws -> Account? {
        try account(try await db.rows(ByUser(id: id)))
    }

    private struct UserRow: Decodable {
        var id: UUID; var email: String; var name: String; var password_hash: String?; var language: String?
        var person_id: UUID?; var disabled: Bool; var created_at: Date?
        var totp_secret: String?; var totp_last_step: Int64?
    }

    private static func account(_ rows: [any SQLRow]) throws -> Account? {
        guard let first = rows.first else { return nil }
        let extras = try rows.map { try $0.decode(model: Extra.self) }
        // A plain decode: Fluent's model decoding reflects over the properties on every request.
        let row = try first.decode(model: UserRow.self)
        let user = User(id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash)
        user.language = row.language
        user.personID = row.person_id
        user.disabled = row.disabled
        user.createdAt = row.created_at
        user.totpSecret = row.totp_secret
        user.totpLastStep = row.totp_last_step
        // Loaded, not new: a later `save` (the language setting) updates the row instead of inserting.
        user.$id.exists = true
        return Account(
            user: user, grants: Set(extras.compactMap(\.grant)), tokenID: extras[0].token_id,
            tokenLastUsedAt: extras[0].token_last_used_at)
    }

    private func attach(
        _ account: Account, to request: Request, viaToken: Bool, passes: Set<RegistrationPass> = [],
        meetingPasses: Set<MeetingPass> = []
    ) {
        request.storage[CurrentUserKey.self] = account.user
        request.storage[ActorKey.self] = Actor(
            userID: account.user.id, personID: account.user.personID, grants: account.grants, passes: passes,
            meetingPasses: meetingPasses)
        request.storage[ViaTokenKey.self] = viaToken
    }
}

struct CurrentUserKey: StorageKey { typealias Value = User }
struct ActorKey: StorageKey { typealias Value = Actor }
struct ViaTokenKey: StorageKey { typealias Value = Bool }
struct WithheldRolesKey: StorageKey { typealias Value = Bool }

extension Request {
    var actor: Actor { storage[ActorKey.self] ?? .visitor }
    var currentUser: User? { storage[CurrentUserKey.self] }
    var isTokenAuthenticated: Bool { storage[ViaTokenKey.self] ?? false }
    /// Roles the account holds that wait for a second factor in this session.
    var withheldRoles: Bool { storage[WithheldRolesKey.self] ?? false }

    /// The one way routes check permissions: a policy's answer, or 401/403.
    func require(_ allowed: Bool) throws {
        guard allowed else { throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated }
    }

    func requireSignedIn() throws -> User {
        guard let user = currentUser else { throw SamradError.unauthenticated }
        return user
    }
}

/// Passes from personal links opened in a browser session, kept as JSON in the session's data,
/// oldest first. A pass lasts as long as the link that gave it: a session outliving the link loses it.
struct SessionPasses<Pass: Codable & Hashable & Sendable>: Sendable {
    let key: String
    /// A person rarely holds more than a few; the oldest go first past this.
    static var limit: Int { 50 }

    private struct Stored: Codable { var pass: Pass; var expiresAt: Date }

    private func stored(_ session: Session, now: Date) -> [Stored] {
        guard let text = session.data[key], let all = try? JSONDecoder().decode([Stored].self, from: Data(text.utf8))
        else { return [] }
        return all.filter { $0.expiresAt > now }
    }

    func read(_ session: Session, now: Date = Date()) -> Set<Pass> {
        Set(stored(session, now: now).map(\.pass))
    }

    func add(_ pass: Pass, until expiresAt: Date, to session: Session, now: Date = Date()) {
        let kept = (stored(session, now: now).filter { $0.pass != pass } + [Stored(pass: pass, expiresAt: expiresAt)])
            .suffix(Self.limit)
        session.data[key] = (try? JSONEncoder().encode(Array(kept))).map { String(decoding: $0, as: UTF8.self) }
    }
}
