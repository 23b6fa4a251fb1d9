import Fluent
import Foundation
import SamradCore
import Vapor

/// AccountPages: setting up two-step sign-in on the profile. A new key waits in the browser's session until
/// a code from the app proves it was entered; then it is the account's, with ten recovery codes shown once.
/// Turning it off asks for the password.
extension AccountPages {
    struct TwoFactorContext: Encodable {
        var isOn: Bool
        /// While setting up: the key to type in and the address an app reads.
        var setupKey: String?
        var setupURI: String?
        var form: FormState
        /// Shown once, right after they are made.
        var recoveryCodes: [String]?
        var unusedRecoveryCodes: Int
        /// The installation asks for it before an administrator's or organiser's role takes effect.
        var isRequiredForRoles: Bool
    }

    func twoFactorContext(
        _ request: Request, user: User, form: FormState? = nil, recoveryCodes: [String]? = nil
    ) async throws -> TwoFactorContext {
        let pendingKey = user.totpSecret == nil ? request.session.data["totp_setup"] : nil
        let heldRoles = request.actor.grants.contains { $0.kind == .administrator || $0.kind == .organiser }
        return TwoFactorContext(
            isOn: user.totpSecret != nil, setupKey: pendingKey.map(TwoFactor.grouped),
            setupURI: pendingKey.map {
                TwoFactor.provisioningURI(secret: $0, account: user.email, issuer: "Samrad")
            },
            form: form ?? FormState(values: [:]), recoveryCodes: recoveryCodes,
            unusedRecoveryCodes: user.totpSecret == nil
                ? 0 : try await TwoFactor.unusedRecoveryCodes(of: user.requireID(), on: request.db),
            isRequiredForRoles: request.application.settings.requiresTwoFactorForRoles
                && (heldRoles || request.withheldRoles))
    }

    private func showProfile(
        _ request: Request, _ user: User, twoFactorForm: FormState? = nil, recoveryCodes: [String]? = nil,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var context = try await profileContext(request, user: user)
        context.twoFactor = try await twoFactorContext(
            request, user: user, form: twoFactorForm, recoveryCodes: recoveryCodes)
        return try await request.view.render("accounts/profile", context).encodeResponse(status: status, for: request)
    }

    func startTwoFactor(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard user.totpSecret == nil else { return request.redirect(to: "/profile#two-factor-heading") }
        request.session.data["totp_setup"] = TwoFactor.newSecret()
        return try await showProfile(request, user)
    }

    func confirmTwoFactor(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard user.totpSecret == nil, let secret = request.session.data["totp_setup"] else {
            return request.redirect(to: "/profile#two-factor-heading")
        }
        let typed = try request.content.decode(CodeInput.self).code ?? ""
        guard let step = TwoFactor.matchingStep(typed, secret: secret, after: nil) else {
            let error = SamradError.invalid([FieldError(field: "code", "two_factor.code_wrong")])
            return try await showProfile(
                request, user, twoFactorForm: FormState(values: [:], error: error, request: request),
                status: .unprocessableEntity)
        }
        let userID = try user.requireID()
        let codes = try await request.db.transaction { db in
            user.totpSecret = secret
            user.totpLastStep = step
            try await user.save(on: db)
            let codes = try await TwoFactor.replaceRecoveryCodes(of: userID, on: db)
            try await Audit.record(
                "account:two_factor_on", subject: "user", id: userID.uuidString, summary: user.email, by: request,
                on: db)
            return codes
        }
        request.session.data["totp_setup"] = nil
        // This browser has just shown the second factor.
        request.session.data["second_factor"] = "totp"
        request.setNotice("two_factor.turned_on")
        return try await showProfile(request, user, recoveryCodes: codes, status: .created)
    }

    func newRecoveryCodes(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard user.totpSecret != nil else { return request.redirect(to: "/profile#two-factor-heading") }
        let userID = try user.requireID()
        let codes = try await request.db.transaction { db in
            let codes = try await TwoFactor.replaceRecoveryCodes(of: userID, on: db)
            try await Audit.record(
                "account:recovery_codes", subject: "user", id: userID.uuidString, summary: user.email, by: request,
                on: db)
            return codes
        }
        return try await showProfile(request, user, recoveryCodes: codes, status: .created)
    }

    struct TurnOffInput: Content { var password: String? }

    func turnOffTwoFactor(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard user.totpSecret != nil else { return request.redirect(to: "/profile#two-factor-heading") }
        let typed = try request.content.decode(TurnOffInput.self).password ?? ""
        let verified = try await request.password.async.verify(
            typed, created: user.passwordHash ?? request.application.timingHash)
        guard user.passwordHash != nil, verified else {
            let error = SamradError.invalid([FieldError(field: "off_password", "password.current_wrong")])
            return try await showProfile(
                request, user, twoFactorForm: FormState(values: [:], error: error, request: request),
                status: .unprocessableEntity)
        }
        let userID = try user.requireID()
        try await request.db.transaction { db in
            user.totpSecret = nil
            user.totpLastStep = nil
            try await user.save(on: db)
            try await TwoFactor.removeRecoveryCodes(of: userID, on: db)
            try await Audit.record(
                "account:two_factor_off", subject: "user", id: userID.uuidString, summary: user.email, by: request,
                on: db)
        }
        request.session.data["second_factor"] = nil
        return request.redirect(to: "/profile#two-factor-heading", notice: "two_factor.turned_off")
    }
}
