import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: invitations.
extension AccountPages {
    /// An invitation to an address that already has an account with a password adds its role to
    /// that account, once its holder has signed in; it never sets a new password.
    static func existingAccount(for token: AccountToken, on db: any Database) async throws -> User? {
        let user = try await User.query(on: db).filter(\.$email == (token.email ?? "")).first()
        return user?.passwordHash == nil ? nil : user
    }

    func invitationForm(_ request: Request) async throws -> Response {
        let token = try await Self.validToken(request, .invitation)
        var values = ["email": token.email ?? ""]
        if let existing = try await Self.existingAccount(for: token, on: request.db) {
            values["existing"] = request.currentUser?.id == existing.id ? "signed-in" : "sign-in"
        }
        return try await render(
            request, "accounts/invitation", titleKey: "invitation.title", form: FormState(values: values),
            action: request.url.path)
    }

    func acceptInvitation(_ request: Request) async throws -> Response {
        let token = try await Self.validToken(request, .invitation)
        if let existing = try await Self.existingAccount(for: token, on: request.db) {
            guard request.currentUser?.id == existing.id else {
                throw SamradError(.conflict, "invitation.existing_sign_in")
            }
            try await request.db.transaction { db in
                if let grant = token.grant {
                    let roles = try await RoleAssignment.query(on: db).filter(\.$userID == existing.requireID()).all()
                    let held = roles.contains { $0.grant == grant }
                    if !held { try await RoleAssignment(userID: existing.requireID(), grant: grant).create(on: db) }
                }
                token.usedAt = Date()
                try await token.save(on: db)
                try await Audit.record(
                    "account:invitation_accepted", subject: "user",
                    id: existing.requireID().uuidString,
                    summary: "\(existing.email): role added to the existing account", by: request,
                    on: db)
            }
            return request.redirect(to: "/profile", notice: "invitation.role_added")
        }
        let input = try request.content.decode(NewAccount.self)
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 120)
        let password = v.password("password", input.password)
        do { try v.check() } catch let error as SamradError {
            return try await render(
                request, "accounts/invitation", titleKey: "invitation.title",
                form: FormState(
                    values: ["email": token.email ?? "", "name": input.name ?? ""], error: error, request: request),
                action: request.url.path, status: .unprocessableEntity)
        }
        let hash = try await request.password.async.hash(password)
        let email = token.email ?? ""
        let user = try await request.db.transaction { db -> User in
            let user =
                try await User.query(on: db).filter(\.$email == email).first()
                ?? User(email: email, name: name, passwordHash: nil)
            user.name = name
            user.passwordHash = hash
            try await user.save(on: db)
            try await Self.linkPerson(user, on: db)
            if let grant = token.grant {
                try await RoleAssignment(userID: user.requireID(), grant: grant).create(on: db)
            }
            token.usedAt = Date()
            try await token.save(on: db)
            request.storage[CurrentUserKey.self] = user
            try await Audit.record(
                "account:invitation_accepted", subject: "user", id: user.id!.uuidString, summary: "\(name) <\(email)>",
                by: request, on: db)
            return user
        }
        try await Self.startSession(for: user, request: request)
        return request.redirect(to: "/", notice: "invitation.done")
    }
}
