import Fluent
import Vapor

/// Indicators of learning and well-being, goals, imports of a municipality's own figures and the
/// school development dialogue report.
struct IndicatorsFeature: Feature {
    var routes: [any RouteCollection] {
        [IndicatorPages(), ImportPages(), GoalPages(), DialoguePages(), IndicatorAPI()]
    }
    var migrations: [any Migration] { [M011Indicators()] }

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
