import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import SamradCore
import Vapor

/// Wires Samrad into a Vapor application: database, views, middleware, then the features (their
/// migrations, start work, routes and scheduled work). The one place that lists the features.
public enum SamradApp {
    /// Every feature, in the order their start work runs and their files appear in an export.
    static let features: [any Feature] = [
        ServiceFeature(),
        DirectoryFeature(),
        AccountsFeature(),
        MailFeature(),
        StartFeature(),
        PeopleFeature(),
        CollaborationsFeature(),
        ClustersFeature(),
        MeetingsFeature(),
        QuestionnairesFeature(),
        IndicatorsFeature(),
        GuidesFeature(),
        KnowledgeFeature(),
        NewslettersFeature(),
        ReportsFeature(),
        InvoicingFeature(),
        NoticesFeature(),
        ExportFeature(),
        PrivacyFeature(),
    ]

    /// The migrations of all features in their one order.
    static var migrations: [any Migration] { MigrationOrder.ordered(features) }

    public static func configure(_ app: Application, _ settings: Settings) async throws {
        app.storage[SettingsKey.self] = settings
        app.storage[FeaturesKey.self] = features
        app.storage[RegistrationBatchesKey.self] = RegistrationBatches()
        app.storage[AnswerCacheKey.self] = AnswerCache()
        app.storage[SurveyTallies.Key.self] = SurveyTallies()
        app.storage[SurveyUnits.Key.self] = SurveyUnits()
        app.storage[KeptAnswers.Key.self] = KeptAnswers()
        app.storage[ServiceMetrics.Key.self] = ServiceMetrics()
        app.storage[IndicatorStore.Key.self] = IndicatorStore()
        app.storage[ImportProgress.Key.self] = ImportProgress()
        app.storage[OpenIDClient.Key.self] = OpenIDClient(providers: settings.openIDProviders)
        // Identity providers answer in seconds or not at all: a sign-in does not hang on one.
        app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let resources = try ResourceFolder.locate()
        app.storage[ResourceFolder.Key.self] = resources
        app.storage[CatalogKey.self] = try Catalog(directory: resources.url("Localization"))

        try configureDatabase(app, settings.storage, traced: settings.sendsTraces)
        app.migrations.add(migrations)
        app.passwords.use(.bcrypt(cost: settings.bcryptCost))
        // A hash of the same cost to check unknown addresses against (see the sign-in).
        app.storage[TimingHashKey.self] = try Bcrypt.hash(Secret.make(), cost: settings.bcryptCost)

        app.sessions.use { _ in SessionStore() }
        let secure = settings.publicBaseURL.hasPrefix("https://")
        // Over https, `__Host-`: only this host may set it (not another service of the same site).
        app.sessions.configuration.cookieName = secure ? "__Host-samrad_session" : "samrad_session"
        app.sessions.configuration.cookieFactory = { id in
            HTTPCookies.Value(
                string: id.string, expires: Date().addingTimeInterval(settings.sessions.lifetime), maxAge: nil,
                domain: nil, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
        }
        app.routes.defaultMaxBodySize = "1mb"

        app.views.use(.leaf)
        let views = resources.url("Views").path + "/"
        app.leaf.configuration = LeafConfiguration(rootDirectory: views)
        // The package manager puts resources under .build/; Leaf's default refuses hidden folders.
        app.leaf.sources = .singleSource(
            NIOLeafFiles(
                fileio: app.fileio, limits: [.onlyLeafExtensions], sandboxDirectory: views, viewDirectory: views))
        app.leaf.tags["t"] = TranslateTag()
        app.leaf.tags["tc"] = CountTag()

        // Order matters: errors near the outside, so every failure below becomes problem+json or a
        // page, and the security headers outside them, so error answers carry them too.
        app.middleware = Middlewares()
        app.middleware.use(RequestLog())
        app.middleware.use(RequestMetrics())
        if settings.sendsTraces { app.middleware.use(RequestTraces()) }
        app.middleware.use(SecurityHeaders(secure: secure))
        app.middleware.use(ErrorResponder())
        app.middleware.use(BodySizeLimit())
        app.middleware.use(
            StaticFiles(files: FileMiddleware(publicDirectory: resources.url("Public").path + "/", defaultFile: nil)))
        app.middleware.use(app.sessions.middleware)
        app.middleware.use(ActorResolver())
        app.middleware.use(LanguageResolver())
        app.middleware.use(CSRFGuard())
        app.middleware.use(PublicFormGuard())

        try await takingTurns(app, settings.storage) {
            try await app.autoMigrate()
            try await configureSQLitePragmas(app, settings.storage)
            for feature in features { try await feature.start(app) }
            try await DataVersion.install(on: app.db)
            if settings.loadsDemoContent {
                try await loadDemo(on: app.db, logger: app.logger)
            }
        }

        try routes(app)

        if settings.runsScheduledWork {
            app.lifecycle.use(ScheduledWork(settings: settings, tasks: features.flatMap(\.scheduled)))
        }
    }

    static func routes(_ app: Application) throws {
        for feature in features {
            for collection in feature.routes { try app.register(collection: collection) }
        }
        app.storage[UploadRoutes.Key.self] = UploadRoutes(app.routes.all)
        app.storage[UploadSlots.Key.self] = UploadSlots()
    }

    /// The example content of every feature; loading it again adds nothing.
    static func loadDemo(on db: any Database, logger: Logger) async throws {
        try await DemoExamples.load(
            features,
            isLoaded: { db in
                try await Organisation.query(on: db).filter(\.$isExample == true).count() > 0
            }, on: db, logger: logger)
    }

    /// A municipality's export: every feature's files.
    static func export(
        _ municipality: MunicipalityKey, directory: MunicipalityDirectory,
        on db: any Database
    ) async throws -> (MunicipalityExport, [MunicipalityExport.File]) {
        try await MunicipalityExport.files(of: municipality, directory: directory, features: features, on: db)
    }

    /// Instances that start together on one PostgreSQL database would each migrate and load the
    /// shipped data at once; they take turns through an advisory lock, and the later ones find the
    /// work done. (One process owns a SQLite file.)
    static func takingTurns(
        _ app: Application, _ storage: Settings.Storage, _ work: @escaping @Sendable () async throws -> Void
    ) async throws {
        guard case .postgres = storage else { return try await work() }
        let key = 72_536_201  // any number the instances agree on
        try await app.db.withConnection { connection in
            let sql = connection.sql
            try await sql.raw("SELECT pg_advisory_lock(\(literal: key))").run()
            do {
                try await work()
            } catch {
                try? await sql.raw("SELECT pg_advisory_unlock(\(literal: key))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(\(literal: key))").run()
        }
    }

    /// SQLite keeps one connection per event loop (its driver's default): one writer at a time anyway.
    static let postgresConnectionsPerEventLoop = 4

    static func configureDatabase(_ app: Application, _ storage: Settings.Storage, traced: Bool = false) throws {
        // The commands other than `serve` have no metrics to feed.
        let waits = app.storage[ServiceMetrics.Key.self]?.connectionWaits
        let record: @Sendable (UInt64) -> Void = { waits?.recordNanoseconds(Int64(clamping: $0)) }
        switch storage {
        case .sqlite(let path):
            let sqlite = DatabaseConfigurationFactory.sqlite(.file(path), sqlLogLevel: nil)
            app.databases.use(ConnectionWaits(wrapped: sqlite.make(), record: record, traced: traced), as: .sqlite)
        case .sqliteInMemory:
            let sqlite = DatabaseConfigurationFactory.sqlite(.memory, sqlLogLevel: nil)
            app.databases.use(ConnectionWaits(wrapped: sqlite.make(), record: record, traced: traced), as: .sqlite)
        case .postgres(let url):
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = nil
            let postgres = DatabaseConfigurationFactory.postgres(
                configuration: config, maxConnectionsPerEventLoop: postgresConnectionsPerEventLoop, sqlLogLevel: .trace)
            app.databases.use(ConnectionWaits(wrapped: postgres.make(), record: record, traced: traced), as: .psql)
        }
    }

    /// WAL lets readers go on while one writer writes. WAL is kept in the file; the sync level and
    /// foreign keys are per connection, so they are set on every event loop's. No `busy_timeout`:
    /// SQLiteNIO's own busy handler retries at once while the other connection writes, whereas
    /// `busy_timeout` would install SQLite's default handler, which in this build (no HAVE_USLEEP)
    /// sleeps whole seconds — measured as 1 s stalls under concurrent registrations.
    static func configureSQLitePragmas(_ app: Application, _ storage: Settings.Storage) async throws {
        guard case .sqlite = storage else { return }
        for loop in app.eventLoopGroup.makeIterator() {
            guard let sql = app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            // In WAL mode NORMAL syncs at checkpoints, not at every commit: the database cannot be
            // corrupted, and a power cut loses at most the last commits. FULL costs a disk flush
            // per registration.
            try await sql.raw("PRAGMA synchronous = NORMAL").run()
            try await sql.raw("PRAGMA foreign_keys = ON").run()
            // Deleted and changed rows are overwritten with zeros, not left in free space: an erased
            // person's name must not be readable in the file afterwards.
            try await sql.raw("PRAGMA secure_delete = ON").run()
            // Reads through a memory map (up to SQLite's limit of 2 GB) instead of copying each page
            // into its small cache: the search indexes are read page by page on every query.
            try await sql.raw("PRAGMA mmap_size = 2147418112").run()
        }
    }
}

struct SettingsKey: StorageKey { typealias Value = Settings }
struct RegistrationBatchesKey: StorageKey { typealias Value = RegistrationBatches }
struct CatalogKey: StorageKey { typealias Value = Catalog }

extension Application {
    var settings: Settings { storage[SettingsKey.self]! }
    var registrationBatches: RegistrationBatches { storage[RegistrationBatchesKey.self]! }
    var catalog: Catalog { storage[CatalogKey.self]! }
    var resources: ResourceFolder { storage[ResourceFolder.Key.self]! }
}

extension Request {
    var settings: Settings { application.settings }
    var catalog: Catalog { application.catalog }
}

/// The folder the SamradServer resources are copied to by the package manager.
public struct ResourceFolder: Sendable {
    struct Key: StorageKey { typealias Value = ResourceFolder }
    public let root: URL

    public static func locate() throws -> ResourceFolder {
        if let override = ProcessInfo.processInfo.environment["SAMRAD_RESOURCES"], !override.isEmpty {
            return ResourceFolder(root: URL(fileURLWithPath: override))
        }
        guard let url = Optional(Bundle.module.bundleURL.appendingPathComponent("Resources")) else {
            throw Abort(.internalServerError, reason: "The SamradServer resources are missing.")
        }
        return ResourceFolder(root: url)
    }

    public func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// The bundled directory files.
    func directoryDataset() throws -> DirectoryDataset {
        var files: [String: String] = [:]
        for name in DirectoryDataset.fileNames {
            files[name] = try String(contentsOf: url("Directory").appendingPathComponent(name), encoding: .utf8)
        }
        return DirectoryDataset(files: files)
    }
}

struct TimingHashKey: StorageKey { typealias Value = String }

extension Application {
    /// A bcrypt hash of a random secret, made at start with the configured cost: signing in with an
    /// address that has no account checks the password against it, taking the same time.
    var timingHash: String { storage[TimingHashKey.self] ?? "" }
}
