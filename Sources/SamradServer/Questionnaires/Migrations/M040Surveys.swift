import Fluent
import SQLKit

/// Surveys of many: their answers as compact records per unit (a school, or a municipality's
/// respondents outside its schools), their text answers apart, and class codes for pupils.
struct M040Surveys: AsyncMigration {
    var name: String { "M040Surveys" }

    func prepare(on database: any Database) async throws {
        try await database.schema("survey_units")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("unit", .int, .required)
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            /// "" for a municipality's respondents who named no school.
            .field("school_code", .string, .required)
            .unique(on: "questionnaire_id", "unit", name: "survey_units_index")
            .unique(
                on: "questionnaire_id", "municipality_country", "municipality_code", "school_code",
                name: "survey_units_place")
            .create()
        try await database.schema("survey_answers")
            .field("seq", .int64, .identifier(auto: true))
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("unit", .int, .required)
            .field("grade", .int)
            .field("record", .data, .required)
            .create()
        try await database.schema("survey_texts")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("unit", .int, .required)
            .field("question", .string, .required)
            .field("text", .string, .required)
            .create()
        try await database.schema("survey_class_codes")
            .id()
            .field("questionnaire_id", .uuid, .required, .references("questionnaires", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("school_id", .uuid, .required, .references("schools", "id", onDelete: .cascade))
            .field("grade", .int, .required)
            .field("capacity", .int, .required)
            .field("used", .int, .required)
            .field("created_by", .string)
            .field("created_at", .datetime)
            .unique(on: "code")
            .create()
        let sql = database as! any SQLDatabase
        // The results read a survey's records in order from where an instance last read.
        try await sql.raw("CREATE INDEX survey_answers_questionnaire ON survey_answers (questionnaire_id, seq)").run()
        try await sql.raw("CREATE INDEX survey_texts_questionnaire ON survey_texts (questionnaire_id, unit)").run()
        try await sql.raw("CREATE INDEX survey_class_codes_questionnaire ON survey_class_codes (questionnaire_id)")
            .run()
    }

    func revert(on database: any Database) async throws {
        for table in [
"survey_class_codes", "survey_texts", "survey_answers", "survey_units"] {
            try await database.schema(table).delete()
        }
    }
}
