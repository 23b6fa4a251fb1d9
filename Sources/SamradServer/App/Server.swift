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
        try LoggingSystem.bootstrap(from: &env)
        return try await Application.make(env, .shared(MultiThreadedEventLoopGroup.singleton))
    }

    public static func serve(settings: Settings, hostname: String, port: Int, environment: String) async throws {
        let app = try await makeApp(environment)
        do {
            try await SamradApp.configure(app, settings)
            app.http.server.configuration.hostname = hostname
            app.http.server.configuration.port = port
            if let link = try await AccountController.prepareFirstRun(on: app.db, baseURL: settings.publicBaseURL) {
                // Written unbuffered, so it shows at once also when stdout is a file or a pipe.
                FileHandle.standardOutput.write(Data("""

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

    public static func migrate(settings: Settings, revert: Bool) async throws {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, settings.storage)
            app.migrations.add(Migrations.all)
            if revert { try await app.autoRevert() } else { try await app.autoMigrate() }
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    public static func importDirectory(settings: Settings) async throws -> String {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, settings.storage)
            app.migrations.add(Migrations.all)
            try await app.autoMigrate()
            let outcome = try await DirectoryImport.run(on: app.db, files: try ResourceFolder.locate(), logger: app.logger)
            try await app.asyncShutdown()
            return outcome.imported ? "Imported \(outcome.municipalities) municipalities (version \(outcome.version.prefix(12)))."
                : "The directory is up to date (version \(outcome.version.prefix(12))); nothing changed."
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Rebuilds the knowledge bank's search index from the materials, e.g. after rows were loaded
    /// outside Samrad or the stemmer changed. Returns how many materials were indexed.
    public static func reindexKnowledge(settings: Settings) async throws -> Int {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, settings.storage)
            app.migrations.add(Migrations.all)
            try await app.autoMigrate()
            let count = try await KnowledgeSearch.reindex(on: app.db)
            try await app.asyncShutdown()
            return count
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// A consistent copy of the database, also while the server runs (see `DatabaseBackup`).
    public static func backup(settings: Settings, to path: String) async throws {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, settings.storage)
            try await DatabaseBackup.write(settings.storage, to: path, on: app)
            try await app.asyncShutdown()
        } catch let failure as DatabaseBackup.Failure {
            try? await app.asyncShutdown()
            throw ValidationError(failure.description)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Writes everything Samrad holds about one municipality ("dk/751") as a ZIP; returns where.
    public static func exportMunicipality(settings: Settings, municipality: String, to path: String?) async throws -> String {
        let app = try await makeApp("development")
        do {
            try SamradApp.configureDatabase(app, settings.storage)
            try await DirectoryStore.reload(app)
            guard let key = MunicipalityKey(path: municipality), app.municipalities[key] != nil else {
                throw ValidationError("There is no municipality \(municipality); give country/code, e.g. dk/751 or se/0180.")
            }
            let export = MunicipalityExport(municipality: key, directory: app.municipalities)
            let now = Date()
            let target = path ?? export.fileName(at: now)
            if FileManager.default.fileExists(atPath: target) { throw ValidationError("\(target) exists already.") }
            let data = try export.zip(try await export.files(on: app.db), generatedAt: now)
            try data.write(to: URL(fileURLWithPath: target), options: .withoutOverwriting)
            try await app.asyncShutdown()
            return target
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Puts a backup in place: into an empty database, or over one with `replacing`.
    public static func restore(settings: Settings, from path: String, replacing: Bool) async throws {
        do {
            try await DatabaseBackup.restore(settings.storage, from: path, replacing: replacing) { storage in
                let app = try await makeApp("development")
                try SamradApp.configureDatabase(app, storage)
                return app
            }
        } catch let failure as DatabaseBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct ValidationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
