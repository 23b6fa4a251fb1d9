import Fluent
import Foundation
import SamradCore
import Vapor

/// Finds who is asking — a session's account or an API token's — and their roles, once per request.
/// Requests without a session cookie or token (public pages, the open API) cost no database work.
struct ActorResolver: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            guard let token = try await AccessToken.query(on: request.db)
                .filter(\.$tokenHash == Secret.hash(bearer.token)).filter(\.$revokedAt == nil).first(),
                let user = try await User.find(token.userID, on: request.db), !user.disabled
            else {
                throw SamradError(.unauthenticated, "error.bad_token")
            }
            // "Last used" to the minute is enough; it spares a write on every API call.
            if (token.lastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60) {
                token.lastUsedAt = Date()
                try await token.save(on: request.db)
            }
            try await attach(user, to: request, viaToken: true)
        } else if request.hasSession {
            // Passes from invitation links opened in this session count with or without an account.
            let passes = RegistrationPasses.read(request.session)
            if let id = request.session.data["user"].flatMap(UUID.init(uuidString:)) {
                if let user = try await User.find(id, on: request.db), !user.disabled {
                    try await attach(user, to: request, viaToken: false, passes: passes)
                } else {
                    request.session.destroy()
                }
            } else if !passes.isEmpty {
                request.storage[ActorKey.self] = Actor(userID: nil, personID: nil, grants: [], passes: passes)
            }
        }
        return try await next.respond(to: request)
    }

    private func attach(_ user: User, to request: Request, viaToken: Bool, passes: Set<RegistrationPass> = []) async throws {
        let grants = try await RoleAssignment.query(on: request.db).filter(\.$userID == user.requireID()).all().compactMap(\.grant)
        request.storage[CurrentUserKey.self] = user
        request.storage[ActorKey.self] = Actor(userID: user.id, personID: user.personID, grants: Set(grants), passes: passes)
        request.storage[ViaTokenKey.self] = viaToken
    }
}

/// The registration passes of a browser session, kept as JSON in the session's data.
enum RegistrationPasses {
    static let key = "registration_passes"

    static func read(_ session: Session) -> Set<RegistrationPass> {
        guard let text = session.data[key], let passes = try? JSONDecoder().decode([RegistrationPass].self, from: Data(text.utf8)) else { return [] }
        return Set(passes)
    }

    static func add(_ pass: RegistrationPass, to session: Session) {
        var passes = read(session)
        passes.insert(pass)
        // A session keeps a few dozen at most; a person rarely answers for more.
        let kept = Array(passes).suffix(50)
        session.data[key] = (try? JSONEncoder().encode(Array(kept))).map { String(decoding: $0, as: UTF8.self) }
    }
}

struct CurrentUserKey: StorageKey { typealias Value = User }
struct ActorKey: StorageKey { typealias Value = Actor }
struct ViaTokenKey: StorageKey { typealias Value = Bool }

extension Request {
    var actor: Actor { storage[ActorKey.self] ?? .visitor }
    var currentUser: User? { storage[CurrentUserKey.self] }
    var isTokenAuthenticated: Bool { storage[ViaTokenKey.self] ?? false }

    /// The one way routes check permissions: a policy's answer, or 401/403.
    func require(_ allowed: Bool) throws {
        guard allowed else { throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated }
    }

    func requireSignedIn() throws -> User {
        guard let user = currentUser else { throw SamradError.unauthenticated }
        return user
    }
}
