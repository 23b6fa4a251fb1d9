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
            if sent == nil, let type = request.headers.contentType,
               type == .urlEncodedForm || type == .formData {
                _ = try await request.body.collect(max: BodySizeLimit.limit(for: request)).get()
                sent = try? request.content.get(String.self, at: Self.fieldName)
            }
            guard let existing, let sent, !sent.isEmpty, constantTimeEqual(existing, sent) else {
                throw SamradError(.forbidden, "error.csrf")
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

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
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
/// is given, and by size when the body arrived whole.
struct BodySizeLimit: AsyncMiddleware {
    /// Uploads of meeting materials may be larger than other requests (the file plus its form).
    static let uploadLimit = MaterialRules.maxBytes + 1_000_000

    static func isUpload(_ path: String) -> Bool {
        path.hasSuffix("/materials") && (path.hasPrefix("/meetings/") || path.hasPrefix("/api/v1/meetings/"))
    }

    static func isImport(_ request: Request) -> Bool {
        request.method == .POST && request.url.path == "/indicators/imports"
    }

    /// The largest body a request may send: material uploads and indicator imports more.
    static func limit(for request: Request) -> Int {
        if isImport(request) { return ImportPages.maxFileBytes + 1_000_000 }
        if isUpload(request.url.path) { return uploadLimit }
        return request.application.routes.defaultMaxBodySize.value
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let upload = request.method == .POST && Self.isUpload(request.url.path)
        let importing = Self.isImport(request)
        let limit = Self.limit(for: request)
        if importing, let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit {
            throw SamradError(.payloadTooLarge, "imports.error.too_large", [String(ImportPages.maxFileBytes / 1_000_000)])
        }
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit {
            if upload { throw SamradError(.payloadTooLarge, "materials.error.too_large", [String(MaterialRules.maxBytes / 1_000_000)]) }
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
