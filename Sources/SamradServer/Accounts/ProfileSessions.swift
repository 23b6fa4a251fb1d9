import Fluent
import Foundation
import SamradCore
import Vapor

/// AccountPages: the profile's password and the person's sessions. Changing the password ends every other
/// session (whoever knew the old one is signed out); the list shows where the person is signed in, and any
/// of those sessions, or all but this one, can be ended.
extension AccountPages {
    struct SessionRow: Encodable {
        var started: String
        var lastSeen: String
        var browser: String
        var isThis: Bool
        var endAction: String
    }

    func sessionRows(_ request: Request, user: User) async throws -> [SessionRow] {
        let this = request.sessionKey
        return try await SessionStore.sessions(
            of: user.requireID(), request.application.settings.sessions, on: request.db
        )
        .map { key, summary in
            SessionRow(
                started: request.dateTimeText(summary.createdAt) ?? "",
                lastSeen: request.dateTimeText(summary.lastSeenAt) ?? "",
                browser: Self.browserName(summary.browser) ?? request.t("sessions.unknown_browser"),
                isThis: key == this, endAction: "/profile/sessions/\(summary.name)/end")
        }
    }

    /// A short name for a User-Agent ("Firefox on Windows"), enough for a person to know their own devices.
    static func browserName(_ agent: String?) -> String? {
        guard let agent, !agent.isEmpty else { return nil }
        let browsers = [
            ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"),
        ]
        let systems = [
            ("Windows", "Windows"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
        ]
        let browser = browsers.first { agent.contains($0.0) }?.1
        let system = systems.first { agent.contains($0.0) }?.1
        switch (browser, system) {
        case let (b?, s?): return "\(b) · \(s)"
        case let (b?, nil): return b
        case let (nil, s?): return s
        default: return String(agent.prefix(60))
        }
    }

    struct PasswordChange: Content {
        var current_password: String?
        var new_password: String?
    }

    func changePassword(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let input = try request.content.decode(PasswordChange.self)
        var v = Validation()
        let verified = try await request.password.async.verify(
            input.current_password ?? "", created: user.passwordHash ?? request.application.timingHash)
        if user.passwordHash == nil || !verified { v.add("current_password", "password.current_wrong") }
        let password = v.password("new_password", input.new_password)
        do { try v.check() } catch let error as SamradError {
            let form = FormState(values: [:], error: error, request: request)
            return try await request.renderForm(
                "accounts/profile", profileContext(request, user: user, passwordForm: form))
        }
        user.passwordHash = try await request.password.async.hash(password)
        let ended = try await request.db.transaction { db in
            try await user.save(on: db)
            let ended = try await SessionStore.end(
                sessionsOf: user.requireID(), keeping: request.sessionKey, on: db)
            try await Audit.record(
                "account:password_change", subject: "user", id: user.requireID().uuidString,
                summary: "\(ended) other sessions ended", by: request, on: db)
            return ended
        }
        return request.redirect(to: "/profile", notice: "password.changed", [String(ended)])
    }

    /// "Sign out everywhere else": every session of the person but this one ends.
    func endOtherSessions(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let ended = try await request.db.transaction { db in
            let ended = try await SessionStore.end(
                sessionsOf: user.requireID(), keeping: request.sessionKey, on: db)
            try await Audit.record(
                "account:sessions_end", subject: "user", id: user.requireID().uuidString,
                summary: "\(ended) other sessions ended", by: request, on: db)
            return ended
        }
        return request.redirect(to: "/profile#sessions-heading", notice: "sessions.ended_others", [String(ended)])
    }

    /// Ends one of the person's own sessions (another person's is not found); this one signs out.
    func endSession(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let name = request.parameters.get("session") ?? ""
        let isThis = request.sessionKey.map(SessionStore.publicName(ofKey:)) == name
        guard try await SessionStore.end(named: name, of: user.requireID(), on: request.db) else {
            throw SamradError.notFound()
        }
        try await Audit.record(
            "account:session_end", subject: "user", id: user.requireID().uuidString, summary: name, by: request,
            on: request.db)
        if isThis {
            request.session.destroy()
            return request.redirect(to: "/sign-in")
        }
        return request.redirect(to: "/profile#sessions-heading", notice: "sessions.ended_one")
    }
}
