import Fluent

/// The body that owns a collaboration and the organiser's case number (journal reference), and
/// the document number of an invitation letter: what an association's records refer to.
struct M030CollaborationReferences: AsyncMigration {
    var name: String { "M030CollaborationReferences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("collaborations").field("host_body", .string).update()
        try await database.schema("collaborations").field("case_number", .string).update()
        try await database.schema("invitations").field("document_number", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invitations").deleteField("document_number").update()
        try await database.schema("collaborations").deleteField("case_number").update()
        try await database.schema("collaborations").deleteField("host_body").update()
    }
}
