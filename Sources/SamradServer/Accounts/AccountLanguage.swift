import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: language and the API's "me".
extension AccountPages {
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
