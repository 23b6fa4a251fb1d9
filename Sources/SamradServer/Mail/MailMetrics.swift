import Fluent
import SQLKit
import Vapor

extension MailFeature {
    /// The outbox's backlog: messages waiting by their state, and how long the oldest has waited.
    func report(into metrics: ServiceMetrics, app: Application) async throws {
        let rows = try await app.db.sql.raw("""
            SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_messages
            WHERE status IN ('pending', 'failed') GROUP BY status
            """).all()
        var counts = ["pending": 0.0, "failed": 0.0]
        var oldestPending: Date?
        for row in rows {
            let status = try row.decode(column: "status", as: String.self)
            counts[status] = Double(try row.decode(column: "n", as: Int.self))
            if status == "pending" { oldestPending = try row.decode(column: "oldest", as: Date?.self) }
        }
        for (status, count) in counts { metrics.set("samrad_outbox_messages", count, [("status", status)]) }
        metrics.set(
            "samrad_outbox_oldest_pending_seconds", oldestPending.map { max(0, -$0.timeIntervalSinceNow) } ?? 0)
    }
}
