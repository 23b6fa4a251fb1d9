import Fluent
import SQLKit

struct M012Knowledge: AsyncMigration {
    var name: String { "M012Knowledge" }

    func prepare(on database: any Database) async throws {
        try await database.schema("knowledge_materials")
            .id()
            .field("slug", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("body", .string, .required)
            // The body as a reader sees it, without markup: what search indexes and quotes.
            .field("body_text", .string)
            .field("themes", .array(of: .string), .required)
            .field("grade_bands", .array(of: .string), .required)
            .field("authors", .array(of: .string), .required)
            .field("contact", .string)
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("school", .string)
            .field("country", .string)
            .field("language", .string, .required)
            .field("licence", .string, .required)
            .field("consent", .bool, .required)
            .field("visibility", .string, .required)
            .field("status", .string, .required)
            .field("collaboration_id", .uuid, .references("collaborations", "id", onDelete: .setNull))
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("review_note", .string)
            .field("submitted_at", .datetime)
            .field("published_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // SQLite's search index row of the material (FTS5 rows are found by integer).
            .field("search_key", .int)
            .unique(on: "slug")
            .create()
        try await database.schema("knowledge_themes")
            .id()
            .field("material_id", .uuid, .required, .references("knowledge_materials", "id", onDelete: .cascade))
            .field("theme", .string, .required)
            // Whether the material is published and public: the bank's theme list is read from these.
            .field("listed", .bool, .required)
            .create()
        try await database.schema("knowledge_attachments")
            .id()
            .field("material_id", .uuid, .required, .references("knowledge_materials", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("knowledge_attachment_contents")
            .field(
                "attachment_id", .uuid, .identifier(auto: false),
                .references("knowledge_attachments", "id", onDelete: .cascade)
            )
            .field("bytes", .data, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX knowledge_materials_listing ON knowledge_materials (status, published_at)")
            .run()
        try await sql.raw("CREATE INDEX knowledge_materials_owner ON knowledge_materials (created_by)").run()
        try await sql.raw("CREATE UNIQUE INDEX knowledge_materials_search_key ON knowledge_materials (search_key)")
            .run()
        try await sql.raw("CREATE INDEX knowledge_themes_theme ON knowledge_themes (theme, material_id)").run()
        try await sql.raw("CREATE INDEX knowledge_themes_listed ON knowledge_themes (listed, theme)").run()
        try await sql.raw("CREATE INDEX knowledge_themes_material ON knowledge_themes (material_id)").run()
        try await KnowledgeSearch.prepare(sql)
    }

    func revert(on database: any Database) async throws {
        try await KnowledgeSearch.revert(database.sql)
        for table in [
            "knowledge_attachment_contents", "knowledge_attachments", "knowledge_themes", "knowledge_materials",
        ] {
            try await database.schema(table).delete()
        }
    }
}
