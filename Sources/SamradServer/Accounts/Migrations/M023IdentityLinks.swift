import Fluent
import SQLKit

/// Accounts linked to an identity provider's subject: the provider says who signs in, never an
/// e-mail address alone. The municipality the provider named at the last sign-in is kept for
/// access requests.
struct M023IdentityLinks: AsyncMigration {
    var name: String { "M023IdentityLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("identity_links")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("provider", .string, .required)
            .field("subject", .string, .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("claimed_country", .string)
            .field("claimed_code", .string)
            .unique(on: "provider", "subject")
            .create()
        try await database.sql.create(index: "identity_links_user").on("identity_links").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("identity_links").delete()
    }
}
