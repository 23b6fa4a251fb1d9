import Fluent
import Foundation
import SQLKit

/// One number that every committed change to what Samrad shows moves on, kept in the database so
/// that all instances agree on it. Answers that follow only from the data, who asks and the language
/// are labelled with it (`ConditionalGET`); a label that still matches needs no reading of the data.
///
/// Triggers on every table move it inside the writing transaction, so a reader never sees the new
/// number before the new data. Readers take the number before the data: at worst an answer is
/// labelled older than it is and is computed once more.
enum DataVersion {
    struct Stamp: Sendable, Equatable {
        var number: Int64
        /// Seconds since 1970 of the last change.
        var changedAt: Double
    }

    /// Tables no labelled answer shows, written far more often than content: the version leaves them
    /// out so that a session touched or a lease renewed does not make every client fetch again.
    /// (A revoked access token is refused before any answer; a session's passes enter the label.)
    static let unversionedTables: Set<String> = [
        "data_versions", "_fluent_migrations", "web_sessions", "job_leases", "public_form_posts",
        "sign_in_failures", "access_tokens", "outbox_messages", "retention_runs", "data_version_marks",
        // A survey's answers arrive by the thousand a minute; no kept page shows them (results are
        // read fresh, and a meeting's evaluation only once closed, when they no longer change).
        "survey_answers", "survey_texts", "survey_units", "survey_class_codes", "survey_tokens",
    ]

    static let triggerPrefix = "samrad_version_"
    /// PostgreSQL: the trigger on `data_version_marks` that moves the version at the commit.
    static let commitTrigger = "samrad_version_at_commit"

    /// Read on nearly every request, so prepared once per connection.
    struct Read: PreparedRead {
        static let sql = "SELECT number, changed_at FROM data_versions WHERE id = 1"
        var values: [Int] { [] }
    }

    static func current(on db: any Database) async throws -> Stamp {
        guard let row = try await db.rows(Read()).first else { return Stamp(number: 0, changedAt: 0) }
        return Stamp(
            number: try row.decode(column: "number", as: Int64.self),
            changedAt: try row.decode(column: "changed_at", as: Double.self))
    }

    /// The database's clock in seconds since 1970, as SQL.
    static func now(_ sql: any SQLDatabase) -> String {
        sql.isPostgres ? "extract(epoch from clock_timestamp())" : "((julianday('now') - 2440587.5) * 86400.0)"
    }

    /// Puts the triggers on every table that lacks them (tables come with migrations and at start);
    /// run at every start after the migrations.
    static func install(on db: any Database) async throws {
        let sql = db.sql
        let tables = try await versionedTables(sql)
        let existing = Set(try await triggers(sql))
        if sql.isPostgres {
            // A statement on a table marks its transaction once (a row in data_version_marks); the
            // mark's trigger, deferred to the commit, moves the version. So the one row is locked
            // last and only for the commit — taken at the first statement it would order locks
            // against every other writer and deadlock — and a bulk import pays per statement, not
            // per row (bench/README.md).
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION samrad_data_version_mark() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF current_setting('samrad.version_marked', true) IS DISTINCT FROM 'on' THEN
                        PERFORM set_config('samrad.version_marked', 'on', true);
                        INSERT INTO data_version_marks DEFAULT VALUES;
                    END IF;
                    RETURN NULL;
                END $$
                """).run()
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION samrad_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE data_versions SET number = number + 1, changed_at = \(unsafeRaw: now(sql)) WHERE id = 1;
                    DELETE FROM data_version_marks WHERE id = NEW.id;
                    RETURN NULL;
                END $$
                """).run()
            if !existing.contains(commitTrigger) {
                try await sql.raw("""
                    CREATE CONSTRAINT TRIGGER \(unsafeRaw: commitTrigger) AFTER INSERT ON data_version_marks
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION samrad_data_version_bump()
                    """).run()
            }
            for table in tables where !existing.contains(triggerPrefix + table) {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: triggerPrefix + table)
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(ident: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION samrad_data_version_mark()
                    """).run()
            }
        } else {
            for table in tables {
                for operation in ["insert", "update", "delete"] {
                    let name = "\(triggerPrefix)\(table)_\(operation)"
                    guard !existing.contains(name) else { continue }
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: name) AFTER \(unsafeRaw: operation.uppercased())
                        ON \(ident: table) BEGIN
                            UPDATE data_versions SET number = number + 1, changed_at = \(unsafeRaw: now(sql))
                            WHERE id = 1;
                        END
                        """).run()
                }
            }
        }
    }

    static func uninstall(on db: any Database) async throws {
        let sql = db.sql
        if sql.isPostgres {
            try await sql.raw("DROP FUNCTION IF EXISTS samrad_data_version_mark() CASCADE").run()
            try await sql.raw("DROP FUNCTION IF EXISTS samrad_data_version_bump() CASCADE").run()
        } else {
            for name in try await triggers(sql) { try await sql.raw("DROP TRIGGER \(ident: name)").run() }
        }
    }

    /// Every table the version covers: all but the unversioned ones and SQLite's full-text indexes,
    /// which follow their tables.
    static func versionedTables(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.baseTables().filter { !unversionedTables.contains($0) }.sorted()
    }

    /// The names of the version's triggers present now.
    static func triggers(_ sql: any SQLDatabase) async throws -> [String] {
        let query: SQLQueryString = sql.isPostgres
            ? "SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'samrad_version_%'"
            : "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'samrad_version_%'"
        return try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
    }
}
