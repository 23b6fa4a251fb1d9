import Fluent
import SQLKit

/// The one row `DataVersion` keeps; its triggers are put on every table at start.
struct M028DataVersion: AsyncMigration {
    var name: String { "M028DataVersion" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("""
            CREATE TABLE data_versions (id INTEGER PRIMARY KEY, number BIGINT NOT NULL,
                changed_at DOUBLE PRECISION NOT NULL)
            """).run()
        if sql.isPostgres {
            // The transactions that changed something, until their commit (see `DataVersion.install`).
            try await sql.raw("CREATE TABLE data_version_marks (id BIGSERIAL PRIMARY KEY)").run()
        }
        let now = DataVersion.now(sql)
        try await sql.raw("INSERT INTO data_versions (id, number, changed_at) VALUES (1, 1, \(unsafeRaw: now))").run()
    }

    func revert(on database: any Database) async throws {
        try await DataVersion.uninstall(on: database)
        try await database.sql.raw("DROP TABLE data_versions").run()
        if database.sql.isPostgres { try await database.sql.raw("DROP TABLE data_version_marks").run() }
    }
}
