import Fluent
import SQLKit

struct M015Instances: AsyncMigration {
    var name: String { "M015Instances" }

    func prepare(on database: any Database) async throws {
        try await database.schema("job_leases")
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string)
            .field("lease_until", .datetime)
            .field("next_run_at", .datetime, .required)
            .field("last_finished_at", .datetime)
            .create()
        try await database.schema("public_form_posts")
            .field("form", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX public_form_posts_address ON public_form_posts (form, address, at)").run()
        try await sql.raw("CREATE INDEX public_form_posts_at ON public_form_posts (at)").run()
        // One column a statement: SQLite adds one per ALTER TABLE.
        try await database.schema("observation_imports").field("progress_phase", .string).update()
        try await database.schema("observation_imports").field("progress_done", .int).update()
        try await database.schema("observation_imports").field("progress_total", .int).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["progress_phase", "progress_done", "progress_total"] {
            try await database.schema("observation_imports").deleteField(.string(column)).update()
        }
        try await database.schema("public_form_posts").delete()
        try await database.schema("job_leases").delete()
    }
}
