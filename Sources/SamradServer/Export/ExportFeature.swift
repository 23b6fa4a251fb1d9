import Vapor

/// A municipality's export as a download; the files come from every feature (`Feature.export`).
struct ExportFeature: Feature {
    var routes: [any RouteCollection] { [MunicipalityExportPages()] }
}
