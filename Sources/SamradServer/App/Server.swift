import Fluent
import NIOCore
import NIOPosix
import Foundation
import Logging
import SamradCore
import SQLKit
import Vapor

/// What the `samrad` command runs.
public enum Server {
    public static func useEventLoopsAsGlobalExecutor() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    static func makeApp(_ environment: String) async throws -> Application {
        var env = Environment(name: environment, arguments: ["samrad"])
        try LoggingSystem.bootstrap(from: &env) { level in
            let console = Terminal()
            return { label in QueryValuesLeftOut(inner: ConsoleLogger(label: label, console: console, level: level)) }
        }
        return try await Application.make(env, .shared(MultiThreadedEventLoopGroup.singleton))
    }

    public static func serve(settings: Settings, hostname: String, port: Int, environment: String) async throws {
        let app = try await makeApp(environment)
        do {
            if settings.sendsTraces { try Traces.start(app) }
            try await SamradApp.configure(app, settings)
            app.http.server.configuration.hostname = hostname
            app.http.server.configuration.port = port
            if let link = try await AccountPages.prepareFirstRun(on: app.db, baseURL: settings.publicBaseURL) {
                // Written unbuffered, so it shows at once also when stdout is a file or a pipe.
                FileHandle.standardOutput.write(
                    Data(
                        """

                        No administrator yet. Open this one-time link to create the administrator account:
                          \(link)


                        """.utf8))
            }
            app.environment.arguments = ["samrad", "serve"]
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Runs `body` with an application that has the database only (migrated when asked), and shuts
    /// it down afterwards, also when `body` throws: what the commands other than `serve` need.
    static func withDatabase<T>(
        _ storage: Settings.Storage, migrated: Bool = false, _ body: (Application) async throws -> T
    ) async throws -> T {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, storage)
            app.migrations.add(SamradApp.migrations)
            if migrated { try await app.autoMigrate() }
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    public static func migrate(settings: Settings, revert: Bool) async throws {
        try await withDatabase(settings.storage) { app in
            if revert { try await app.autoRevert() } else { try await app.autoMigrate() }
        }
    }

    public static func importDirectory(settings: Settings) async throws -> String {
        let outcome = try await withDatabase(settings.storage, migrated: true) { app in
            try await DirectoryImport.run(on: app.db, files: try ResourceFolder.locate(), logger: app.logger)
        }
        return outcome.imported
            ? "Imported \(outcome.municipalities) municipalities (version \(outcome.version.prefix(12)))."
            : "The directory is up to date (version \(outcome.version.prefix(12))); nothing changed."
    }

    /// Rebuilds the knowledge bank's search index from the materials, e.g. after rows were loaded
    /// outside Samrad or the stemmer changed. Returns how many materials were indexed.
    public static func reindexKnowledge(settings: Settings) async throws -> Int {
        try await withDatabase(settings.storage, migrated: true) { app in try await KnowledgeSearch.reindex(on: app.db)
        }
    }

    /// A consistent copy of the database, also while the server runs (see `DatabaseBackup`).
    public static func backup(settings: Settings, to path: String) async throws {
        do {
            try await withDatabase(settings.storage) { app in
                try await DatabaseBackup.write(settings.storage, to: path, on: app)
            }
        } catch let failure as DatabaseBackup.Failure {
            throw ValidationError(failure.description)
        }
    }

    /// Writes everything Samrad holds about one municipality ("dk/751") as a ZIP; returns where.
    public static func exportMunicipality(
        settings: Settings, municipality: String, to path: String?
    ) async throws -> String {
        try await withDatabase(settings.storage) { app in
            try await DirectoryStore.reload(app)
            guard let key = MunicipalityKey(path: municipality), app.municipalities[key] != nil else {
                throw ValidationError(
                    "There is no municipality \(municipality); give country/code, e.g. dk/751 or se/0180.")
            }
            let now = Date()
            let (export, files) = try await SamradApp.export(key, directory: app.municipalities, on: app.db)
            let target = path ?? export.fileName(at: now)
            if FileManager.default.fileExists(atPath: target) { throw ValidationError("\(target) exists already.") }
            let data = try export.zip(files, generatedAt: now)
            try data.write(to: URL(fileURLWithPath: target), options: .withoutOverwriting)
            return target
        }
    }

    /// Puts a backup in place: into an empty database, or over one with `replacing`.
    public static func restore(settings: Settings, from path: String, replacing: Bool) async throws {
        do {
            try await DatabaseBackup.restore(settings.storage, from: path, replacing: replacing)
        } catch let failure as DatabaseBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct ValidationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
