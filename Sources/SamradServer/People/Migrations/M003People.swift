import Fluent
import SQLKit

struct M003People: AsyncMigration {
    var name: String { "M003People" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("country", .string)
            .field("municipality_code", .string)
            .field("website", .string)
            .field("is_example", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("people")
            .id()
            .field("name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("position", .string, .required)
            .field("title", .string)
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .setNull))
            .field("is_example", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "people_municipality").on("people").column("municipality_country").column(
                "municipality_code"
            ).run()
            try await sql.create(index: "people_organisation").on("people").column("organisation_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("people").delete()
        try await database.schema("organisations").delete()
    }
}
