import Fluent

/// A guide published by several organisations together, and a municipality's copy of a guide that
/// it adapts to its own context.
struct M035GuideCoPublishers: AsyncMigration {
    var name: String { "M035GuideCoPublishers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("discussion_guides").field("co_publishers", .array(of: .uuid)).update()
        try await database.schema("discussion_guides")
            .field("adapted_from", .uuid, .references("discussion_guides", "id", onDelete: .setNull)).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("discussion_guides").deleteField("adapted_from").update()
        try await database.schema("discussion_guides").deleteField("co_publishers").update()
    }
}
