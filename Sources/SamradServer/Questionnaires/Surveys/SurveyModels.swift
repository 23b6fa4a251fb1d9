import Fluent
import Foundation
import SamradCore
import Vapor

/// A class code for one school and grade, handed out by a teacher; at most `capacity` answers.
final class SurveyClassCode: Model, @unchecked Sendable {
    static let schema = "survey_class_codes"

    @ID(key: .id) var id: UUID?
    @Field(key: "questionnaire_id") var questionnaireID: UUID
    @Field(key: "code") var code: String
    @Field(key: "school_id") var schoolID: UUID
    @Field(key: "grade") var grade: Int
    @Field(key: "capacity") var capacity: Int
    @Field(key: "used") var used: Int
    @OptionalField(key: "created_by") var createdBy: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
