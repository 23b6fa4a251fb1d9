import Foundation
import Fluent
import SQLKit

/// Calendar feed addresses kept as their SHA-256 (the addresses already given out keep working:
/// their secrets are hashed in place), and a cluster's addresses per account.
struct M018CalendarFeeds: AsyncMigration {
    var name: String { "M018CalendarFeeds" }

    func prepare(on database: any Database) async throws {
        try await database.schema("calendar_feeds").field("user_id", .uuid).update()
        let sql = database.sql
        struct Row: Decodable { var id: UUID; var token: String }
        for row in try await sql.raw("SELECT id, token FROM calendar_feeds").all(decoding: Row.self) {
            try await sql.raw(
                "UPDATE calendar_feeds SET token = \(bind: Secret.hash(row.token)) WHERE id = \(bind: row.id)"
            ).run()
        }
        // Shared cluster addresses had no owner: they end (each member makes their own).
        try await sql.raw("DELETE FROM calendar_feeds WHERE cluster_id IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("calendar_feeds").deleteField("user_id").update()
    }
}
