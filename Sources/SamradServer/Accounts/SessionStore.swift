import Fluent
import Foundation
import SQLKit
import Vapor

/// Sessions in the database with an end the server keeps: a session lasts at most 14 days from
/// sign-in and ends after 24 hours without a request, whatever the cookie says. A cookie that names
/// no session makes no row (Vapor would store an empty one for every such request); a session is
/// written when its data changes, and its "last seen" at most every five minutes, not on every
/// request. `purge` removes what has ended (a scheduled job).
struct SessionStore: SessionDriver {
    static let lifetime: TimeInterval = 14 * 24 * 3600
    static let idleTimeout: TimeInterval = 24 * 3600
    static let touchInterval: TimeInterval = 5 * 60

    /// What a request's session looked like when read, to write only what changed.
    private struct Read: StorageKey { typealias Value = (data: SessionData, lastSeen: Date) }

    private struct Row: Decodable { var data: String; var created_at: Date; var last_seen_at: Date }

    static func isLive(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(createdAt) < lifetime && now.timeIntervalSince(lastSeenAt) < idleTimeout
    }

    func readSession(_ id: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let sql = request.db.sql
            guard
                let row = try await sql.raw(
                    """
                    SELECT data, created_at, last_seen_at FROM web_sessions WHERE key = \(bind: id.string)
                    """
                ).first(decoding: Row.self)
            else { return nil }
            let now = Date()
            guard Self.isLive(createdAt: row.created_at, lastSeenAt: row.last_seen_at, now: now) else {
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
                INSERT INTO web_sessions (key, data, created_at, last_seen_at)
                VALUES (\(bind: id.string), \(bind: try Self.text(data)), \(bind: now), \(bind: now))
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
                UPDATE web_sessions SET data = \(bind: try Self.text(data)), last_seen_at = \(bind: now)
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
    static func purge(now: Date = Date(), on db: any Database) async throws -> Int {
        struct Count: Decodable { var n: Int }
        let sql = db.sql
        let created = now.addingTimeInterval(-lifetime), seen = now.addingTimeInterval(-idleTimeout)
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
}
