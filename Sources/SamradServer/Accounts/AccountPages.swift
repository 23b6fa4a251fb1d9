import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// First-run set-up, sign-in and sign-out, password reset, invitations, the profile with its API
/// tokens, and the language picker.
struct AccountPages: RouteCollection {
    static let throttle = SignInThrottle()

    func boot(routes: any RoutesBuilder) throws {
        routes.get("setup", ":token", use: setupForm)
        routes.post("setup", ":token", use: setup)
        routes.get("sign-in", use: signInForm)
        routes.post("sign-in", use: signIn)
        routes.get("sign-in", "code", use: codeForm)
        routes.post("sign-in", "code", use: signInWithCode)
        routes.get("sign-in", "oidc", ":provider", use: startOpenID)
        routes.get("sign-in", "oidc", ":provider", "callback", use: finishOpenID)
        routes.post("sign-out", use: signOut)
        routes.get("password", "forgot", use: forgotForm)
        routes.post("password", "forgot", use: forgot)
        routes.get("password", "reset", ":token", use: resetForm)
        routes.post("password", "reset", ":token", use: reset)
        routes.get("invitations", ":token", use: invitationForm)
        routes.post("invitations", ":token", use: acceptInvitation)
        routes.get("profile", use: profile)
        routes.post("profile", use: updateProfile)
        routes.post("profile", "tokens", use: createToken)
        routes.post("profile", "tokens", ":id", "revoke", use: revokeToken)
        routes.post("profile", "password", use: changePassword)
        routes.post("profile", "sessions", "end-others", use: endOtherSessions)
        routes.post("profile", "sessions", ":session", "end", use: endSession)
        routes.post("profile", "two-factor", "start", use: startTwoFactor)
        routes.post("profile", "two-factor", "confirm", use: confirmTwoFactor)
        routes.post("profile", "two-factor", "recovery-codes", use: newRecoveryCodes)
        routes.post("profile", "two-factor", "off", use: turnOffTwoFactor)
        routes.post("profile", "sign-in-providers", ":provider", "link", use: linkOpenID)
        routes.post("profile", "sign-in-providers", ":provider", "unlink", use: unlinkOpenID)
        routes.get("language", ":code", use: pickLanguage)
        routes.get("api", "v1", "me", use: me)
    }

    struct FormContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
    }

    func render(
        _ request: Request, _ template: String, titleKey: String, form: FormState = FormState(), action: String,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        try await request.view.render(
            template, FormContext(page: PageContext(request, titleKey: titleKey), form: form, action: action)
        )
        .encodeResponse(status: status, for: request)
    }
}
