import Fluent
import SQLKit

struct M005Audit: AsyncMigration {
    var name: String { "M005Audit" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_user_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("summary", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_entries_at").on("audit_entries").column("at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").delete()
    }
}
