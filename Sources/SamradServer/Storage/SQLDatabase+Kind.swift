import Fluent
import SQLKit

extension SQLDatabase {
    /// PostgreSQL rather than the embedded SQLite: row locks (`FOR UPDATE SKIP LOCKED`), several
    /// instances, its own full-text search.
    var isPostgres: Bool { dialect.name == "postgresql" }

    /// The tables that hold rows: not SQLite's own, its full-text indexes or their shadow tables.
    func baseTables() async throws -> [String] {
        if isPostgres {
            return try await raw("""
                SELECT table_name AS name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
        let virtual = try await raw("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
            .all().map { try $0.decode(column: "name", as: String.self) }
        return try await raw("""
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND sql NOT LIKE 'CREATE VIRTUAL%'
            """).all().map { try $0.decode(column: "name", as: String.self) }
            .filter { table in !virtual.contains { table.hasPrefix($0 + "_") } }
    }
}

extension Database {
    /// The SQL side of a Fluent database: both drivers Samrad uses speak SQL.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}
