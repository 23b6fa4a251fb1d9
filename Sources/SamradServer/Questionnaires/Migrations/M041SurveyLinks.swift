import Fluent
import SQLKit

/// Surveys by one-time link: what a survey promises and whom it asks (positions, a meeting, a list
/// of addresses), each person asked, and their links, kept apart from the answers.
struct M041SurveyLinks: AsyncMigration {
    var name: String { "M041SurveyLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("surveys")
            .field(
                "questionnaire_id", .uuid, .identifier(auto: false),
                .references("questionnaires", "id", onDelete: .cascade))
            .field("anonymity", .string, .required)
            .field("positions", .array(of: .string), .required)
            .field("meeting_id", .uuid, .references("meetings", "id", onDelete: .setNull))
            .field("asks_school", .bool, .required)
            .field("evaluation", .bool, .required)
            .field("addresses", .array(of: .string), .required)
            .create()
        try await database.schema("survey_invitations")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("person_id", .uuid, .references("people", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("municipality_country", .string)
            .field("municipality_code", .string)
            .field("created_at", .datetime)
            .unique(on: "questionnaire_id", "email", name: "survey_invitations_email")
            .create()
        // A link's use is its removal: nothing of when or by whom is left to set beside the answers.
        try await database.schema("survey_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("invitation_id", .uuid, .required, .references("survey_invitations", "id", onDelete: .cascade))
            .unique(on: "token_hash")
            .create()
        try await (database as! any SQLDatabase).raw(
            "CREATE INDEX survey_tokens_invitation ON survey_tokens (invitation_id)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        for table in ["survey_tokens", "survey_invitations", "surveys"] {
            try await database.schema(table).delete()
        }
    }
}
