import Fluent

struct M001Directory: AsyncMigration {
    var name: String { "M001Directory" }

    func prepare(on database: any Database) async throws {
        try await database.schema("municipalities")
            .field("country", .string, .required)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("region_code", .string, .required)
            .field("region_name", .string, .required)
            .field("population", .int, .required)
            .field("population_date", .string, .required)
            .field("area_km2", .double, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("group_code", .string)
            .field("group_name", .string)
            .compositeIdentifier(over: "country", "code")
            .create()
        try await database.schema("municipality_links")
            .field("country", .string, .required)
            .field("code", .string, .required)
            .field("relation", .string, .required)
            .field("other_code", .string, .required)
            .field("rank", .int, .required)
            .compositeIdentifier(over: "country", "code", "relation", "other_code")
            .create()
        try await database.schema("directory_versions")
            .field("version", .string, .identifier(auto: false))
            .field("imported_at", .datetime, .required)
            .field("municipality_count", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("directory_versions").delete()
        try await database.schema("municipality_links").delete()
        try await database.schema("municipalities").delete()
    }
}
