import Fluent
import Foundation
import SamradCore
import Vapor

/// AccountPages: sign-in with an identity provider (OpenID Connect, authorization code with PKCE),
/// and linking one to an account from the profile.
extension AccountPages {
    /// One sign-in under way, kept in the session between leaving for the provider and coming back.
    struct OpenIDFlow: Codable {
        var provider: String
        var state: String
        var nonce: String
        var verifier: String
        var next: String
        /// Set when a signed-in person links the provider to their account.
        var linking: UUID?
        var started: Date

        static let sessionKey = "oidc_flow"
        /// Long enough to sign in at the provider, short enough that an old flow is useless.
        static let lifetime: TimeInterval = 600
    }

    private func provider(_ request: Request) throws -> OpenIDProvider {
        let name = request.parameters.get("provider") ?? ""
        guard let provider = request.application.settings.openIDProviders.first(where: { $0.name == name }) else {
            throw SamradError.notFound()
        }
        return provider
    }

    static func redirectURI(_ provider: OpenIDProvider, _ request: Request) -> String {
        request.application.settings.publicBaseURL + "/sign-in/oidc/\(provider.name)/callback"
    }

    /// GET /sign-in/oidc/:provider: off to the provider.
    func startOpenID(_ request: Request) async throws -> Response {
        let provider = try provider(request)
        return try await leave(for: provider, next: Self.safeNext(request.query[String.self, at: "next"]),
            linking: nil, request: request)
    }

    /// POST /profile/sign-in-providers/:provider/link: the signed-in person proves the identity.
    func linkOpenID(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let provider = try provider(request)
        return try await leave(for: provider, next: "/profile", linking: try user.requireID(), request: request)
    }

