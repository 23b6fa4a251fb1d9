import Fluent
import Vapor

/// Indicators of learning and well-being, goals, imports of a municipality's own figures and the
/// school development dialogue report.
struct IndicatorsFeature: Feature {
    var routes: [any RouteCollection] {
        [IndicatorPages(), ImportPages(), GoalPages(), DialoguePages(), IndicatorAPI()]
    }
    var migrations: [any Migration] { [M011Indicators(), M039DayCareUnits()] }

    func start(_ app: Application) async throws {
        try await ImportJob.markInterrupted(on: app.db)
        guard app.settings.loadsIndicatorData else { return }
        try await ShippedIndicators.load(
            on: app.db, folder: app.resources.url("Indicators"),
            directory: app.municipalities, logger: app.logger)
        // Read into memory now, so the first dashboard after a start is as quick as the rest.
        _ = try await app.storage[IndicatorStore.Key.self]?.current(on: app.db)
    }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await IndicatorExport.add(to: export, on: db)
    }
}

extension IndicatorsFeature {
    /// Imports under way in this instance, and the rows they have still to check or write.
    func report(into metrics: ServiceMetrics, app: Application) async throws {
        let running = app.storage[ImportProgress.Key.self]?.all ?? []
        metrics.set("samrad_imports_running", Double(running.count))
        metrics.set("samrad_import_rows_remaining", Double(running.reduce(0) { $0 + max(0, $1.total - $1.done) }))
    }
}

