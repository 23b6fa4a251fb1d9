import Fluent
import SQLKit

/// What each person chooses to be told, and the notices given or kept for the weekly digest.
struct M038PersonalNotices: AsyncMigration {
    var name: String { "M038PersonalNotices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("notice_choices")
            .id()
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("minutes", .string, .required)
            .field("meeting_changed", .string, .required)
            .field("commitment_due", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "person_id")
            .create()
        try await database.schema("personal_notices")
            .id()
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("topic", .string, .required)
            .field("line", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime)
            .field("digest_due", .datetime)
            .field("sent_at", .datetime)
            .unique(on: "person_id", "key")
            .create()
        // The digest's round asks for the notices waiting, by when they are due.
        try await (database as! any SQLDatabase).raw(
            "CREATE INDEX personal_notices_waiting ON personal_notices (sent_at, digest_due)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("personal_notices").delete()
        try await database.schema("notice_choices").delete()
    }
}
