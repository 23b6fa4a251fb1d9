import SamradCore
import Vapor

/// Headers every answer carries: no framing, no sniffing, a strict content policy (no external
/// sources; Samrad ships everything it uses), and HSTS when served over HTTPS.
struct SecurityHeaders: AsyncMiddleware {
    let secure: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.add(name: name, value: value)
        }
        if secure { response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
        return response
    }
}

/// Cross-site request forgery protection for forms, by double submit: a random token in a
/// SameSite=Strict cookie must come back in the form's `_csrf` field. The cookie is issued only when
/// a page with a form asks for the token, so the API and plain pages set no cookie. API calls with a
/// bearer token carry no cookie and need no token; API calls with a session must send X-CSRF-Token.
struct CSRFGuard: AsyncMiddleware {
    static let cookieName = "samrad_csrf"
    static let fieldName = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let existing = request.cookies[Self.cookieName].map(\.string).flatMap { $0.count >= 32 ? $0 : nil }
        let token = CSRFToken(existing: existing)
        request.storage[CSRFToken.Key.self] = token

        // An API call without a session has no ambient authority to forge; it is judged by its token.
        // One-click unsubscribing (RFC 8058) is posted by mail programs; the link's secret is its authority.
        let exempt = request.isTokenAuthenticated || (request.url.path.hasPrefix("/api/") && !request.hasSession)
            || request.url.path.hasPrefix("/newsletters/unsubscribe/")
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), !exempt {
            var sent = request.headers.first(name: "X-CSRF-Token")
            let type = request.headers.contentType
            if sent == nil, type == .formData, request.uploadRule != nil {
                // A file's body is read only after its route's gate has decided who is asking;
                // the form's token is checked there (`checkDeferred`).
                request.storage[Deferred.self] = existing ?? ""
            } else {
                if sent == nil, let type, type == .urlEncodedForm || type == .formData {
                    // Never more than the default limit before the handler knows who is asking.
                    _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
                    sent = try? request.content.get(String.self, at: Self.fieldName)
                }
                guard let existing, let sent, !sent.isEmpty, Self.constantTimeEqual(existing, sent) else {
                    throw SamradError(.forbidden, "error.csrf")
                }
            }
        }

        let response = try await next.respond(to: request)
        if let issued = token.issued {
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: issued, expires: nil, maxAge: nil, domain: nil, path: "/",
                isSecure: request.settings.publicBaseURL.hasPrefix("https://"), isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }

    private struct Deferred: StorageKey { typealias Value = String }

    /// The token of an upload's form, once its body has been read.
    static func checkDeferred(_ request: Request) throws {
        guard let expected = request.storage[Deferred.self] else { return }
        let sent = try? request.content.get(String.self, at: fieldName)
        guard !expected.isEmpty, let sent, !sent.isEmpty, constantTimeEqual(expected, sent) else {
            throw SamradError(.forbidden, "error.csrf")
        }
        request.storage[Deferred.self] = nil
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The request's CSRF token: the cookie's, or a new one made when a form first needs it.
final class CSRFToken: @unchecked Sendable {
    struct Key: StorageKey { typealias Value = CSRFToken }
    private let existing: String?
    private(set) var issued: String?

    init(existing: String?) { self.existing = existing }

    var value: String {
        if let existing { return existing }
        if let issued { return issued }
        let made = Secret.make()
        issued = made
        return made
    }
}

extension Request {
    var csrfToken: String { storage[CSRFToken.Key.self]?.value ?? "" }
}

/// Refuses bodies over the limit with 413 before any handler reads them: by Content-Length when it
/// is given, and by size when the body arrived whole. An upload route has its own limit (its
/// `UploadRule`); every other request the default.
struct BodySizeLimit: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let rule = request.uploadRule
        let limit = rule?.maxBytes ?? request.application.routes.defaultMaxBodySize.value
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit {
            if let rule { throw SamradError(.payloadTooLarge, rule.tooLargeKey, rule.tooLargeArguments) }
            throw Abort(.payloadTooLarge)
        }
        if let body = request.body.data, body.readableBytes > limit {
            throw Abort(.payloadTooLarge)
        }
        return try await next.respond(to: request)
    }
}

/// Serves the files under Public/ (stylesheets). Only their own paths reach the disk: asking the file
/// system for every API path would cost a file open per request.
struct StaticFiles: AsyncMiddleware {
    static let prefixes = ["/css/", "/js/"]
    let files: FileMiddleware

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.prefixes.contains(where: { request.url.path.hasPrefix($0) }) {
            return try await files.respond(to: request, chainingTo: next)
        }
        return try await next.respond(to: request)
    }
}