    private func leave(
        for provider: OpenIDProvider, next: String, linking: UUID?, request: Request
    ) async throws -> Response {
        let configuration: OpenIDClient.Configuration
        do {
            configuration = try await request.application.openID.configuration(of: provider, client: request.client)
        } catch {
            request.logger.warning("Sign-in with \(provider.name) cannot start: \(error)")
            return try await signInPage(
                request,
                error: SamradError(.unavailable, "signin.oidc_unreachable", [provider.label(in: request.language)]),
                status: .serviceUnavailable)
        }
        let flow = OpenIDFlow(
            provider: provider.name, state: Secret.make(), nonce: Secret.make(), verifier: Secret.make(), next: next,
            linking: linking, started: Date())
        request.session.data[OpenIDFlow.sessionKey] = String(decoding: try JSONEncoder().encode(flow), as: UTF8.self)
        guard var address = URLComponents(string: configuration.authorization_endpoint) else {
            throw SamradError(.unavailable, "signin.oidc_unreachable", [provider.label(in: request.language)])
        }
        address.queryItems = (address.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: provider.clientID),
            URLQueryItem(name: "redirect_uri", value: Self.redirectURI(provider, request)),
            URLQueryItem(name: "scope", value: provider.scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: flow.state),
            URLQueryItem(name: "nonce", value: flow.nonce),
            URLQueryItem(name: "code_challenge", value: Secret.challenge(of: flow.verifier)),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "ui_locales", value: request.language.rawValue),
        ]
        // `+` in a query is a space to many servers; scopes and secrets must arrive as sent.
        address.percentEncodedQuery = address.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return request.redirect(to: address.string ?? "/sign-in")
    }

    /// GET /sign-in/oidc/:provider/callback: the provider sends the person back with a code.
    func finishOpenID(_ request: Request) async throws -> Response {
        let provider = try provider(request)
        let label = provider.label(in: request.language)
        let stored = request.session.data[OpenIDFlow.sessionKey]
        request.session.data[OpenIDFlow.sessionKey] = nil
        guard let stored, let flow = try? JSONDecoder().decode(OpenIDFlow.self, from: Data(stored.utf8)),
            flow.provider == provider.name, Date().timeIntervalSince(flow.started) < OpenIDFlow.lifetime,
            let state = request.query[String.self, at: "state"], state == flow.state
        else {
            // Another browser's answer, a replay or a flow too old: nothing from it is used.
            return try await signInPage(
                request, error: SamradError(.invalidInput, "signin.oidc_expired", [label]), status: .badRequest)
        }
        if request.query[String.self, at: "error"] != nil {
            return request.redirect(to: flow.linking == nil ? "/sign-in" : "/profile",
                notice: "signin.oidc_cancelled", [label])
        }
        let assertion: IdentityAssertion
        do {
            assertion = try await establish(provider, flow: flow, request: request)
        } catch let failure as OpenIDClient.Failure {
            request.logger.warning("Sign-in with \(provider.name) refused: \(failure)")
            return try await signInPage(
                request,
                error: SamradError(failure.unreachable ? .unavailable : .invalidInput,
                    failure.unreachable ? "signin.oidc_unreachable" : "signin.oidc_failed", [label]),
                status: failure.unreachable ? .serviceUnavailable : .badRequest)
        }
        if let linking = flow.linking {
            return try await link(assertion, of: provider, to: linking, request: request)
        }
        let user: User
        let isNew: Bool
        do {
            (user, isNew) = try await account(for: assertion, of: provider, request: request)
        } catch let error as SamradError {
            return try await signInPage(request, error: error, status: .forbidden)
        }
        // The person record is found by the address: only when the provider vouches for it, or a
        // made-up address at a lax provider would read someone else's meetings.
        if assertion.emailVerified { try await Self.linkPerson(user, on: request.db) }
        // A new account has no role yet: the first thing to do is to ask a municipality for access.
        let next = isNew && flow.next == "/" ? "/access" : flow.next
        if assertion.provesSecondFactor(for: provider) {
            try await Self.startSession(for: user, request: request)
            request.session.data["second_factor"] = "provider"
        } else if user.totpSecret != nil {
            try await Self.awaitCode(from: user, next: next, request: request)
            return request.redirect(to: "/sign-in/code")
        } else {
            try await Self.startSession(for: user, request: request)
        }
        return request.redirect(to: next)
    }

    /// The code for tokens, the ID token verified and checked, missing details from userinfo.
    private func establish(
        _ provider: OpenIDProvider, flow: OpenIDFlow, request: Request
    ) async throws -> IdentityAssertion {
        guard let code = request.query[String.self, at: "code"], !code.isEmpty else {
            throw OpenIDClient.Failure(description: "the provider sent no code")
        }
        let client = request.application.openID
        let tokens = try await client.exchange(
            code: code, verifier: flow.verifier, redirectURI: Self.redirectURI(provider, request), provider: provider,
            client: request.client)
        guard let idToken = tokens.id_token else {
            throw OpenIDClient.Failure(description: "the token endpoint sent no ID token")
        }
        var assertion = try await client.verify(idToken, of: provider, client: request.client)
        if let problem = assertion.problem(for: provider, nonce: flow.nonce, now: Date()) {
            throw OpenIDClient.Failure(description: "the ID token's \(problem) does not hold")
        }
        let wanted = [provider.municipalityClaim].compactMap { $0 }
        let missing = assertion.email == nil || assertion.name == nil || wanted.contains { assertion.claims[$0] == nil }
        if missing, let accessToken = tokens.access_token,
            let claims = try await client.userinfo(
                accessToken: accessToken, subject: assertion.subject, provider: provider, client: request.client)
        {
            assertion.add(claims)
        }
        return assertion
    }

    /// The account the provider's subject is linked to, or a new one at the first sign-in. An
    /// existing account is never taken over by its e-mail address: its owner links it from the profile.
    private func account(
        for assertion: IdentityAssertion, of provider: OpenIDProvider, request: Request
    ) async throws -> (User, isNew: Bool) {
        let label = provider.label(in: request.language)
        if let link = try await IdentityLink.query(on: request.db).filter(\.$provider == provider.name)
            .filter(\.$subject == assertion.subject).first()
        {
            guard let user = try await User.find(link.userID, on: request.db), !user.disabled else {
                throw SamradError(.forbidden, "signin.oidc_disabled")
            }
            link.lastUsedAt = Date()
            link.claimedMunicipality = assertion.municipality(for: provider)
            try await link.save(on: request.db)
            return (user, false)
        }
        guard let email = assertion.email?.trimmingCharacters(in: .whitespaces).lowercased(), email.contains("@")
        else {
            throw SamradError(.forbidden, "signin.oidc_no_email", [label])
        }
        if try await User.query(on: request.db).filter(\.$email == email).first() != nil {
            throw SamradError(.conflict, "signin.oidc_account_exists", [label])
        }
        let user = User(email: email, name: assertion.name ?? email, passwordHash: nil)
        user.language = request.language.rawValue
        try await request.db.transaction { tx in
            try await user.create(on: tx)
            try await IdentityLink(
                userID: try user.requireID(), provider: provider.name, subject: assertion.subject,
                claimed: assertion.municipality(for: provider)
            ).create(on: tx)
            var who = AuditActor(request)
            who.userID = user.id
            who.name = "\(user.name) <\(user.email)>"
            try await Audit.record(
                "account:created_by_provider", subject: "user", id: try user.requireID().uuidString,
                summary: provider.name, by: who, on: tx)
        }
        return (user, true)
    }

    private func link(
        _ assertion: IdentityAssertion, of provider: OpenIDProvider, to userID: UUID, request: Request
    ) async throws -> Response {
        let label = provider.label(in: request.language)
        // The flow was started by this account in this session; anything else is not linked.
        guard let user = request.currentUser, user.id == userID else {
            return try await signInPage(
                request, error: SamradError(.invalidInput, "signin.oidc_expired", [label]), status: .badRequest)
        }
        let existing = try await IdentityLink.query(on: request.db).filter(\.$provider == provider.name)
            .filter(\.$subject == assertion.subject).first()
        if let existing {
            let notice = existing.userID == userID ? "profile.provider_linked" : "profile.provider_linked_elsewhere"
            return request.redirect(to: "/profile", notice: notice, [label])
        }
        try await request.db.transaction { tx in
            try await IdentityLink.query(on: tx).filter(\.$userID == userID).filter(\.$provider == provider.name)
                .delete()
            try await IdentityLink(
                userID: userID, provider: provider.name, subject: assertion.subject,
                claimed: assertion.municipality(for: provider)
            ).create(on: tx)
            try await Audit.record(
                "account:provider_linked", subject: "user", id: userID.uuidString, summary: provider.name,
                by: request, on: tx)
        }
        return request.redirect(to: "/profile", notice: "profile.provider_linked", [label])
    }

    /// POST /profile/sign-in-providers/:provider/unlink: only while another way to sign in remains.
    func unlinkOpenID(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let provider = try provider(request)
        let userID = try user.requireID()
        let links = try await IdentityLink.query(on: request.db).filter(\.$userID == userID).all()
        // Not linked (any more, e.g. from another tab): nothing to do.
        guard links.contains(where: { $0.provider == provider.name }) else { return request.redirect(to: "/profile") }
        guard user.passwordHash != nil || links.count > 1 else {
            return request.redirect(to: "/profile", notice: "profile.provider_last_way")
        }
        try await IdentityLink.query(on: request.db).filter(\.$userID == userID)
            .filter(\.$provider == provider.name).delete()
        try await Audit.record(
            "account:provider_unlinked", subject: "user", id: userID.uuidString, summary: provider.name,
            by: request, on: request.db)
        return request.redirect(
            to: "/profile", notice: "profile.provider_unlinked", [provider.label(in: request.language)])
    }

    /// The sign-in page: the password form where it is offered and a button per provider.
    func signInPage(
        _ request: Request, values: [String: String] = [:], error: SamradError? = nil,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let settings = request.application.settings
        var values = values
        values["next"] = values["next"] ?? Self.safeNext(request.query[String.self, at: "next"])
        let form = error.map { FormState(values: values, error: $0, request: request) } ?? FormState(values: values)
        let next = values["next"] ?? "/"
        let providers = settings.openIDProviders.map { provider in
            SignInContext.Provider(
                label: provider.label(in: request.language),
                address: "/sign-in/oidc/\(provider.name)" + (next == "/" ? "" : "?next=" + (next.addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "")))
        }
        let context = SignInContext(
            page: PageContext(request, titleKey: "signin.title"), form: form, action: "/sign-in", providers: providers,
            administratorsOnly: settings.passwordSignIn == .administrators && !providers.isEmpty)
        return try await request.view.render("accounts/sign-in", context).encodeResponse(status: status, for: request)
    }

    struct SignInContext: Encodable {
        struct Provider: Encodable { var label: String; var address: String }
        var page: PageContext
        var form: FormState
        var action: String
        var providers: [Provider]
        /// The password form is there for administrators only.
        var administratorsOnly: Bool
    }
}
