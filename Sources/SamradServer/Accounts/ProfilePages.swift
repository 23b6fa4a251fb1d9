import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: profile and tokens.
extension AccountPages {
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
        var passwordForm: FormState
        var hasPassword: Bool
        var sessions: [SessionRow]
        var twoFactor: TwoFactorContext
        var providers: [ProviderRow]
        /// Coordinators and administrators decide on requests for access.
        var decidesAccess: Bool
    }

    /// An identity provider of the installation, linked to this account or not.
    struct ProviderRow: Encodable {
        var label: String
        var linked: String?
        var action: String
    }

    func profileContext(
        _ request: Request, user: User, form: FormState? = nil, newToken: String? = nil,
        passwordForm: FormState? = nil
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
                },
            passwordForm: passwordForm ?? FormState(values: [:]), hasPassword: user.passwordHash != nil,
            sessions: try await sessionRows(request, user: user),
            twoFactor: try await twoFactorContext(request, user: user),
            providers: try await providerRows(request, user: user),
            decidesAccess: request.actor.isAdministrator
                || request.actor.grants.contains { $0.kind == .coordinator || $0.kind == .organiser })
    }

    func providerRows(_ request: Request, user: User) async throws -> [ProviderRow] {
        let providers = request.application.settings.openIDProviders
        guard !providers.isEmpty else { return [] }
        let links = try await IdentityLink.query(on: request.db).filter(\.$userID == user.requireID()).all()
        return providers.map { provider in
            let link = links.first { $0.provider == provider.name }
            return ProviderRow(
                label: provider.label(in: request.language),
                linked: link.map { Self.date($0.createdAt, request) },
                action: "/profile/sign-in-providers/\(provider.name)/" + (link == nil ? "link" : "unlink"))
        }
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
}
