import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Sessions in the database with an end the server keeps (the installation's `SessionTerms`: by default at
/// most 14 days from sign-in and 24 hours without a request), whatever the cookie says. A cookie that names
/// no session makes no row (Vapor would store an empty one for every such request); a session is
/// written when its data changes, and its "last seen" at most every five minutes, not on every
/// request. Each row knows whose it is, so a person's other sessions can be listed and ended.
/// `purge` removes what has ended (a scheduled job).
struct SessionStore: SessionDriver {
    static let touchInterval: TimeInterval = 5 * 60

    /// What a request's session looked like when read, to write only what changed.
    private struct Read: StorageKey { typealias Value = (data: SessionData, lastSeen: Date) }

    private struct Row: Decodable { var data: String; var created_at: Date; var last_seen_at: Date }
    /// Read on every request with a session cookie, so prepared once per connection.
    private struct Lookup: PreparedRead {
        static let sql = "SELECT data, created_at, last_seen_at FROM web_sessions WHERE key = $1"
        var key: String
        var values: [String] { [key] }
    }

    /// The account a session is signed in to, from its data.
    private static func owner(_ data: SessionData) -> UUID? { data["user"].flatMap(UUID.init(uuidString:)) }

    /// What the profile shows of the browser: its User-Agent, shortened.
    private static func browser(_ request: Request) -> String? {
        request.headers.first(name: .userAgent).map { String($0.prefix(200)) }
    }

    func readSession(_ id: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let sql = request.db.sql
            guard let row = try await request.db.rows(Lookup(key: id.string)).first?.decode(model: Row.self)
            else { return nil }
            let now = Date()
            let terms = request.application.settings.sessions
            guard terms.isLive(createdAt: row.created_at, lastSeenAt: row.last_seen_at, now: now) else {
                try await sql.raw("DELETE FROM web_sessions WHERE key = \(bind: id.string)").run()
                return nil
            }
            let data = (try? JSONDecoder().decode(SessionData.self, from: Data(row.data.utf8))) ?? SessionData()
            request.storage[Read.self] = (data, row.last_seen_at)
            return data
        }
    }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask {
            let id = SessionID(string: Secret.make())
            // An empty session (a cookie that named none) is not stored; its cookie names nothing.
            guard !data.snapshot.isEmpty else { return id }
            let now = Date()
            try await request.db.sql.raw(
                """
                INSERT INTO web_sessions (key, data, created_at, last_seen_at, user_id, user_agent)
                VALUES (\(bind: id.string), \(bind: try Self.text(data)), \(bind: now), \(bind: now),
                    \(bind: Self.owner(data)), \(bind: Self.browser(request)))
                """
            ).run()
            return id
        }
    }

    func updateSession(_ id: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask {
            let now = Date()
            let read = request.storage[Read.self]
            if let read, read.data == data, now.timeIntervalSince(read.lastSeen) < Self.touchInterval { return id }
            try await request.db.sql.raw(
                """
                UPDATE web_sessions SET data = \(bind: try Self.text(data)), last_seen_at = \(bind: now),
                    user_id = \(bind: Self.owner(data))
                WHERE key = \(bind: id.string)
                """
            ).run()
            return id
        }
    }

    func deleteSession(_ id: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.eventLoop.makeFutureWithTask {
            let sql = request.db.sql
            try await sql.raw("DELETE FROM web_sessions WHERE key = \(bind: id.string)").run()
        }
    }

    private static func text(_ data: SessionData) throws -> String {
        String(decoding: try JSONEncoder().encode(data), as: UTF8.self)
    }

    /// Removes the sessions that have ended; returns how many.
    @discardableResult
    static func purge(_ terms: SessionTerms, now: Date = Date(), on db: any Database) async throws -> Int {
        struct Count: Decodable { var n: Int }
        let sql = db.sql
        let created = now.addingTimeInterval(-terms.lifetime), seen = now.addingTimeInterval(-terms.idleTimeout)
        let ended =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM web_sessions WHERE created_at < \(bind: created) OR last_seen_at <
                    \(bind: seen)
                """
            ).first(decoding: Count.self)?.n ?? 0
        try await sql.raw(
            """
            DELETE FROM web_sessions WHERE created_at < \(bind: created) OR last_seen_at < \(bind: seen)
            """
        ).run()
        return ended
    }

    /// One of a person's live sessions, as the profile lists it.
    struct Summary: Sendable {
        /// A digest of the key: the key itself is the cookie's secret and never leaves the server.
        var name: String
        var createdAt: Date
        var lastSeenAt: Date
        var browser: String?
    }

    static func publicName(ofKey key: String) -> String { String(Secret.hash(key).prefix(20)) }

    /// The person's live sessions, the most recently used first.
    static func sessions(
        of userID: UUID, _ terms: SessionTerms, now: Date = Date(), on db: any Database
    ) async throws -> [(key: String, summary: Summary)] {
        struct Row: Decodable { var key: String; var created_at: Date; var last_seen_at: Date; var user_agent: String? }
        let rows = try await db.sql.raw(
            """
            SELECT key, created_at, last_seen_at, user_agent FROM web_sessions WHERE user_id = \(bind: userID)
            ORDER BY last_seen_at DESC
            """
        ).all(decoding: Row.self)
        return rows.filter { terms.isLive(createdAt: $0.created_at, lastSeenAt: $0.last_seen_at, now: now) }.map {
            (
                $0.key,
                Summary(
                    name: publicName(ofKey: $0.key), createdAt: $0.created_at, lastSeenAt: $0.last_seen_at,
                    browser: $0.user_agent)
            )
        }
    }

    /// Ends the person's sessions, all but `keeping` (the one asking, when it is theirs); returns how many ended.
    @discardableResult
    static func end(sessionsOf userID: UUID, keeping key: String? = nil, on db: any Database) async throws -> Int {
        struct Row: Decodable { var key: String }
        let keys = try await db.sql.raw("SELECT key FROM web_sessions WHERE user_id = \(bind: userID)")
            .all(decoding: Row.self).map(\.key).filter { $0 != key }
        for start in stride(from: 0, to: keys.count, by: 500) {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            try await db.sql.delete(from: "web_sessions").where("key", .in, chunk).run()
        }
        return keys.count
    }

    /// Ends one of the person's sessions by its public name; false when the person has no such session.
    static func end(named name: String, of userID: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var key: String }
        let keys = try await db.sql.raw("SELECT key FROM web_sessions WHERE user_id = \(bind: userID)")
            .all(decoding: Row.self).map(\.key)
        guard let key = keys.first(where: { publicName(ofKey: $0) == name }) else { return false }
        try await db.sql.raw("DELETE FROM web_sessions WHERE key = \(bind: key)").run()
        return true
    }
}

extension Request {
    /// The key of this request's browser session, if it has one (API requests with a token have none).
    var sessionKey: String? { hasSession ? session.id?.string : nil }
}
