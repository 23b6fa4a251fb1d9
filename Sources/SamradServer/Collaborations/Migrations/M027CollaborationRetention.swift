import Fluent
import SQLKit

/// How long a collaboration's personal data (attendance, links, names in minutes) are kept after it
/// is concluded, when it was concluded, and when the retention job cleared it.
struct M027CollaborationRetention: AsyncMigration {
    var name: String { "M027CollaborationRetention" }

    func prepare(on database: any Database) async throws {
        try await database.schema("collaborations")
            .field("retention_months", .int)
            .update()
        try await database.schema("collaborations").field("concluded_at", .datetime).update()
        try await database.schema("collaborations").field("retention_applied_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["retention_applied_at", "concluded_at", "retention_months"] {
            try await database.schema("collaborations").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
