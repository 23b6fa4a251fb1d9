import Vapor

/// Logs each request's method and path, like Vapor's route logger, but with the secrets that
/// travel in paths left out: the links in e-mails (set-up, password reset, invitations,
/// questionnaire answers, unsubscribing) and calendar feeds are their own authority, and a log
/// is read by more people than the mail was.
struct RequestLog: AsyncMiddleware {
    /// The path prefixes whose next segment is a secret.
    static let secretAfter = ["/setup/", "/password/reset/", "/invitations/", "/answer/", "/newsletters/unsubscribe/", "/calendar/",
                              "/registration-links/"]

    static func redacted(_ path: String) -> String {
        for prefix in secretAfter where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            let secretEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            return prefix + "…" + rest[secretEnd...]
        }
        return path
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.logger.info("\(request.method) \(Self.redacted(request.url.path))")
        return try await next.respond(to: request)
    }
}
