import Fluent

/// Units of a municipality are schools or day-care units: every unit kept so far is a school.
struct M039DayCareUnits: AsyncMigration {
    var name: String { "M039DayCareUnits" }

    func prepare(on database: any Database) async throws {
        try await database.schema("schools").field("kind", .string, .required, .sql(.default("school"))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("schools").deleteField("kind").update()
    }
}
