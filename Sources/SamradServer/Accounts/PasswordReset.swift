import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: password reset.
extension AccountPages {
    func forgotForm(_ request: Request) async throws -> Response {
        try await render(request, "accounts/forgot", titleKey: "forgot.title", action: "/password/forgot")
    }

    struct EmailInput: Content { var email: String? }

    func forgot(_ request: Request) async throws -> Response {
        let input = try request.content.decode(EmailInput.self)
        var v = Validation()
        let email = v.email("email", input.email)
        do { try v.check() } catch let error as SamradError {
            return try await render(
                request, "accounts/forgot", titleKey: "forgot.title",
                form: FormState(values: ["email": input.email ?? ""], error: error, request: request),
                action: "/password/forgot", status: .unprocessableEntity)
        }
        // The answer is the same whether or not the address has an account, so it reveals nothing.
        // A few mails an account within the limit's window, however often somebody asks for it.
        if let user = try await User.query(on: request.db).filter(\.$email == email!).first(), !user.disabled,
            try await AccountToken.query(on: request.db).filter(\.$userID == user.requireID()).filter(
                \.$purpose == AccountToken.Purpose.passwordReset.rawValue
            )
            .filter(\.$createdAt > Date().addingTimeInterval(-PublicFormGuard.limit.window)).count()
                < PublicFormGuard.limit.maxResetsPerAccount
        {
            let secret = Secret.make()
            let language = user.language.flatMap(Language.init(rawValue:)) ?? request.language
            let link = "\(request.settings.publicBaseURL)/password/reset/\(secret)"
            try await request.db.transaction { db in
                try await AccountToken(
                    purpose: .passwordReset, tokenHash: Secret.hash(secret), userID: user.id,
                    expiresAt: Date().addingTimeInterval(3600)
                ).create(on: db)
                try await Outbox.enqueue(
                    to: user.email, subject: request.catalog.text("mail.reset.subject", language),
                    body: request.catalog.text("mail.reset.body", language, [user.name, link]),
                    settings: request.settings, on: db)
            }
        }
        return request.redirect(to: "/sign-in", notice: "forgot.sent")
    }

    func resetForm(_ request: Request) async throws -> Response {
        _ = try await Self.validToken(request, .passwordReset)
        return try await render(request, "accounts/reset", titleKey: "reset.title", action: request.url.path)
    }

    struct PasswordInput: Content { var password: String? }

    func reset(_ request: Request) async throws -> Response {
        let token = try await Self.validToken(request, .passwordReset)
        let input = try request.content.decode(PasswordInput.self)
        var v = Validation()
        let password = v.password("password", input.password)
        do { try v.check() } catch let error as SamradError {
            return try await render(
                request, "accounts/reset", titleKey: "reset.title",
                form: FormState(values: [:], error: error, request: request),
                action: request.url.path, status: .unprocessableEntity)
        }
        guard let user = try await User.find(token.userID, on: request.db) else {
            throw SamradError(.notFound, "account.link_invalid")
        }
        user.passwordHash = try await request.password.async.hash(password)
        try await request.db.transaction { db in
            token.usedAt = Date()
            try await token.save(on: db)
            try await user.save(on: db)
            // Whoever knew the old password is signed out everywhere.
            try await SessionStore.end(sessionsOf: user.requireID(), on: db)
            request.storage[CurrentUserKey.self] = user
            try await Audit.record(
                "account:password_reset", subject: "user", id: user.id!.uuidString, summary: user.email, by: request,
                on: db)
        }
        try await Self.startSession(for: user, request: request)
        return request.redirect(to: "/", notice: "reset.done")
    }
}
