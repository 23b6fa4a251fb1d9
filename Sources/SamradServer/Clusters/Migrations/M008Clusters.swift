import Fluent
import SQLKit

/// Committed clusters of a collaboration, their members (a municipality is in at most one cluster of
/// a collaboration) and the settings the organiser formed them with.
struct M008Clusters: AsyncMigration {
    var name: String { "M008Clusters" }

    func prepare(on database: any Database) async throws {
        try await database.schema("clusters")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("wave", .int, .required)
            .field("facilitator_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "collaboration_id", "name")
            .create()
        try await database.schema("cluster_members")
            .id()
            .field("cluster_id", .uuid, .required, .references("clusters", "id", onDelete: .cascade))
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .unique(on: "collaboration_id", "municipality_country", "municipality_code")
            .create()
        try await database.schema("cluster_settings")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("min_size", .int, .required)
            .field("max_size", .int, .required)
            .field("weight_geography", .double, .required)
            .field("weight_size", .double, .required)
            .field("weight_profile", .double, .required)
            .field("meetings", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "collaboration_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "cluster_members_cluster").on("cluster_members").column("cluster_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["cluster_settings", "cluster_members", "clusters"] { try await database.schema(table).delete() }
    }
}
