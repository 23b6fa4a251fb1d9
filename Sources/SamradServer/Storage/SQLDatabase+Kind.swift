import Fluent
import SQLKit

extension SQLDatabase {
    /// PostgreSQL rather than the embedded SQLite: row locks (`FOR UPDATE SKIP LOCKED`), several
    /// instances, its own full-text search.
    var isPostgres: Bool { dialect.name == "postgresql" }
}

extension Database {
    /// The SQL side of a Fluent database: both drivers Samrad uses speak SQL.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}
