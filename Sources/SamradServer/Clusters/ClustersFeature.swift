import Fluent
import Vapor

/// Clusters of 6-8 municipalities, planned from the registered ones.
struct ClustersFeature: Feature {
    var routes: [any RouteCollection] { [ClusterPages(), ClusterAPI()] }
    var migrations: [any Migration] { [M008Clusters()] }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await ClusterExport.add(to: export, on: db)
    }
}
