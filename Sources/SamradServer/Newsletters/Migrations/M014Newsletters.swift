import Fluent
import SQLKit

struct M014Newsletters: AsyncMigration {
    var name: String { "M014Newsletters" }

    func prepare(on database: any Database) async throws {
        try await database.schema("newsletters")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("language", .string, .required)
            .field("audience", .json, .required)
            .field("archive", .string, .required)
            .field("status", .string, .required)
            .field("send_at", .datetime)
            .field("claimed_until", .datetime)
            .field("sent_at", .datetime)
            .field("recipient_count", .int, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("newsletter_deliveries")
            .id()
            .field("newsletter_id", .uuid, .required, .references("newsletters", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("person_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "newsletter_id", "email")
            .unique(on: "token_hash")
            .create()
        try await database.schema("newsletter_unsubscriptions")
            .id()
            .field("email", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "email", "collaboration_id")
            .create()
        // One column a statement: SQLite adds one per ALTER TABLE.
        try await database.schema("outbox_messages").field("html_body", .string).update()
        try await database.schema("outbox_messages").field("extra_headers", .string).update()
        let sql = database.sql
        try await sql.raw("CREATE INDEX newsletters_due ON newsletters (status, send_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("html_body").update()
        try await database.schema("outbox_messages").deleteField("extra_headers").update()
        for table in ["newsletter_unsubscriptions", "newsletter_deliveries", "newsletters"] {
            try await database.schema(table).delete()
        }
    }
}
