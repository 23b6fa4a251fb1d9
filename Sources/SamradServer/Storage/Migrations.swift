import Fluent
import SQLKit

/// Numbered, reversible migrations, in the order they were written. Never edit a released one; add
/// the next number.
enum Migrations {
    static var all: [any Migration] {
        [
            M001Directory(),
            M002Accounts(),
            SessionRecord.migration,
            M003People(),
            M004Outbox(),
            M005Audit(),
            M006Collaborations(),
            M007InvitationLinks(),
            M008Clusters(),
            M009Meetings(),
            M010Questionnaires(),
            M011Indicators(),
            M012Knowledge(),
            M013Guides(),
            M014Newsletters(),
            M015Instances(),
            M016Trust(),
            M017Sessions(),
            M018CalendarFeeds(),
            M019InvitationReach(),
            M020MeetingLinks(),
        ]
    }
}

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
            try await sql.create(index: "sign_in_failures_email").on("sign_in_failures").column("email").column("at").run()
            try await sql.create(index: "sign_in_failures_address").on("sign_in_failures").column("address").column("at").run()
            try await sql.create(index: "role_assignments_user").on("role_assignments").column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["sign_in_failures", "access_tokens", "account_tokens", "role_assignments", "users"] {
            try await database.schema(table).delete()
        }
    }
}

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
            try await sql.create(index: "people_municipality").on("people").column("municipality_country").column("municipality_code").run()
            try await sql.create(index: "people_organisation").on("people").column("organisation_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("people").delete()
        try await database.schema("organisations").delete()
    }
}

struct M004Outbox: AsyncMigration {
    var name: String { "M004Outbox" }

    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .id()
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime)
            .field("sent_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "outbox_due").on("outbox_messages").column("status").column("next_attempt_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
    }
}

struct M005Audit: AsyncMigration {
    var name: String { "M005Audit" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_user_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("summary", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_entries_at").on("audit_entries").column("at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").delete()
    }
}

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
            try await sql.create(index: "registrations_status").on("registrations").column("collaboration_id").column("status").run()
            try await sql.create(index: "registration_seats_person").on("registration_seats").column("person_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["registration_seats", "registrations", "invitations", "collaboration_roles", "collaboration_partners", "collaborations", "programmes"] {
            try await database.schema(table).delete()
        }
    }
}

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
            try await sql.create(index: "collaboration_roles_person").on("collaboration_roles").column("person_id").run()
            try await sql.create(index: "collaborations_programme").on("collaborations").column("programme_id").run()
            // The status board joins a collaboration's registrations to their seats.
            try await sql.create(index: "registration_seats_registration").on("registration_seats").column("registration_id").run()
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

/// Committed clusters of a collaboration, their members (a municipality is in at most one cluster of
/// a collaboration) and the settings the organiser formed them with.
struct M008Clusters: AsyncMigration {
    var name: String { "M008Clusters" }

    func prepare(on database: any Database) async throws {
        try await database.schema("clusters")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("wave", .int, .required)
            .field("facilitator_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "collaboration_id", "name")
            .create()
        try await database.schema("cluster_members")
            .id()
            .field("cluster_id", .uuid, .required, .references("clusters", "id", onDelete: .cascade))
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .unique(on: "collaboration_id", "municipality_country", "municipality_code")
            .create()
        try await database.schema("cluster_settings")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("min_size", .int, .required)
            .field("max_size", .int, .required)
            .field("weight_geography", .double, .required)
            .field("weight_size", .double, .required)
            .field("weight_profile", .double, .required)
            .field("meetings", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "collaboration_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "cluster_members_cluster").on("cluster_members").column("cluster_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["cluster_settings", "cluster_members", "clusters"] { try await database.schema(table).delete() }
    }
}

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
            try await sql.create(index: "meetings_collaboration").on("meetings").column("collaboration_id").column("starts_at").run()
            try await sql.create(index: "meetings_cluster").on("meetings").column("cluster_id").run()
            try await sql.create(index: "agenda_items_meeting").on("agenda_items").column("meeting_id").column("position").run()
            try await sql.create(index: "materials_meeting").on("materials").column("meeting_id").run()
            try await sql.create(index: "attendances_person").on("attendances").column("person_id").run()
            try await sql.create(index: "commitments_scope").on("commitments").column("collaboration_id").column("status").run()
            try await sql.create(index: "commitments_municipality").on("commitments").column("municipality_country").column("municipality_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        for column in ["attachment", "attachment_type", "attachment_name"] {
            try await database.schema("outbox_messages").deleteField(.string(column)).update()
        }
        for table in ["calendar_feeds", "commitments", "attendances", "material_contents", "materials", "agenda_items", "meetings", "meeting_series"] {
            try await database.schema(table).delete()
        }
    }
}

