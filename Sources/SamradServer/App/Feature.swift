import Fluent
import Foundation
import SamradCore
import Vapor

/// A part of Samrad that plugs itself in: its pages and API, its tables, its scheduled work, its
/// part of a municipality's export and what it does at start. `SamradApp.features` lists them;
/// nothing else knows them all. Each folder under `SamradServer` that is a feature has one
/// `…Feature.swift` that says what it brings.
protocol Feature: Sendable {
    /// Its route collections (`…Pages` for HTML, `…API` for JSON).
    var routes: [any RouteCollection] { get }
    /// Its migrations, numbered `M001…` across all features; `MigrationOrder` puts them in order.
    var migrations: [any Migration] { get }
    /// Work on a schedule, each under its job's lease where one instance should do it.
    var scheduled: [ScheduledTask] { get }
    /// Adds the feature's files to a municipality's export.
    func export(into export: MunicipalityExport, on db: any Database) async throws
    /// Work at start, after the migrations, while instances on one database take turns.
    func start(_ app: Application) async throws
    /// Example content of the five cases (`samrad serve --demo`), into the shared example set.
    func loadDemo(into examples: DemoExamples, on db: any Database) async throws
    /// What the feature keeps about people, why, and how long (the record of processing).
    var processing: [ProcessingActivity] { get }
    /// Adds the feature's tables about one person to their export (GDPR articles 15 and 20).
    func exportPerson(into export: PersonExport, on db: any Database) async throws
    /// Deletes what must go (contact data, sessions, tokens, links, messages) and lets what must
    /// remain point at the pseudonymised person; runs inside the erasure's transaction.
    func erase(_ erasure: PersonErasure, on db: any Database) async throws
    /// Clears what has been kept as long as the run's terms allow; returns the rows changed by table.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int]
    /// Sets what operators watch of the feature (a backlog, work under way) at a scrape of `/metrics`.
    func report(into metrics: ServiceMetrics, app: Application) async throws
}

extension Feature {
    var routes: [any RouteCollection] { [] }
    var migrations: [any Migration] { [] }
    var scheduled: [ScheduledTask] { [] }
    func export(into export: MunicipalityExport, on db: any Database) async throws {}
    func start(_ app: Application) async throws {}
    func loadDemo(into examples: DemoExamples, on db: any Database) async throws {}
    func report(into metrics: ServiceMetrics, app: Application) async throws {}
}

/// One piece of scheduled work: run every round (a few seconds) by the instance that holds `lease`,
/// or by every instance when the work claims its rows itself.
struct ScheduledTask: Sendable {
    var lease: ScheduledJob?
    var run: @Sendable (Application) async throws -> Void

    init(under lease: ScheduledJob?, _ run: @escaping @Sendable (Application) async throws -> Void) {
        self.lease = lease
        self.run = run
    }
}

/// The features' migrations in the one order every installation applies them. The number in a
/// migration's name (`M017Sessions`) gives its place; one without a number (Fluent's session table)
/// keeps its place after the one listed before it in its feature. Names are what the database
/// records, so they never change.
enum MigrationOrder {
    static func ordered(_ features: [any Feature]) -> [any Migration] {
        var placed: [(number: Int, step: Int, migration: any Migration)] = []
        for feature in features {
            var number = 0, step = 0
            for migration in feature.migrations {
                if let own = Self.number(migration.name) {
                    number = own
                    step = 0
                } else {
                    step += 1
                }
                placed.append((number, step, migration))
            }
        }
        return placed.sorted { ($0.number, $0.step) < ($1.number, $1.step) }.map(\.migration)
    }

    /// 17 for "M017Sessions".
    static func number(_ name: String) -> Int? {
        guard name.first == "M" else { return nil }
        return Int(name.dropFirst().prefix { $0.isNumber })
    }
}

struct FeaturesKey: StorageKey { typealias Value = [any Feature] }

extension Application {
    /// The features the composition root plugged in, for the kit pieces that go through them all.
    var features: [any Feature] { storage[FeaturesKey.self] ?? [] }
}
