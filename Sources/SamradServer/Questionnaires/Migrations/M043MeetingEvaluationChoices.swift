import Fluent

/// Whether a meeting sends the standard evaluation when it ends: its organisers may decline it.
struct M043MeetingEvaluationChoices: AsyncMigration {
    var name: String { "M043MeetingEvaluationChoices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("meeting_evaluation_choices")
            .field(
                "meeting_id", .uuid, .identifier(auto: false), .references("meetings", "id", onDelete: .cascade))
            .field("sends", .bool, .required)
            .field("decided_by", .string)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("meeting_evaluation_choices").delete()
    }
}
