import Fluent
import SQLKit

struct M002Accounts: AsyncMigration {
    var name: String { "M002Accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string)
            .field("language", .string)
            .field("person_id", .uuid)
            .field("disabled", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema("role_assignments")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("organisation_id", .uuid)
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .create()
        try await database.schema("account_tokens")
            .id()
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("email", .string)
            .field("role_kind", .string)
            .field("role_organisation_id", .uuid)
            .field("role_municipality", .string)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema("access_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema("sign_in_failures")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "sign_in_failures_email").on("sign_in_failures").column("email").column("at")
                .run()
            try await sql.create(index: "sign_in_failures_address").on("sign_in_failures").column("address").column(
                "at"
            ).run()
            try await sql.create(index: "role_assignments_user").on("role_assignments").column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["sign_in_failures", "access_tokens", "account_tokens", "role_assignments", "users"] {
            try await database.schema(table).delete()
        }
    }
}
