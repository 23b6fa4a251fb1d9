import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: the second step of signing in, for an account with two-step sign-in. Between the password and
/// the code the browser's session holds only who is signing in and since when (at most five minutes); it is
/// signed in to nothing. A code is taken once, and every wrong one counts towards the sign-in throttle.
extension AccountPages {
    private struct Pending { var user: User; var next: String }

    static func awaitCode(from user: User, next: String, request: Request) async throws {
        if request.hasSession, let old = request.session.id {
            try await request.application.sessions.driver.deleteSession(old, for: request).get()
            request.session.id = nil
            request.session.data = SessionData()
        }
        request.session.data["pending_user"] = user.id?.uuidString
        request.session.data["pending_since"] = String(Date().timeIntervalSince1970)
        request.session.data["pending_next"] = next
    }

    private func pending(_ request: Request) async throws -> Pending? {
        guard let id = request.session.data["pending_user"].flatMap(UUID.init(uuidString:)),
            let since = request.session.data["pending_since"].flatMap(Double.init),
            Date().timeIntervalSince1970 - since < TwoStepSignIn.codeWindow,
            let user = try await User.find(id, on: request.db), !user.disabled, user.totpSecret != nil
        else { return nil }
        return Pending(user: user, next: Self.safeNext(request.session.data["pending_next"]))
    }

    func codeForm(_ request: Request) async throws -> Response {
        guard try await pending(request) != nil else {
            return request.redirect(to: "/sign-in", notice: "signin.code_expired")
        }
        return try await render(
            request, "accounts/sign-in-code", titleKey: "signin.code_title", action: "/sign-in/code")
    }

    struct CodeInput: Content { var code: String? }

    func signInWithCode(_ request: Request) async throws -> Response {
        guard let pending = try await pending(request), let secret = pending.user.totpSecret else {
            return request.redirect(to: "/sign-in", notice: "signin.code_expired")
        }
        let user = pending.user
        let userID = try user.requireID()
        let typed = try request.content.decode(CodeInput.self).code ?? ""
        let since = Date().addingTimeInterval(-Self.throttle.window)
        let address = request.clientAddress
        try await SignInFailure(email: user.email, address: address, at: Date()).create(on: request.db)
        let forAccount = try await SignInFailure.query(on: request.db).filter(\.$email == user.email)
            .filter(\.$at > since).count()
        let fromAddress = try await SignInFailure.query(on: request.db).filter(\.$address == address)
            .filter(\.$at > since).count()
        if Self.throttle.isLocked(failuresForAccount: forAccount - 1, failuresFromAddress: fromAddress - 1) {
            let error = SamradError(.tooManyRequests, "signin.locked", [String(Int(Self.throttle.window / 60))])
            return try await render(
                request, "accounts/sign-in-code", titleKey: "signin.code_title",
                form: FormState(values: [:], error: error, request: request), action: "/sign-in/code",
                status: .tooManyRequests)
        }
        var usedRecoveryCode = false
        if TwoStepSignIn.isTimeCode(typed),
            let step = TwoFactor.matchingStep(typed, secret: secret, after: user.totpLastStep),
            try await Self.takeStep(step, of: userID, on: request.db)
        {
            usedRecoveryCode = false
        } else if !TwoStepSignIn.isTimeCode(typed),
            try await TwoFactor.useRecoveryCode(typed, of: userID, on: request.db)
        {
            usedRecoveryCode = true
        } else {
            let error = SamradError.invalid([FieldError(field: "code", "signin.code_wrong")])
            return try await render(
                request, "accounts/sign-in-code", titleKey: "signin.code_title",
                form: FormState(values: [:], error: error, request: request), action: "/sign-in/code",
                status: .unauthorized)
        }
        try await SignInFailure.query(on: request.db).filter(\.$email == user.email).delete()
        try await Self.startSession(for: user, request: request)
        request.session.data["second_factor"] = "totp"
        if usedRecoveryCode {
            let left = try await TwoFactor.unusedRecoveryCodes(of: userID, on: request.db)
            var who = AuditActor(request)
            who.userID = userID
            who.name = "\(user.name) <\(user.email)>"
            try await Audit.record(
                "account:recovery_code_used", subject: "user", id: userID.uuidString, summary: "\(left) left",
                by: who, on: request.db)
            request.setNotice("signin.recovery_code_used", [String(left)])
        }
        return request.redirect(to: pending.next)
    }

    /// Records the step as taken, unless another request took it (or a later one) first.
    static func takeStep(_ step: Int64, of userID: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: UUID }
        let taken = try await db.sql.raw(
            """
            UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: userID)
                AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
            """
        ).all(decoding: Row.self)
        return !taken.isEmpty
    }
}
