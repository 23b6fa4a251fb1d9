import Fluent
import Foundation
import SQLKit
import Vapor

/// `samrad backup` and `samrad restore`. SQLite: `VACUUM INTO` writes a transactionally consistent
/// copy while the server goes on; restoring checks the copy and puts it in place of the file.
/// PostgreSQL: pg_dump's custom format, and pg_restore in one transaction, so a restore that fails
/// leaves the database as it was.
enum DatabaseBackup {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func write(_ storage: Settings.Storage, to path: String, on app: Application) async throws {
        if FileManager.default.fileExists(atPath: path) { throw Failure("\(path) exists already.") }
        switch storage {
        case .sqlite, .sqliteInMemory:
            try await app.db.sql.raw("VACUUM INTO \(bind: path)").run()
        case .postgres(let url):
            let target = try PostgresTarget(url)
            try run(
                tool: "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", "--file=\(path)", "--dbname=\(target.url)"],
                password: target.password)
        }
    }

    /// Restores into an empty database, or over one when `replacing`; the SQLite file must not be
    /// in use by a server.
    static func restore(_ storage: Settings.Storage, from path: String, replacing: Bool) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("\(path) does not exist.") }
        switch storage {
        case .sqliteInMemory:
            throw Failure("An in-memory database cannot be restored into.")
        case .sqlite(let target):
            if FileManager.default.fileExists(atPath: target), !replacing {
                throw Failure("\(target) exists; stop the server and give --replace to put the backup in its place.")
            }
            // The copy is checked where it lies, before anything is replaced.
            try await Server.withDatabase(.sqlite(path: path)) { check in
                let sql = check.db.sql
                struct Row: Decodable { var integrity_check: String }
                let rows = try await sql.raw("PRAGMA integrity_check").all(decoding: Row.self)
                guard rows.map(\.integrity_check) == ["ok"] else {
                    throw Failure(
                        "\(path) is damaged: \(rows.map(\.integrity_check).prefix(3).joined(separator: "; "))")
                }
                struct Table: Decodable { var n: Int }
                let migrations = try await sql.raw(
                    "SELECT count(*) AS n FROM sqlite_master WHERE name = '_fluent_migrations'"
                ).first(decoding: Table.self)?.n
                guard migrations == 1 else { throw Failure("\(path) is not a Samrad database.") }
            }
            let temporary = target + ".restoring"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            // rename(2) replaces the file in one step: the old file or the new, never half of one.
            guard rename(temporary, target) == 0 else {
                throw Failure("Could not move the copy to \(target): \(String(cString: strerror(errno)))")
            }
        case .postgres(let url):
            struct Row: Decodable { var n: Int }
            let tables = try await Server.withDatabase(storage) { app in
                try await app.db.sql.raw(
                    """
                    SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'
                    """
                ).first(decoding: Row.self)?.n ?? 0
            }
            if tables > 0, !replacing {
                throw Failure("The database holds \(tables) tables; give --replace to restore over them.")
            }
            let target = try PostgresTarget(url)
            var arguments = [
                "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname=\(target.url)",
            ]
            if tables > 0 { arguments += ["--clean", "--if-exists"] }
            try run(tool: "pg_restore", arguments + [path], password: target.password)
        }
    }

    /// The database address for libpq without its password, which goes in PGPASSWORD instead: an
    /// argument is readable by every user of the machine (ps), the environment is not.
    struct PostgresTarget {
        var url: String
        var password: String?

        init(_ value: String) throws {
            guard var components = URLComponents(string: value) else { throw Failure("DATABASE_URL is not a URL.") }
            password = components.password
            components.password = nil
            if components.scheme == "postgres" { components.scheme = "postgresql" }
            url = components.string ?? value
        }
    }

    /// pg_dump and pg_restore: on the PATH, or the newest of Debian's /usr/lib/postgresql/N/bin.
    static func tool(_ name: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let debian = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        folders = debian.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" } + folders
        for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        throw Failure("\(name) was not found; install PostgreSQL's client programs (Debian: postgresql-client).")
    }

    static func run(tool name: String, _ arguments: [String], password: String?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool(name))
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                "\(name) failed: "
                    + "\(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
    }
}
