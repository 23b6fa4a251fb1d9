import Fluent
import Foundation

/// The clusters a municipality is in, read once per export (its meetings are theirs too).
struct ClusterMembership {
    var memberships: [ClusterMember]
    var byID: [UUID: Cluster]

    static func of(_ export: MunicipalityExport, on db: any Database) async throws -> ClusterMembership {
        let key = export.municipality
        return try await export.shared("clusters") {
            let memberships = try await ClusterMember.query(on: db).filter(
                \.$municipalityCountry == key.country.rawValue
            )
            .filter(\.$municipalityCode == key.code).all()
            let clusters = try await Cluster.query(on: db).filter(\.$id ~~ memberships.map(\.clusterID)).all()
            return ClusterMembership(
                memberships: memberships,
                byID: Dictionary(uniqueKeysWithValues: clusters.map { ($0.id!, $0) }))
        }
    }
}
