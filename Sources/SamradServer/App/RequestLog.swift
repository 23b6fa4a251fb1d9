import Vapor

/// Logs each request's method and path, like Vapor's route logger, but with the secrets that
/// travel in paths left out: the links in e-mails (set-up, password reset, invitations,
/// questionnaire answers, unsubscribing) and calendar feeds are their own authority, and a log
/// is read by more people than the mail was. A survey's one-time link and a class code are left
/// out too: a log line with the link's key and its time, set beside the order answers were stored
/// in, would tie an anonymous answer to the one it was sent to.
struct RequestLog: AsyncMiddleware {
    /// The path prefixes whose next segment is a secret.
    static let secretAfter = [
        "/setup/", "/password/reset/", "/invitations/", "/answer/", "/newsletters/unsubscribe/",
        "/calendar/", "/registration-links/", "/meeting-links/", "/survey/", "/class/",
    ]

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

/// Wraps the console log handler so that no log line carries a database query's values: at debug
/// level Fluent logs every query with its binds (password hashes, token hashes, e-mail addresses).
/// The query's shape stays; its values are left out, whatever the level. (The SQL drivers' own
/// query log is off on SQLite and at trace level on PostgreSQL.)
struct QueryValuesLeftOut: LogHandler {
    var inner: any LogHandler

    static let queryMessages: Set<String> = ["Running query"]

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if Self.queryMessages.contains(event.message.description) {
            event.metadata = event.metadata.map { $0.mapValues { _ in "(values left out)" } }
        }
        inner.log(event: event)
    }
}
