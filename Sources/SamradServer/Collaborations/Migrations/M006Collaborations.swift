import Fluent
import SQLKit

struct M006Collaborations: AsyncMigration {
    var name: String { "M006Collaborations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("programmes")
            .id()
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("organiser_id", .uuid, .required, .references("organisations", "id"))
            .field("is_example", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()
        try await database.schema("collaborations")
            .id()
            .field("slug", .string, .required)
            .field("programme_id", .uuid, .references("programmes", "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("organiser_id", .uuid, .required, .references("organisations", "id"))
            .field("themes", .array(of: .string), .required)
            .field("target_groups", .array(of: .string), .required)
            .field("period_start", .string)
            .field("period_end", .string)
            .field("time_zone", .string, .required)
            .field("opens_at", .datetime)
            .field("deadline", .datetime)
            .field("capacity", .int)
            .field("seats", .array(of: .json), .required)
            .field("price_kind", .string, .required)
            .field("price_minor", .int64)
            .field("currency", .string, .required)
            .field("price_meetings", .int)
            .field("vat_note", .string)
            .field("funding", .array(of: .json), .required)
            .field("reminder_days", .array(of: .int), .required)
            .field("reminder_text", .string)
            .field("registration_sequence", .int, .required, .sql(.default(0)))
            .field("is_example", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug")
            .create()
        try await database.schema("collaboration_partners")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .unique(on: "collaboration_id", "organisation_id")
            .create()
        try await database.schema("collaboration_roles")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .unique(on: "collaboration_id", "person_id", "role")
            .create()
        try await database.schema("invitations")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("positions", .array(of: .string), .required)
            .field("recipients", .int, .required)
            .field("sent_at", .datetime)
            .field("reminders_sent", .array(of: .int), .required)
            .field("created_at", .datetime)
            .unique(on: "collaboration_id", "municipality_country", "municipality_code")
            .create()
        try await database.schema("registrations")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("status", .string, .required)
            .field("sequence", .int, .required)
            .field("registered_by", .uuid)
            .field("accepted_price_minor", .int64)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // One answer per municipality and collaboration, also under concurrent requests.
            .unique(on: "collaboration_id", "municipality_country", "municipality_code")
            .create()
        try await database.schema("registration_seats")
            .id()
            .field("registration_id", .uuid, .required, .references("registrations", "id", onDelete: .cascade))
            .field("position", .string, .required)
            .field("person_id", .uuid, .required, .references("people", "id"))
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "registrations_status").on("registrations").column("collaboration_id").column(
                "status"
            ).run()
            try await sql.create(index: "registration_seats_person").on("registration_seats").column("person_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in [
            "registration_seats", "registrations", "invitations", "collaboration_roles", "collaboration_partners",
            "collaborations", "programmes",
        ] {
            try await database.schema(table).delete()
        }
    }
}
