import Fluent
import SQLKit

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
            .unique(
                on: "questionnaire_id", "municipality_country", "municipality_code",
                name: "questionnaire_responses_municipality"
            )
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
            try await sql.create(index: "questionnaires_collaboration").on("questionnaires").column("collaboration_id")
                .run()
            try await sql.create(index: "questionnaire_answers_response").on("questionnaire_answers").column(
                "response_id"
            ).column("question").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("agenda_items").deleteField("questionnaire_id").update()
        for table in [
            "questionnaire_revisions", "questionnaire_links", "questionnaire_answers", "questionnaire_responses",
            "questionnaires",
        ] {
            try await database.schema(table).delete()
        }
    }
}
