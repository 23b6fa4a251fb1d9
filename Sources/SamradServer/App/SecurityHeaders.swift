import Foundation
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
            (
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors "
                    + "'none'; form-action 'self'; base-uri 'none'"
            ),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.add(name: name, value: value)
        }
        if secure { response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
        return response
    }
}

/// Cross-site request forgery protection for forms: a random token must come back in the form's
/// `_csrf` field (or the X-CSRF-Token header of an API call with a session). A session keeps its own
/// token, made anew at sign-in and when an invitation link opens one, and the form must send that:
/// a cookie set by another host of the same site cannot stand in for it. Without a session the
/// token is a double submit of a SameSite=Strict cookie, issued with the first page a visitor opens.
/// Bearer-token API calls carry no cookie and need no token. Over https the cookie is
/// `__Host-` prefixed, so only this host can set it.
struct CSRFGuard: AsyncMiddleware {
    static let fieldName = "_csrf"
    static let sessionKey = "csrf"

    static func cookieName(_ request: Request) -> String {
        request.settings.publicBaseURL.hasPrefix("https://") ? "__Host-samrad_csrf" : "samrad_csrf"
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cookie = request.cookies[Self.cookieName(request)].map(\.string).flatMap { $0.count >= 32 ? $0 : nil }
        let bound = request.hasSession ? request.session.data[Self.sessionKey] : nil
        let existing = bound ?? cookie
        let token = CSRFToken(existing: existing)
        request.storage[CSRFToken.Key.self] = token

        // An API call without a session has no ambient authority to forge; it is judged by its token.
        // One-click unsubscribing (RFC 8058) is posted by mail programs; the link's secret is its authority.
        let exempt =
            request.isTokenAuthenticated || (request.url.path.hasPrefix("/api/") && !request.hasSession)
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
                guard let existing, let sent, !sent.isEmpty, Secret.equal(sent, existing) else {
                    throw SamradError(.forbidden, "error.csrf")
                }
            }
        }

        let response = try await next.respond(to: request)
        Self.finish(response, request)
        return response
    }

    /// Puts the asker's token where the page has the placeholder (issuing one to a visitor who has
    /// none yet), and sets the cookie for a token issued or renewed.
    static func finish(_ response: Response, _ request: Request) {
        let cookie = request.cookies[cookieName(request)].map(\.string).flatMap { $0.count >= 32 ? $0 : nil }
        let bound = request.hasSession ? request.session.data[sessionKey] : nil
        let token = request.storage[CSRFToken.Key.self] ?? CSRFToken(existing: bound ?? cookie)
        CSRFToken.fill(response, with: token)
        if let issued = token.issued ?? (bound != nil && bound != cookie ? bound : nil) {
            response.cookies[cookieName(request)] = HTTPCookies.Value(
                string: issued, expires: nil, maxAge: nil, domain: nil, path: "/",
                isSecure: request.settings.publicBaseURL.hasPrefix("https://"), isHTTPOnly: true, sameSite: .strict)
        }
    }

    private struct Deferred: StorageKey { typealias Value = String }

    /// The token of an upload's form, once its body has been read.
    static func checkDeferred(_ request: Request) throws {
        guard let expected = request.storage[Deferred.self] else { return }
        let sent = try? request.content.get(String.self, at: fieldName)
        guard !expected.isEmpty, let sent, !sent.isEmpty, Secret.equal(sent, expected) else {
            throw SamradError(.forbidden, "error.csrf")
        }
        request.storage[Deferred.self] = nil
    }
}

/// The request's CSRF token: the session's, the cookie's, or a new one made when a form first
/// needs it.
final class CSRFToken: @unchecked Sendable {
    struct Key: StorageKey { typealias Value = CSRFToken }
    private var existing: String?
    private(set) var issued: String?

    init(existing: String?) { self.existing = existing }

    /// What pages render where the form's token goes. `CSRFGuard.finish` writes the asker's own
    /// token over it on the way out, so a page kept for the next visitor never holds anyone's
    /// token. Made like a token, so the two have the same length.
    static let placeholder = Secret.make()

    /// The token over every placeholder of an HTML answer, in place.
    static func fill(_ response: Response, with token: CSRFToken) {
        guard response.headers.contentType?.type == "text", response.headers.contentType?.subType == "html",
            var body = response.body.buffer
        else { return }
        // Every page gives a visitor a token, as any of them may lead to a form.
        let value = token.value
        let offsets = body.withUnsafeReadableBytes { Self.offsets(of: placeholderBytes, in: $0) }
        guard !offsets.isEmpty else { return }
        for offset in offsets { body.setString(value, at: body.readerIndex + offset) }
        response.body = .init(buffer: body)
    }

    private static let placeholderBytes = Array(placeholder.utf8)

    /// Where `needle` starts in `bytes`: memchr for its first byte, memcmp for the rest (Glibc's
    /// memmem is not exported to Swift).
    static func offsets(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> [Int] {
        var found: [Int] = []
        guard let base = bytes.baseAddress, let first = needle.first else { return found }
        var start = 0
        while bytes.count - start >= needle.count,
            let hit = memchr(base + start, Int32(first), bytes.count - start - needle.count + 1)
        {
            let offset = UnsafeRawPointer(hit) - base
            if needle.withUnsafeBytes({ memcmp(hit, $0.baseAddress!, needle.count) }) == 0 {
                found.append(offset)
                start = offset + needle.count
            } else {
                start = offset + 1
            }
        }
        return found
    }

    var value: String {
        if let existing { return existing }
        if let issued { return issued }
        let made = Secret.make()
        issued = made
        return made
    }

    /// A new token kept in the session (at sign-in, or when a link gives the session a right), so
    /// whatever token the browser had before, planted or not, no longer counts.
    static func renew(for request: Request) {
        let made = Secret.make()
        request.session.data[CSRFGuard.sessionKey] = made
        guard let token = request.storage[Key.self] else { return }
        token.existing = nil
        token.issued = made
    }
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
