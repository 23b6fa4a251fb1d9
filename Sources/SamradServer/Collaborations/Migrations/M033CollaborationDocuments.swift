import Fluent

/// A collaboration's own documents (its project description, the invitation letter, agreements,
/// reports), public or for its members, the bytes kept beside their description.
struct M033CollaborationDocuments: AsyncMigration {
    var name: String { "M033CollaborationDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("collaboration_documents")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("visibility", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("uploaded_by", .uuid)
            .field("created_at", .datetime)
            .create()
        try await database.schema("collaboration_document_contents")
            .field(
                "document_id", .uuid, .identifier(auto: false),
                .references("collaboration_documents", "id", onDelete: .cascade)
            )
            .field("bytes", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("collaboration_document_contents").delete()
        try await database.schema("collaboration_documents").delete()
    }
}
