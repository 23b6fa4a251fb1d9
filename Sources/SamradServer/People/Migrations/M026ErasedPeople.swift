import Fluent
import SQLKit

/// An erased person's record stays, pseudonymised, where something must still point at it (a seat
/// held, an answer given for a municipality); `erased_at` keeps it out of the people lists.
struct M026ErasedPeople: AsyncMigration {
    var name: String { "M026ErasedPeople" }

    func prepare(on database: any Database) async throws {
        try await database.schema("people").field("erased_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("people").deleteField("erased_at").update()
    }
}
