import Fluent
import SQLKit

/// The register of erasures (a number and a date, never who), the operator's texts (privacy notice,
/// accessibility statement, retention terms) and what each retention run did.
struct M025Privacy: AsyncMigration {
    var name: String { "M025Privacy" }

    func prepare(on database: any Database) async throws {
        try await database.schema("erasures")
            .id()
            .field("number", .int, .required)
            .field("erased_at", .datetime, .required)
            .field("requested_by", .string, .required)
            .unique(on: "number")
            .create()
        try await database.schema("installation_texts")
            .field("kind", .string, .identifier(auto: false))
            .field("content", .string, .required)
            .field("updated_at", .datetime)
            .field("updated_by", .string)
            .create()
        try await database.schema("retention_runs")
            .id()
            .field("ran_at", .datetime, .required)
            .field("changes", .string, .required)
            .create()
        try await database.sql.create(index: "retention_runs_at").on("retention_runs").column("ran_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("retention_runs").delete()
        try await database.schema("installation_texts").delete()
        try await database.schema("erasures").delete()
    }
}