struct M010Questionnaires: AsyncMigration {
    var name: String { "M010Questionnaires" }

    func prepare(on database: any Database) async throws {
        try await database.schema("questionnaires")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("cluster_id", .uuid, .references("clusters", "id", onDelete: .setNull))
            .field("previous_id", .uuid, .references("questionnaires", "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("intro", .string, .required)
            .field("form", .json, .required)
            .field("audience", .string, .required)
            .field("people", .array(of: .uuid), .required)
            .field("opens_at", .datetime)
            .field("closes_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("sent_at", .datetime)
            .field("reminder_days", .array(of: .int), .required)
            .field("reminders_sent", .array(of: .int), .required)
            .field("threshold", .int, .required)
            .field("prefill", .bool, .required)
            .field("visibility", .string, .required)
            .field("published_at", .datetime)
            .field("texts_published", .bool, .required)
            .field("revision", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("questionnaire_responses")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("person_id", .uuid, .references("people", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("updated_by", .string)
            .field("submitted_at", .datetime)
            .field("submitted_by", .string)
            .field("reopened", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // One authoritative answer per municipality, and per named person.
            // Named: PostgreSQL cuts the generated names at 63 characters, where these two are the same.
            .unique(on: "questionnaire_id", "municipality_country", "municipality_code", name: "questionnaire_responses_municipality")
            .unique(on: "questionnaire_id", "person_id", name: "questionnaire_responses_person")
            .create()
        try await database.schema("questionnaire_answers")
            .id()
            .field("response_id", .uuid, .required, .references("questionnaire_responses", "id", onDelete: .cascade))
            .field("question", .string, .required)
            .field("statement", .string)
            .field("option", .string)
            .field("number", .double)
            .field("text", .string)
            .create()
        try await database.schema("questionnaire_links")
            .id()
            .field("token_hash", .string, .required)
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("respondent_id", .uuid, .references("people", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("may_submit", .bool, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema("questionnaire_revisions")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("revision", .int, .required)
            .field("changed", .array(of: .string), .required)
            .field("changed_by", .string)
            .field("previous_form", .json, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("agenda_items")
            .field("questionnaire_id", .uuid, .references("questionnaires", "id", onDelete: .setNull))
            .update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "questionnaires_collaboration").on("questionnaires").column("collaboration_id").run()
            try await sql.create(index: "questionnaire_answers_response").on("questionnaire_answers").column("response_id").column("question").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("agenda_items").deleteField("questionnaire_id").update()
        for table in ["questionnaire_revisions", "questionnaire_links", "questionnaire_answers", "questionnaire_responses", "questionnaires"] {
            try await database.schema(table).delete()
        }
    }
}

struct M011Indicators: AsyncMigration {
    var name: String { "M011Indicators" }

    func prepare(on database: any Database) async throws {
        try await database.schema("indicators")
            .id()
            .field("code", .string, .required)
            .field("name_da", .string, .required)
            .field("name_sv", .string, .required)
            .field("name_en", .string, .required)
            .field("unit", .string, .required)
            .field("direction", .string, .required)
            .field("level", .string, .required)
            .field("category", .string, .required)
            .field("country", .string)
            .field("source", .string, .required)
            .field("licence", .string, .required)
            .field("decimals", .int, .required)
            .field("pupil_sd", .double)
            .field("built_in", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.schema("schools")
            .id()
            .field("country", .string, .required)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("municipality_code", .string, .required)
            .field("organiser_type", .string)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("created_at", .datetime)
            .unique(on: "country", "code")
            .create()
        // No surrogate id: a million rows are written in bulk and found by their natural key.
        // `scope` is "" for published statistics, or the municipality ("dk/751") whose own figures they are.
        try await database.schema("observations")
            .field("indicator", .string, .required)
            .field("level", .string, .required)
            .field("country", .string, .required)
            .field("unit_code", .string, .required)
            .field("year", .int, .required)
            .field("scope", .string, .required)
            .field("value", .double)
            .field("status", .string, .required)
            .field("pupils", .int)
            .field("import_id", .uuid)
            .unique(on: "indicator", "level", "country", "unit_code", "year", "scope", name: "observations_key")
            .create()
        try await database.schema("observation_imports")
            .id()
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("scope", .string, .required)
            .field("file_name", .string, .required)
            .field("format", .string, .required)
            .field("country", .string, .required)
            .field("level", .string, .required)
            .field("status", .string, .required)
            .field("rows", .int, .required)
            .field("imported", .int, .required)
            .field("rejected", .int, .required)
            .field("skip_bad_rows", .bool, .required)
            .field("problems", .json, .required)
            .field("message", .string)
            .field("created_at", .datetime)
            .field("finished_at", .datetime)
            .create()
        try await database.schema("import_uploads")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("file_name", .string, .required)
            .field("format", .string, .required)
            .field("content", .data, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("import_mappings")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("signature", .string, .required)
            .field("mapping", .json, .required)
            .field("updated_at", .datetime)
            .unique(on: "user_id", "signature")
            .create()
        try await database.schema("goal_requests")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("indicators", .array(of: .string), .required)
            .field("message", .string, .required)
            .field("due_on", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema("goals")
            .id()
            .field("level", .string, .required)
            .field("country", .string, .required)
            .field("unit_code", .string, .required)
            .field("municipality_code", .string, .required)
            .field("indicator", .string, .required)
            .field("baseline_year", .int, .required)
            .field("baseline_value", .double, .required)
            .field("target_year", .int, .required)
            .field("target_value", .double, .required)
            .field("reason", .string, .required)
            .field("owner", .string, .required)
            .field("request_id", .uuid, .references("goal_requests", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("next_steps")
            .id()
            .field("level", .string, .required)
            .field("country", .string, .required)
            .field("unit_code", .string, .required)
            .field("municipality_code", .string, .required)
            .field("year", .int, .required)
            .field("text", .string, .required)
            .field("responsible", .string, .required)
            .field("follow_up", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("indicator_datasets")
            .field("version", .string, .required)
            .field("imported_at", .datetime)
            .unique(on: "version")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "goals_unit").on("goals").column("country").column("municipality_code").run()
            try await sql.create(index: "next_steps_unit").on("next_steps").column("country").column("municipality_code").run()
            try await sql.create(index: "observations_scope").on("observations").column("scope").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["indicator_datasets", "next_steps", "goals", "goal_requests", "import_mappings", "import_uploads",
                      "observation_imports", "observations", "schools", "indicators"] {
            try await database.schema(table).delete()
        }
    }
}

struct M012Knowledge: AsyncMigration {
    var name: String { "M012Knowledge" }

    func prepare(on database: any Database) async throws {
        try await database.schema("knowledge_materials")
            .id()
            .field("slug", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("body", .string, .required)
            // The body as a reader sees it, without markup: what search indexes and quotes.
            .field("body_text", .string)
            .field("themes", .array(of: .string), .required)
            .field("grade_bands", .array(of: .string), .required)
            .field("authors", .array(of: .string), .required)
            .field("contact", .string)
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("school", .string)
            .field("country", .string)
            .field("language", .string, .required)
            .field("licence", .string, .required)
            .field("consent", .bool, .required)
            .field("visibility", .string, .required)
            .field("status", .string, .required)
            .field("collaboration_id", .uuid, .references("collaborations", "id", onDelete: .setNull))
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("review_note", .string)
            .field("submitted_at", .datetime)
            .field("published_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // SQLite's search index row of the material (FTS5 rows are found by integer).
            .field("search_key", .int)
            .unique(on: "slug")
            .create()
        try await database.schema("knowledge_themes")
            .id()
            .field("material_id", .uuid, .required, .references("knowledge_materials", "id", onDelete: .cascade))
            .field("theme", .string, .required)
            // Whether the material is published and public: the bank's theme list is read from these.
            .field("listed", .bool, .required)
            .create()
        try await database.schema("knowledge_attachments")
            .id()
            .field("material_id", .uuid, .required, .references("knowledge_materials", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("knowledge_attachment_contents")
            .field("attachment_id", .uuid, .identifier(auto: false), .references("knowledge_attachments", "id", onDelete: .cascade))
            .field("bytes", .data, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX knowledge_materials_listing ON knowledge_materials (status, published_at)").run()
        try await sql.raw("CREATE INDEX knowledge_materials_owner ON knowledge_materials (created_by)").run()
        try await sql.raw("CREATE UNIQUE INDEX knowledge_materials_search_key ON knowledge_materials (search_key)").run()
        try await sql.raw("CREATE INDEX knowledge_themes_theme ON knowledge_themes (theme, material_id)").run()
        try await sql.raw("CREATE INDEX knowledge_themes_listed ON knowledge_themes (listed, theme)").run()
        try await sql.raw("CREATE INDEX knowledge_themes_material ON knowledge_themes (material_id)").run()
        try await KnowledgeSearch.prepare(sql)
    }

    func revert(on database: any Database) async throws {
        try await KnowledgeSearch.revert(database as! any SQLDatabase)
        for table in ["knowledge_attachment_contents", "knowledge_attachments", "knowledge_themes", "knowledge_materials"] {
            try await database.schema(table).delete()
        }
    }
}

struct M013Guides: AsyncMigration {
    var name: String { "M013Guides" }

    func prepare(on database: any Database) async throws {
        try await database.schema("discussion_guides")
            .id()
            .field("title", .string, .required)
            .field("introduction", .string, .required)
            .field("language", .string, .required)
            .field("audience", .string, .required)
            .field("sections", .json, .required)
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .cascade))
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("collaboration_id", .uuid, .references("collaborations", "id", onDelete: .setNull))
            .field("published", .bool, .required)
            .field("presentation_name", .string)
            .field("presentation_type", .string)
            .field("presentation_size", .int)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("guide_presentations")
            .field("guide_id", .uuid, .identifier(auto: false), .references("discussion_guides", "id", onDelete: .cascade))
            .field("bytes", .data, .required)
            .create()
        try await database.schema("local_dialogues")
            .id()
            .field("guide_id", .uuid, .required, .references("discussion_guides", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("held_on", .string, .required)
            .field("committee", .string, .required)
            .field("participants", .json, .required)
            .field("notes", .json, .required)
            .field("agreements", .json, .required)
            .field("shared_at", .datetime)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX local_dialogues_guide ON local_dialogues (guide_id, municipality_country, municipality_code)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["local_dialogues", "guide_presentations", "discussion_guides"] { try await database.schema(table).delete() }
    }
}

struct M014Newsletters: AsyncMigration {
    var name: String { "M014Newsletters" }

    func prepare(on database: any Database) async throws {
        try await database.schema("newsletters")
            .id()
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("language", .string, .required)
            .field("audience", .json, .required)
            .field("archive", .string, .required)
            .field("status", .string, .required)
            .field("send_at", .datetime)
            .field("claimed_until", .datetime)
            .field("sent_at", .datetime)
            .field("recipient_count", .int, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("newsletter_deliveries")
            .id()
            .field("newsletter_id", .uuid, .required, .references("newsletters", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("person_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "newsletter_id", "email")
            .unique(on: "token_hash")
            .create()
        try await database.schema("newsletter_unsubscriptions")
            .id()
            .field("email", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "email", "collaboration_id")
            .create()
        // One column a statement: SQLite adds one per ALTER TABLE.
        try await database.schema("outbox_messages").field("html_body", .string).update()
        try await database.schema("outbox_messages").field("extra_headers", .string).update()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX newsletters_due ON newsletters (status, send_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("html_body").update()
        try await database.schema("outbox_messages").deleteField("extra_headers").update()
        for table in ["newsletter_unsubscriptions", "newsletter_deliveries", "newsletters"] { try await database.schema(table).delete() }
    }
}

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
        let sql = database as! any SQLDatabase
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

/// What the security review of December 2026 asked of the schema: results that stay as published,
/// and indexes for the lookups every signed-in request and every sign-in makes.
struct M016Trust: AsyncMigration {
    var name: String { "M016Trust" }

    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("registrations_municipality", "registrations", ["municipality_country", "municipality_code", "status"]),
        ("cluster_members_municipality", "cluster_members", ["municipality_country", "municipality_code"]),
        ("people_email", "people", ["email"]),
        ("people_municipality_code", "people", ["municipality_code"]),
        ("goals_unit_code", "goals", ["unit_code"]),
        ("next_steps_unit_code", "next_steps", ["unit_code"]),
        ("role_assignments_municipality", "role_assignments", ["municipality_country", "municipality_code"]),
    ]

    func prepare(on database: any Database) async throws {
        // Set when results are first published: from then on answering cannot reopen and the
        // threshold stays, so no later read differs from an earlier one by a few answers.
        try await database.schema("questionnaires").field("results_locked_at", .datetime).update()
        let sql = database as! any SQLDatabase
        for index in Self.indexes {
            var create = sql.create(index: SQLIdentifier(index.name)).on(index.table)
            for column in index.columns { create = create.column(column) }
            try await create.run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes.reversed() {
            try await sql.drop(index: SQLIdentifier(index.name)).run()
        }
        try await database.schema("questionnaires").deleteField("results_locked_at").update()
    }
}

/// Sessions with an end kept by the server (`SessionStore`): when made and when last seen. The
/// sessions of Fluent's table end with this change (people sign in again).
struct M017Sessions: AsyncMigration {
    var name: String { "M017Sessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("web_sessions")
            .field("key", .string, .identifier(auto: false))
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "web_sessions_last_seen").on("web_sessions").column("last_seen_at").run()
        try await sql.raw("DELETE FROM _fluent_sessions").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("web_sessions").delete()
    }
}

/// Calendar feed addresses kept as their SHA-256 (the addresses already given out keep working:
/// their secrets are hashed in place), and a cluster's addresses per account.
struct M018CalendarFeeds: AsyncMigration {
    var name: String { "M018CalendarFeeds" }

    func prepare(on database: any Database) async throws {
        try await database.schema("calendar_feeds").field("user_id", .uuid).update()
        let sql = database as! any SQLDatabase
        struct Row: Decodable { var id: UUID; var token: String }
        for row in try await sql.raw("SELECT id, token FROM calendar_feeds").all(decoding: Row.self) {
            try await sql.raw("UPDATE calendar_feeds SET token = \(bind: Secret.hash(row.token)) WHERE id = \(bind: row.id)").run()
        }
        // Shared cluster addresses had no owner: they end (each member makes their own).
        try await sql.raw("DELETE FROM calendar_feeds WHERE cluster_id IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("calendar_feeds").deleteField("user_id").update()
    }
}

/// Invitations that always reach a municipality: its official mailbox (kept by administrators), who
/// each invitation reached, and personal links that belong to a mailbox rather than a person.
struct M019InvitationReach: AsyncMigration {
    var name: String { "M019InvitationReach" }

    func prepare(on database: any Database) async throws {
        try await database.schema("municipality_mailboxes")
            .id()
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("email", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "municipality_country", "municipality_code")
            .create()
        try await database.schema("invitations").field("reached", .array(of: .json)).update()
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            // SQLite cannot drop a NOT NULL: the table is made again and its rows copied.
            try await sql.raw("ALTER TABLE invitation_links RENAME TO invitation_links_before_m019").run()
            try await Self.createLinks(on: database, personRequired: false)
            try await sql.raw("""
                INSERT INTO invitation_links (id, token_hash, collaboration_id, municipality_country, municipality_code,
                    person_id, expires_at, last_used_at, created_at)
                SELECT id, token_hash, collaboration_id, municipality_country, municipality_code,
                    person_id, expires_at, last_used_at, created_at FROM invitation_links_before_m019
                """).run()
            try await sql.raw("DROP TABLE invitation_links_before_m019").run()
        } else {
            try await sql.raw("ALTER TABLE invitation_links ALTER COLUMN person_id DROP NOT NULL").run()
        }
    }

    static func createLinks(on database: any Database, personRequired: Bool) async throws {
        var person: [DatabaseSchema.FieldConstraint] = [.references("people", "id", onDelete: .cascade)]
        if personRequired { person.insert(.required, at: 0) }
        try await database.schema("invitation_links")
            .id()
            .field("token_hash", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field(.definition(name: .key("person_id"), dataType: .uuid, constraints: person))
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // Mailbox links have no person to keep them by.
        try await sql.raw("DELETE FROM invitation_links WHERE person_id IS NULL").run()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("ALTER TABLE invitation_links ALTER COLUMN person_id SET NOT NULL").run()
        }
        try await database.schema("invitations").deleteField("reached").update()
        try await database.schema("municipality_mailboxes").delete()
    }
}

/// Personal links in meeting e-mails: whoever opens one registers for that meeting, or cancels, as
/// the person it was sent to, without an account. Stored as SHA-256 only.
struct M020MeetingLinks: AsyncMigration {
    var name: String { "M020MeetingLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("meeting_links")
            .id()
            .field("token_hash", .string, .required)
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("meeting_links").delete()
    }
}
