import Fluent
import SQLKit

/// Meetings of collaborations and clusters with their series, agendas, materials (bytes in the
/// database, so every instance serves them), attendance, commitments and calendar feeds; e-mails
/// may carry a calendar entry.
struct M009Meetings: AsyncMigration {
    var name: String { "M009Meetings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("meeting_series")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("cluster_id", .uuid, .references("clusters", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("pattern", .string, .required)
            .field("step", .string, .required)
            .field("count", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime)
            .create()
        try await database.schema("meetings")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            // Clusters with meetings are kept when clusters are formed again (ClusterForming.save).
            .field("cluster_id", .uuid, .references("clusters", "id", onDelete: .cascade))
            .field("series_id", .uuid, .references("meeting_series", "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("time_zone", .string, .required)
            .field("venue_name", .string)
            .field("venue_address", .string)
            .field("online_url", .string)
            .field("host_country", .string)
            .field("host_code", .string)
            .field("capacity", .int)
            .field("quota", .int)
            .field("audience", .string, .required)
            .field("audience_positions", .array(of: .string), .required)
            .field("registration_deadline", .datetime)
            .field("reminder_hours", .int)
            .field("reminder_sent_at", .datetime)
            .field("sequence", .int, .required, .sql(.default(0)))
            .field("attendance_sequence", .int, .required, .sql(.default(0)))
            .field("minutes", .string, .required)
            .field("decisions", .array(of: .string), .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("agenda_items")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("duration_minutes", .int, .required)
            .field("presenter_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("speaker_name", .string)
            .field("speaker_affiliation", .string)
            .field("questions", .array(of: .string), .required)
            .create()
        try await database.schema("materials")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("agenda_item_id", .uuid, .references("agenda_items", "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("uploaded_by", .uuid)
            .field("created_at", .datetime)
            .create()
        try await database.schema("material_contents")
            .field("material_id", .uuid, .identifier(auto: false), .references("materials", "id", onDelete: .cascade))
            .field("bytes", .data, .required)
            .create()
        try await database.schema("attendances")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("status", .string, .required)
            .field("sequence", .int, .required)
            .field("registered_by", .uuid)
            .field("checked_in_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // One registration per person and meeting, also under concurrent requests.
            .unique(on: "meeting_id", "person_id")
            .create()
        try await database.schema("commitments")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("cluster_id", .uuid, .references("clusters", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("text", .string, .required)
            .field("owner", .string, .required)
            .field("due_date", .string)
            .field("status", .string, .required)
            .field("done_at", .datetime)
            .field("created_at", .datetime)
            .create()
        try await database.schema("calendar_feeds")
            .id()
            .field("token", .string, .required)
            .field("person_id", .uuid, .references("people", "id", onDelete: .cascade))
            .field("cluster_id", .uuid, .references("clusters", "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "token")
            .create()
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for column in ["attachment_name", "attachment_type", "attachment"] {
            try await database.schema("outbox_messages").field(.string(column), .string).update()
        }
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "meetings_collaboration").on("meetings").column("collaboration_id").column(
                "starts_at"
            ).run()
            try await sql.create(index: "meetings_cluster").on("meetings").column("cluster_id").run()
            try await sql.create(index: "agenda_items_meeting").on("agenda_items").column("meeting_id").column(
                "position"
            ).run()
            try await sql.create(index: "materials_meeting").on("materials").column("meeting_id").run()
            try await sql.create(index: "attendances_person").on("attendances").column("person_id").run()
            try await sql.create(index: "commitments_scope").on("commitments").column("collaboration_id").column(
                "status"
            ).run()
            try await sql.create(index: "commitments_municipality").on("commitments").column("municipality_country")
                .column("municipality_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        for column in ["attachment", "attachment_type", "attachment_name"] {
            try await database.schema("outbox_messages").deleteField(.string(column)).update()
        }
        for table in [
            "calendar_feeds", "commitments", "attendances", "material_contents", "materials", "agenda_items",
            "meetings", "meeting_series",
        ] {
            try await database.schema(table).delete()
        }
    }
}
