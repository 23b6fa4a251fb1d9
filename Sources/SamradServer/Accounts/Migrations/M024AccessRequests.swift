import Fluent
import SQLKit

/// Requests for access to a municipality or an organisation, from signed-in people, decided by its
/// coordinators or organisers.
struct M024AccessRequests: AsyncMigration {
    var name: String { "M024AccessRequests" }

    func prepare(on database: any Database) async throws {
        try await database.schema("access_requests")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .cascade))
            .field("work", .string, .required)
            .field("status", .string, .required)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decision_note", .string)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .create()
        try await database.sql.create(index: "access_requests_municipality").on("access_requests")
            .column("municipality_country").column("municipality_code").column("status").run()
        try await database.sql.create(index: "access_requests_organisation").on("access_requests")
            .column("organisation_id").run()
        try await database.sql.create(index: "access_requests_user").on("access_requests").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("access_requests").delete()
    }
}
