import ArgumentParser
import Foundation
import SamradServer

@main
struct Samrad: AsyncParsableCommand {
    static func main() async {
        // Run Swift concurrency on NIO's event loops, so async handlers do not hop between thread pools.
        Server.useEventLoopsAsGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "samrad",
        abstract: "Samrad: collaboration networks between municipalities on school development.",
        subcommands: [Serve.self, Migrate.self, ImportDirectory.self, Backup.self],
        defaultSubcommand: Serve.self)
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite file, sqlite://PATH or postgres://… (default: DATABASE_URL, else ./samrad.sqlite).")
    var database: String?
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web server (migrates and loads the directory first).")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Load example content from the five cases in DESIGN.md.") var demo = false
    @Option(help: "Vapor environment: development or production (production caches templates).") var env = "development"

    func run() async throws {
        let settings = Settings.fromEnvironment(databasePath: db.database, host: hostname, port: port, demo: demo)
        try await Server.serve(settings: settings, hostname: hostname, port: port, environment: env)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations, or revert the last batch.")
    @OptionGroup var db: DatabaseOptions
    @Flag(help: "Revert the last batch of migrations.") var revert = false

    func run() async throws {
        let settings = Settings.fromEnvironment(databasePath: db.database, host: "127.0.0.1", port: 8080, demo: false)
        try await Server.migrate(settings: settings, revert: revert)
    }
}

struct ImportDirectory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import-directory", abstract: "Import the directory of municipalities (idempotent).")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let settings = Settings.fromEnvironment(databasePath: db.database, host: "127.0.0.1", port: 8080, demo: false)
        print(try await Server.importDirectory(settings: settings))
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the SQLite database, also while the server runs.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "Where to write the copy (must not exist).") var path: String

    func run() async throws {
        let settings = Settings.fromEnvironment(databasePath: db.database, host: "127.0.0.1", port: 8080, demo: false)
        try await Server.backup(settings: settings, to: path)
        print("Backup written to \(path)")
    }
}
