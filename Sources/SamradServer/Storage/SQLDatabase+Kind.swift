import SQLKit

extension SQLDatabase {
    /// PostgreSQL rather than the embedded SQLite: row locks (`FOR UPDATE SKIP LOCKED`), several
    /// instances, its own full-text search.
    var isPostgres: Bool { dialect.name == "postgresql" }
}
