import Fluent
import SamradCore
import SQLKit

/// A municipality's own surveys of its schools and staff: a questionnaire is then the municipality's,
/// not a collaboration's, so its collaboration may be empty.
struct M042MunicipalSurveys: AsyncMigration {
    var name: String { "M042MunicipalSurveys" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await database.schema("questionnaires").field("municipality_country", .string).update()
        try await database.schema("questionnaires").field("municipality_code", .string).update()
        let sql = database.sql
        try await sql.create(index: "questionnaires_municipality").on("questionnaires")
            .column("municipality_country").column("municipality_code").run()
        if sql.dialect.name == "sqlite" {
            try await database.transaction { try await Self.dropNotNull(on: $0.sql) }
        } else {
            try await sql.raw("ALTER TABLE questionnaires ALTER COLUMN collaboration_id DROP NOT NULL").run()
        }
    }

    /// SQLite cannot drop a NOT NULL, and making the table again would cascade into every answer:
    /// its stored definition is edited instead, the procedure SQLite documents for removing a NOT NULL
    /// (https://sqlite.org/lang_altertable.html, "making other kinds of table schema changes").
    private static func dropNotNull(on sql: any SQLDatabase) async throws {
        struct Row: Decodable { var sql: String }
        struct Version: Decodable { var schema_version: Int }
        guard
            let table = try await sql.raw(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'questionnaires'"
            ).first(decoding: Row.self),
            let version = try await sql.raw("SELECT schema_version FROM pragma_schema_version").first(
                decoding: Version.self)
        else { throw SamradError(.unavailable, "error.internal") }
        let required = "\"collaboration_id\" UUID NOT NULL"
        // Already without it (applied again after a revert, which leaves it so).
        guard table.sql.contains(required) else { return }
        // Stops rather than guesses if the table was declared otherwise than by M010.
        guard table.sql.components(separatedBy: required).count == 2 else {
            throw SamradError(.unavailable, "error.internal")
        }
        let definition = table.sql.replacingOccurrences(of: required, with: "\"collaboration_id\" UUID")
        try await sql.raw("PRAGMA writable_schema = ON").run()
        try await sql.raw(
            "UPDATE sqlite_master SET sql = \(bind: definition) WHERE type = 'table' AND name = 'questionnaires'"
        ).run()
        try await sql.raw("PRAGMA schema_version = \(unsafeRaw: String(version.schema_version + 1))").run()
        try await sql.raw("PRAGMA writable_schema = OFF").run()
    }

    /// A municipality's own surveys go; on SQLite the column stays without its NOT NULL.
    func revert(on database: any Database) async throws {
        try await database.query(Questionnaire.self).filter(\.$collaborationID == nil).delete()
        try await database.sql.raw("DROP INDEX questionnaires_municipality").run()
        if database.sql.dialect.name != "sqlite" {
            try await database.sql.raw("ALTER TABLE questionnaires ALTER COLUMN collaboration_id SET NOT NULL").run()
        }
        try await database.schema("questionnaires").deleteField("municipality_code").update()
        try await database.schema("questionnaires").deleteField("municipality_country").update()
    }
}
