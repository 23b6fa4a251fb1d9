import Fluent
import SQLKit

struct M013Guides: AsyncMigration {
    var name: String { "M013Guides" }

    func prepare(on database: any Database) async throws {
        try await database.schema("discussion_guides")
            .id()
            .field("title", .string, .required)
            .field("introduction", .string, .required)
            .field("language", .string, .required)
            .field("audience", .string, .required)
            .field("sections", .json, .required)
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("collaboration_id", .uuid, .references("collaborations", "id", onDelete: .setNull))
            .field("published", .bool, .required)
            .field("presentation_name", .string)
            .field("presentation_type", .string)
            .field("presentation_size", .int)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("guide_presentations")
            .field(
                "guide_id", .uuid, .identifier(auto: false), .references("discussion_guides", "id", onDelete: .cascade)
            )
            .field("bytes", .data, .required)
            .create()
        try await database.schema("local_dialogues")
            .id()
            .field("guide_id", .uuid, .required, .references("discussion_guides", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("held_on", .string, .required)
            .field("committee", .string, .required)
            .field("participants", .json, .required)
            .field("notes", .json, .required)
            .field("agreements", .json, .required)
            .field("shared_at", .datetime)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        let sql = database.sql
        try await sql.raw(
            "CREATE INDEX local_dialogues_guide ON local_dialogues (guide_id, municipality_country, municipality_code)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        for table in ["local_dialogues", "guide_presentations", "discussion_guides"] {
            try await database.schema(table).delete()
        }
    }
}
