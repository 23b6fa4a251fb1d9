import Fluent
import SQLKit

/// Whose session it is and in which browser, so that a password change or a removed role can end a person's
/// other sessions and the profile can list them.
struct M021SessionOwners: AsyncMigration {
    var name: String { "M021SessionOwners" }

    func prepare(on database: any Database) async throws {
        try await database.schema("web_sessions").field("user_id", .uuid).update()
        try await database.schema("web_sessions").field("user_agent", .string).update()
        try await database.sql.create(index: "web_sessions_user").on("web_sessions").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "web_sessions_user").run()
        try await database.schema("web_sessions").deleteField("user_agent").update()
        try await database.schema("web_sessions").deleteField("user_id").update()
    }
}
