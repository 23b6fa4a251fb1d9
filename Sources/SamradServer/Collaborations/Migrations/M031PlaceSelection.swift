import Fluent
import SQLKit

/// A collaboration may choose its participants among applications instead of first come, first
/// served, and records when the choice was made and told.
struct M031PlaceSelection: AsyncMigration {
    var name: String { "M031PlaceSelection" }

    func prepare(on database: any Database) async throws {
        try await database.schema("collaborations")
            .field("admission", .string, .required, .sql(.default("first_come")))
            .update()
        try await database.schema("collaborations").field("places_chosen_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("collaborations").deleteField("places_chosen_at").update()
        try await database.schema("collaborations").deleteField("admission").update()
    }
}
