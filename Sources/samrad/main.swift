import ArgumentParser
import Foundation
import SamradCore
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
        subcommands: [
            Serve.self, Migrate.self, ImportDirectory.self, Backup.self, Restore.self, Export.self, Clusters.self,
            Reindex.self,
        ],
        defaultSubcommand: Serve.self)
}

struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: "SQLite file, sqlite://PATH or postgres://… (default: DATABASE_URL, else ./samrad.sqlite).")
    var database: String?

    /// The settings of a command that serves no pages (all but `serve`).
    var settings: Settings {
        get throws {
            try Settings.fromEnvironment(databasePath: database, host: "127.0.0.1", port: 8080, demo: false)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the web server (migrates and loads the directory first).")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Load example content from the five cases in DESIGN.md.") var demo = false
    @Option(help: "Vapor environment: development or production (production caches templates).") var env = "development"

    func run() async throws {
        let settings = try Settings.fromEnvironment(databasePath: db.database, host: hostname, port: port, demo: demo)
        try await Server.serve(settings: settings, hostname: hostname, port: port, environment: env)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the database migrations, or revert the last batch.")
    @OptionGroup var db: DatabaseOptions
    @Flag(help: "Revert the last batch of migrations.") var revert = false

    func run() async throws {
        let settings = try db.settings
        try await Server.migrate(settings: settings, revert: revert)
    }
}

struct ImportDirectory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-directory", abstract: "Import the directory of municipalities (idempotent).")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let settings = try db.settings
        print(try await Server.importDirectory(settings: settings))
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database, also while the server runs.",
        discussion:
            "SQLite: a copy of the file (VACUUM INTO). PostgreSQL: pg_dump's custom format (pg_dump on the PATH or "
                + "in /usr/lib/postgresql)."
    )
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "Where to write the copy (must not exist).") var path: String

    func run() async throws {
        let settings = try db.settings
        try await Server.backup(settings: settings, to: path)
        print("Backup written to \(path)")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place: into an empty database, or over one with --replace.",
        discussion:
            "SQLite: the copy is checked (integrity, a Samrad database) and replaces the file in one step; stop the "
                + "server first. PostgreSQL: pg_restore in one transaction into the database, which must exist."
    )
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The backup (from samrad backup).") var path: String
    @Flag(help: "Replace what the database holds.") var replace = false

    func run() async throws {
        let settings = try db.settings
        try await Server.restore(settings: settings, from: path, replacing: replace)
        print("Restored \(path)")
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write everything Samrad holds about one municipality as a ZIP of CSV and JSON files, for its own "
                + "quality report."
    )
    @OptionGroup var db: DatabaseOptions
    @Option(help: "The municipality: country/code, e.g. dk/751 or se/0180.") var municipality: String
    @Option(help: "Where to write the ZIP (default: samrad-COUNTRY-CODE-DATE.zip here; must not exist).") var out:
        String?

    func run() async throws {
        let settings = try db.settings
        print(
            "Export written to "
                + "\(try await Server.exportMunicipality(settings: settings, municipality: municipality, to: out))"
        )
    }
}

struct Reindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the knowledge bank's search index from its materials.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let settings = try db.settings
        print("Indexed \(try await Server.reindexKnowledge(settings: settings)) materials.")
    }
}

struct Clusters: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Form clusters of municipalities.", subcommands: [Plan.self])

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose clusters for municipalities of the directory and write code,cluster to a CSV file.",
            discussion: "Prints the objective (the summed dissimilarity inside the clusters) with six decimals.")

        @Option(help: "Country: dk or se (also no, fi).") var country: String
        @Option(help: "A file with one municipality code per line, or all.") var codes = "all"
        @Option(help: "Smallest cluster.") var min = 6
        @Option(help: "Largest cluster.") var max = 8
        @Option(help: "Number of clusters (default: the feasible number nearest to N / ((min+max)/2)).") var k: Int?
        @Option(help: "Weight of distance per 100 km.") var wg = 1.0
        @Option(help: "Weight of the difference in ln population.") var ws = 1.0
        @Option(help: "Seed of the search; the same seed gives the same plan.") var seed: UInt64 = 1
        @Option(help: "Rounds without a better plan before the search stops.") var patience = ClusterRequest
            .defaultPatience
        @Option(help: "Where to write code,cluster.") var out: String
        @Flag(help: "Also print the greedy baseline, the construction and the time taken.") var compare = false

        func run() throws {
            guard let country = Country(rawValue: country.lowercased()) else {
                throw ValidationError("--country must be dk, se, no or fi.")
            }
            let options = ClusterPlanCommand.Options(
                country: country, codesFile: codes == "all" ? nil : codes, minSize: min, maxSize: max, clusterCount: k,
                weights: ClusterWeights(geography: wg, size: ws), seed: seed, patience: patience, compare: compare)
            do {
                let outcome = try ClusterPlanCommand.run(options)
                try outcome.csv.write(toFile: out, atomically: true, encoding: .utf8)
                print(String(format: "%.6f", outcome.plan.objective))
                if compare {
                    print(
                        String(
                            format: "municipalities %d, clusters %d, seconds %.3f", outcome.municipalities,
                            outcome.plan.clusters.count, outcome.seconds))
                    if let baseline = outcome.baseline {
                        print(String(format: "baseline (greedy nearest neighbours) %.6f", baseline.objective))
                        print(
                            String(
                                format: "gain over baseline %.1f %%",
                                100 * (1 - outcome.plan.objective / baseline.objective)))
                    }
                    if let start = outcome.construction {
                        print(String(format: "construction (regret) %.6f", start.objective))
                    }
                }
            } catch let error as SamradError {
                FileHandle.standardError.write(Data((ClusterPlanCommand.describe(error) + "\n").utf8))
                throw ExitCode.failure
            }
        }
    }
}
