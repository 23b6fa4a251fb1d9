import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: first run.
extension AccountPages {
    /// Makes a one-time set-up link when no administrator exists yet; returns it, or nil.
    static func prepareFirstRun(on db: any Database, baseURL: String) async throws -> String? {
        let admins = try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.administrator.rawValue).count()
        guard admins == 0 else { return nil }
        let secret = Secret.make()
        // Earlier links stay valid: with several instances each prints its own, and any of them
        // serves until the administrator is made (which ends them all).
        try await AccountToken.query(on: db).filter(\.$purpose == AccountToken.Purpose.setup.rawValue).filter(
            \.$expiresAt < Date()
        ).delete()
        try await AccountToken(
            purpose: .setup, tokenHash: Secret.hash(secret), expiresAt: Date().addingTimeInterval(7 * 24 * 3600)
        ).create(on: db)
        return "\(baseURL)/setup/\(secret)"
    }

    static func validToken(_ request: Request, _ purpose: AccountToken.Purpose) async throws -> AccountToken {
        guard let secret = request.parameters.get("token"),
            let token = try await AccountToken.query(on: request.db).filter(\.$tokenHash == Secret.hash(secret))
                .filter(\.$purpose == purpose.rawValue).first(),
            token.usedAt == nil, token.expiresAt > Date()
        else { throw SamradError(.notFound, "account.link_invalid") }
        return token
    }

    func setupForm(_ request: Request) async throws -> Response {
        _ = try await Self.validToken(request, .setup)
        return try await render(request, "accounts/setup", titleKey: "setup.title", action: request.url.path)
    }

    struct NewAccount: Content { var name: String?; var email: String?; var password: String? }

    func setup(_ request: Request) async throws -> Response {
        let token = try await Self.validToken(request, .setup)
        let input = try request.content.decode(NewAccount.self)
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 120)
        let email = v.email("email", input.email)
        let password = v.password("password", input.password)
        do {
            try v.check()
        } catch let error as SamradError {
            return try await render(
                request, "accounts/setup", titleKey: "setup.title",
                form: FormState(
                    values: ["name": input.name ?? "", "email": input.email ?? ""], error: error, request: request),
                action: request.url.path, status: .unprocessableEntity)
        }
        let hash = try await request.password.async.hash(password)
        let user = User(email: email!, name: name, passwordHash: hash)
        try await request.db.transaction { db in
            // Two people racing, with the same link or two instances' links: the link is taken by
            // a conditional update and the others are deleted, so a second taker finds its link
            // used or gone (on PostgreSQL it waits for the first transaction's row locks).
            struct Taken: Decodable { var id: UUID }
            let taken = try await db.sql.raw(
                """
                UPDATE account_tokens SET used_at = \(bind: Date()) WHERE id = \(bind: token.requireID()) AND used_at IS
                    NULL RETURNING id
                """
            ).all(decoding: Taken.self)
            guard !taken.isEmpty,
                try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.administrator.rawValue).count() == 0
            else {
                throw SamradError(.conflict, "setup.already_done")
            }
            try await AccountToken.query(on: db).filter(\.$purpose == AccountToken.Purpose.setup.rawValue).filter(
                \.$id != token.requireID()
            ).delete()
            if try await User.query(on: db).filter(\.$email == email!).first() != nil {
                throw SamradError.invalid([FieldError(field: "email", "validation.email_taken")])
            }
            try await user.create(on: db)
            try await RoleAssignment(userID: user.requireID(), grant: RoleGrant(kind: .administrator)).create(on: db)
            request.storage[CurrentUserKey.self] = user
            try await Audit.record(
                "account:setup", subject: "user", id: user.id!.uuidString,
                summary: "\(name) <\(email!)> became administrator", by: request, on: db)
        }
        try await Self.startSession(for: user, request: request)
        return request.redirect(to: "/", notice: "setup.done")
    }

    static func startSession(for user: User, request: Request) async throws {
        // A fresh session id on sign-in, so a session id planted before sign-in is worthless. Not
        // `destroy()`: a destroyed session stays destroyed for the rest of the request, and the
        // sign-in would be lost whenever the visitor already had a session (e.g. for a notice).
        if request.hasSession, let old = request.session.id {
            try await request.application.sessions.driver.deleteSession(old, for: request).get()
            request.session.id = nil
            request.session.data = SessionData()
        }
        request.session.data["user"] = user.id?.uuidString
        CSRFToken.renew(for: request)
    }
}
