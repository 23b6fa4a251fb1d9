import Fluent

/// Feedback on a participant's material by the researchers and peers of its collaboration.
struct M034MaterialFeedback: AsyncMigration {
    var name: String { "M034MaterialFeedback" }

    func prepare(on database: any Database) async throws {
        try await database.schema("material_feedback")
            .id()
            .field("material_id", .uuid, .required, .references("knowledge_materials", "id", onDelete: .cascade))
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("material_feedback").delete()
    }
}
