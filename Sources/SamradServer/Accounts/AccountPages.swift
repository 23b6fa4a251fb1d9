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

    // MARK: First run

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

    // MARK: Sign-in

    func signInForm(_ request: Request) async throws -> Response {
        try await render(
            request, "accounts/sign-in", titleKey: "signin.title",
            form: FormState(values: ["next": Self.safeNext(request.query[String.self, at: "next"])]), action: "/sign-in"
        )
    }

    /// An account belongs to the person in the register with the same e-mail address (when exactly
    /// one has it): that is how "my meetings", registering oneself and calendar feeds know who it is.
    static func linkPerson(_ user: User, on db: any Database) async throws {
        guard user.personID == nil else { return }
        let people = try await Person.query(on: db).filter(\.$email == user.email).limit(2).all()
        guard people.count == 1 else { return }
        user.personID = people[0].id
        try await user.save(on: db)
    }

    /// Only local paths, so the sign-in form cannot send people to another site.
    static func safeNext(_ next: String?) -> String { LocalPath.checked(next) }

    struct Credentials: Content { var email: String?; var password: String?; var next: String? }

    func signIn(_ request: Request) async throws -> Response {
        let input = try request.content.decode(Credentials.self)
        let email = (input.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let address = request.clientAddress
        let since = Date().addingTimeInterval(-Self.throttle.window)
        let values = ["email": input.email ?? "", "next": Self.safeNext(input.next)]
        // The attempt is counted before the password is tried, so attempts made at once all count:
        // of a burst, no more than the limit get as far as bcrypt. A success clears the count.
        try await SignInFailure(email: email, address: address, at: Date()).create(on: request.db)
        let forAccount = try await SignInFailure.query(on: request.db).filter(\.$email == email).filter(\.$at > since)
            .count()
        let fromAddress = try await SignInFailure.query(on: request.db).filter(\.$address == address).filter(
            \.$at > since
        ).count()
        if Self.throttle.isLocked(failuresForAccount: forAccount - 1, failuresFromAddress: fromAddress - 1) {
            let error = SamradError(.tooManyRequests, "signin.locked", [String(Int(Self.throttle.window / 60))])
            return try await render(
                request, "accounts/sign-in", titleKey: "signin.title",
                form: FormState(values: values, error: error, request: request),
                action: "/sign-in", status: .tooManyRequests)
        }
        let user = try await User.query(on: request.db).filter(\.$email == email).first()
        // An address without an account takes as long as one with: the answer's time tells nothing.
        let hash = user.flatMap { $0.disabled ? nil : $0.passwordHash }
        let verified = try await request.password.async.verify(
            input.password ?? "",
            created: hash ?? request.application.timingHash)
        if let user, hash != nil, verified {
            try await SignInFailure.query(on: request.db).filter(\.$email == email).delete()
            try await Self.linkPerson(user, on: request.db)
            try await Self.startSession(for: user, request: request)
            return request.redirect(to: Self.safeNext(input.next))
        }
        let error = SamradError(.unauthenticated, "signin.failed")
        return try await render(
            request, "accounts/sign-in", titleKey: "signin.title",
            form: FormState(values: values, error: error, request: request),
            action: "/sign-in", status: .unauthorized)
    }

    func signOut(_ request: Request) async throws -> Response {
        if request.hasSession { request.session.destroy() }
        return request.redirect(to: "/")
    }

    // MARK: Password reset

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
            request.storage[CurrentUserKey.self] = user
            try await Audit.record(
                "account:password_reset", subject: "user", id: user.id!.uuidString, summary: user.email, by: request,
                on: db)
        }
        try await Self.startSession(for: user, request: request)
        return request.redirect(to: "/", notice: "reset.done")
    }

    // MARK: Invitations

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

    // MARK: Profile and tokens

    struct TokenRow: Encodable {
        var id: String; var name: String; var prefix: String; var created: String; var lastUsed: String?;
        var revokeAction: String
    }
    struct RoleRow: Encodable { var text: String }
    struct ProfileContext: Encodable {
        var page: PageContext
        var form: FormState
        var email: String
        var roles: [RoleRow]
        var tokens: [TokenRow]
        var newToken: String?
        var languages: [Option]
    }

    func profileContext(
        _ request: Request, user: User, form: FormState? = nil, newToken: String? = nil
    ) async throws -> ProfileContext {
        let tokens = try await AccessToken.query(on: request.db).filter(\.$userID == user.requireID()).filter(
            \.$revokedAt == nil
        ).sort(\.$createdAt).all()
        let values = form?.values ?? ["name": user.name, "language": user.language ?? ""]
        let organisations = try await AdminPages.organisationNames(of: request.actor.grants, on: request.db)
        return ProfileContext(
            page: PageContext(request, titleKey: "profile.title"), form: form ?? FormState(values: values),
            email: user.email,
            roles: request.actor.grants.map {
                RoleRow(text: AdminPages.describe($0, request: request, organisations: organisations))
            }.sorted { $0.text < $1.text },
            tokens: tokens.map {
                TokenRow(
                    id: $0.id!.uuidString, name: $0.name, prefix: $0.prefix, created: Self.date($0.createdAt, request),
                    lastUsed: $0.lastUsedAt.map { Self.date($0, request) },
                    revokeAction: "/profile/tokens/\($0.id!.uuidString)/revoke")
            },
            newToken: newToken,
            languages: [
                Option(
                    value: "", label: request.t("profile.language_browser"),
                    selected: (values["language"] ?? "").isEmpty)
            ]
                + Language.allCases.map {
                    Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
                })
    }

    static func date(_ date: Date?, _ request: Request) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = TimeZone(identifier: request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen")
        return formatter.string(from: date)
    }

    func profile(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        return try await request.view.render("accounts/profile", profileContext(request, user: user))
    }

    struct ProfileInput: Content { var name: String?; var language: String? }

    func updateProfile(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let input = try request.content.decode(ProfileInput.self)
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 120)
        var language: Language? = nil
        if let text = input.language, !text.isEmpty {
            language = Language(rawValue: text)
            if language == nil { v.add("language", "validation.choice") }
        }
        do { try v.check() } catch let error as SamradError {
            let form = FormState(
                values: ["name": input.name ?? "", "language": input.language ?? ""], error: error, request: request)
            return try await request.renderForm("accounts/profile", profileContext(request, user: user, form: form))
        }
        user.name = name
        user.language = language?.rawValue
        try await request.db.transaction { db in
            try await user.save(on: db)
            try await Audit.record(
                "account:profile", subject: "user", id: user.id!.uuidString, summary: "name, language", by: request,
                on: db)
        }
        request.setNotice("profile.saved")
        let response = request.redirect(to: "/profile")
        // The picker's cookie would override the new setting; the setting now decides.
        response.cookies[LanguageResolver.cookieName] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
        return response
    }

    struct TokenInput: Content { var name: String? }

    func createToken(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let input = try request.content.decode(TokenInput.self)
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 80)
        do { try v.check() } catch let error as SamradError {
            let form = FormState(
                values: ["name": user.name, "token_name": input.name ?? "", "language": user.language ?? ""],
                error: error, request: request)
            return try await request.renderForm("accounts/profile", profileContext(request, user: user, form: form))
        }
        let secret = "smr_" + Secret.make()
        let token = AccessToken(
            userID: try user.requireID(), name: name, tokenHash: Secret.hash(secret), prefix: String(secret.prefix(10)))
        try await request.db.transaction { db in
            try await token.create(on: db)
            try await Audit.record(
                "token:create", subject: "access_token", id: token.id!.uuidString, summary: name, by: request, on: db)
        }
        // The secret is shown once, on this answer only.
        return try await request.view.render("accounts/profile", profileContext(request, user: user, newToken: secret))
            .encodeResponse(status: .created, for: request)
    }

    func revokeToken(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard let id = request.parameterID("id"),
            let token = try await AccessToken.find(id, on: request.db), token.userID == user.id
        else {
            throw SamradError.notFound()
        }
        token.revokedAt = Date()
        try await request.db.transaction { db in
            try await token.save(on: db)
            try await Audit.record(
                "token:revoke", subject: "access_token", id: id.uuidString, summary: token.name, by: request, on: db)
        }
        return request.redirect(to: "/profile", notice: "profile.token_revoked")
    }

    // MARK: Language and the API's "me"

    func pickLanguage(_ request: Request) async throws -> Response {
        guard let language = request.parameters.get("code").flatMap(Language.init(rawValue:)) else {
            throw SamradError.notFound()
        }
        let back = Self.safeNext(request.query[String.self, at: "return"])
        let response = request.redirect(to: back)
        response.cookies[LanguageResolver.cookieName] = HTTPCookies.Value(
            string: language.rawValue, expires: Date().addingTimeInterval(365 * 24 * 3600), path: "/", isHTTPOnly: true,
            sameSite: .lax)
        // The picker changes this browser only; the account's language (e-mails, other devices) is
        // changed on the profile, so a switch on the phone does not turn the desktop Swedish.
        return response
    }

    struct MeJSON: Content {
        struct Grant: Content { var kind: String; var organisationID: UUID?; var municipality: String? }
        var id: UUID
        var name: String
        var email: String
        var language: String?
        var roles: [Grant]
    }

    func me(_ request: Request) async throws -> MeJSON {
        let user = try request.requireSignedIn()
        return MeJSON(
            id: try user.requireID(), name: user.name, email: user.email, language: user.language,
            roles: request.actor.grants.map {
                MeJSON.Grant(
                    kind: $0.kind.rawValue, organisationID: $0.organisationID,
                    municipality: $0.municipality?.description)
            })
    }
}
