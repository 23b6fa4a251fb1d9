import Fluent
import SQLKit

/// What the security review of December 2026 asked of the schema: results that stay as published,
/// and indexes for the lookups every signed-in request and every sign-in makes.
struct M016Trust: AsyncMigration {
    var name: String { "M016Trust" }

    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("registrations_municipality", "registrations", ["municipality_country", "municipality_code", "status"]),
        ("cluster_members_municipality", "cluster_members", ["municipality_country", "municipality_code"]),
        ("people_email", "people", ["email"]),
        ("people_municipality_code", "people", ["municipality_code"]),
        ("goals_unit_code", "goals", ["unit_code"]),
        ("next_steps_unit_code", "next_steps", ["unit_code"]),
        ("role_assignments_municipality", "role_assignments", ["municipality_country", "municipality_code"]),
    ]

    func prepare(on database: any Database) async throws {
        // Set when results are first published: from then on answering cannot reopen and the
        // threshold stays, so no later read differs from an earlier one by a few answers.
        try await database.schema("questionnaires").field("results_locked_at", .datetime).update()
        let sql = database.sql
        for index in Self.indexes {
            var create = sql.create(index: SQLIdentifier(index.name)).on(index.table)
            for column in index.columns { create = create.column(column) }
            try await create.run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for index in Self.indexes.reversed() {
            try await sql.drop(index: SQLIdentifier(index.name)).run()
        }
        try await database.schema("questionnaires").deleteField("results_locked_at").update()
    }
}
