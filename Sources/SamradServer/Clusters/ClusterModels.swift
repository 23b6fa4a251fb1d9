import Fluent
import Foundation
import SamradCore
import Vapor

/// A committed cluster of a collaboration, e.g. "Klynge Nord 1", starting in a wave, with a facilitator.
final class Cluster: Model, @unchecked Sendable {
    static let schema = "clusters"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "name") var name: String
    /// Order on the page (north to south when proposed).
    @Field(key: "position") var position: Int
    @Field(key: "wave") var wave: Int
    @OptionalField(key: "facilitator_id") var facilitatorID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

extension Cluster: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $collaborationID, $name, $position, $wave, $facilitatorID, $createdAt, $updatedAt
        ]
    }
}

final class ClusterMember: Model, @unchecked Sendable {
    static let schema = "cluster_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "cluster_id") var clusterID: UUID
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String

    init() {}

}

extension ClusterMember: MunicipalityColumns {
    static var countryColumn: KeyPath<ClusterMember, FieldProperty<ClusterMember, String>> { \.$municipalityCountry }
    static var codeColumn: KeyPath<ClusterMember, FieldProperty<ClusterMember, String>> { \.$municipalityCode }
}

/// The bounds and weights the clusters were formed with, so their measures read the same later.
final class ClusterSettings: Model, @unchecked Sendable {
    static let schema = "cluster_settings"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "min_size") var minSize: Int
    @Field(key: "max_size") var maxSize: Int
    @Field(key: "weight_geography") var weightGeography: Double
    @Field(key: "weight_size") var weightSize: Double
    @Field(key: "weight_profile") var weightProfile: Double
    @Field(key: "meetings") var meetings: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
