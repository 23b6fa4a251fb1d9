import Fluent
import SQLKit

/// Sessions with an end kept by the server (`SessionStore`): when made and when last seen. The
/// sessions of Fluent's table end with this change (people sign in again).
struct M017Sessions: AsyncMigration {
    var name: String { "M017Sessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("web_sessions")
            .field("key", .string, .identifier(auto: false))
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        let sql = database.sql
        try await sql.create(index: "web_sessions_last_seen").on("web_sessions").column("last_seen_at").run()
        try await sql.raw("DELETE FROM _fluent_sessions").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("web_sessions").delete()
    }
}
