import Fluent
import SQLKit

/// Requests for access to a municipality, from signed-in people, decided by its coordinators.
struct M024AccessRequests: AsyncMigration {
    var name: String { "M024AccessRequests" }

    func prepare(on database: any Database) async throws {
        try await database.schema("access_requests")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("work", .string, .required)
            .field("status", .string, .required)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decision_note", .string)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .create()
        try await database.sql.create(index: "access_requests_municipality").on("access_requests")
            .column("municipality_country").column("municipality_code").column("status").run()
        try await database.sql.create(index: "access_requests_user").on("access_requests").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("access_requests").delete()
    }
}
