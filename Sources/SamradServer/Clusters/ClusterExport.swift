import Fluent
import SamradCore

/// clusters.csv of a municipality's export.
enum ClusterExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let collaborations = try await CollaborationNames.of(export, on: db)
        let clusters = try await ClusterMembership.of(export, on: db)
        export.csv(
            "clusters.csv", "The clusters the municipality is in.",
            ["collaboration", "collaboration_title", "cluster", "wave"],
            clusters.memberships.compactMap { m in
                clusters.byID[m.clusterID].map {
                    [
                        collaborations.slug(m.collaborationID), collaborations.title(m.collaborationID), $0.name,
                        String($0.wave),
                    ]
                }
            })
    }
}
