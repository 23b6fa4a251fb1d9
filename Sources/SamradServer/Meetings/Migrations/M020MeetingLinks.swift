import Fluent

/// Personal links in meeting e-mails: whoever opens one registers for that meeting, or cancels, as
/// the person it was sent to, without an account. Stored as SHA-256 only.
struct M020MeetingLinks: AsyncMigration {
    var name: String { "M020MeetingLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("meeting_links")
            .id()
            .field("token_hash", .string, .required)
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("meeting_links").delete()
    }
}
