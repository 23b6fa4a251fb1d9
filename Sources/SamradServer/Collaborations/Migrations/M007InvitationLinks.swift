import Fluent
import SQLKit

/// Personal links in invitation and reminder e-mails: whoever opens one may answer for that
/// municipality in that collaboration without an account. Stored as SHA-256 only.
struct M007InvitationLinks: AsyncMigration {
    var name: String { "M007InvitationLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("invitation_links")
            .id()
            .field("token_hash", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "collaboration_roles_person").on("collaboration_roles").column("person_id")
                .run()
            try await sql.create(index: "collaborations_programme").on("collaborations").column("programme_id").run()
            // The status board joins a collaboration's registrations to their seats.
            try await sql.create(index: "registration_seats_registration").on("registration_seats").column(
                "registration_id"
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "registration_seats_registration").run()
            try await sql.drop(index: "collaborations_programme").run()
            try await sql.drop(index: "collaboration_roles_person").run()
        }
        try await database.schema("invitation_links").delete()
    }
}
