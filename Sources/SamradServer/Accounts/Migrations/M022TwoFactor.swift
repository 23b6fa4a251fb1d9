import Fluent
import SQLKit

/// Two-step sign-in: an account's TOTP key (RFC 6238) with the last time step it accepted (a code is taken once),
/// and its recovery codes, stored as SHA-256 only.
struct M022TwoFactor: AsyncMigration {
    var name: String { "M022TwoFactor" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("totp_secret", .string).update()
        try await database.schema("users").field("totp_last_step", .int64).update()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .create()
        try await database.sql.create(index: "recovery_codes_user").on("recovery_codes").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_codes").delete()
        try await database.schema("users").deleteField("totp_last_step").update()
        try await database.schema("users").deleteField("totp_secret").update()
    }
}
