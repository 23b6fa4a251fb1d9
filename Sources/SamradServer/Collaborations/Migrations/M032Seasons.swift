import Fluent

/// A collaboration or programme copied to its next season names the season it came from, so the
/// seasons stay linked ("2014, 2015, 2016").
struct M032Seasons: AsyncMigration {
    var name: String { "M032Seasons" }

    func prepare(on database: any Database) async throws {
        try await database.schema("collaborations").field("previous_id", .uuid).update()
        try await database.schema("programmes").field("previous_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programmes").deleteField("previous_id").update()
        try await database.schema("collaborations").deleteField("previous_id").update()
    }
}
