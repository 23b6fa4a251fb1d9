import Fluent
import Foundation
import SamradCore
import Vapor

/// What makes a questionnaire a survey of many (its audience is one of `QuestionnaireAudience.isSurvey`):
/// the promise made to those asked, and for staff the positions asked and whether they name their
/// school; for a meeting's participants the meeting, and whether it is the meeting's evaluation.
final class SurveySettings: Model, @unchecked Sendable {
    static let schema = "surveys"

    @ID(custom: "questionnaire_id", generatedBy: .user) var id: UUID?
    @Field(key: "anonymity") var anonymity: String
    @Field(key: "positions") var positions: [String]
    @OptionalField(key: "meeting_id") var meetingID: UUID?
    @Field(key: "asks_school") var asksSchool: Bool
    /// Made by the meeting itself when it ends: the standard evaluation form.
    @Field(key: "evaluation") var evaluation: Bool
    /// For a list of addresses: each as `SurveyAddressList.Entry.line`.
    @Field(key: "addresses") var addresses: [String]

    init() {}

    init(questionnaireID: UUID, anonymity: SurveyAnonymity) {
        id = questionnaireID
        self.anonymity = anonymity.rawValue
        positions = []
        asksSchool = false
        evaluation = false
        addresses = []
    }

    var anonymityValue: SurveyAnonymity { SurveyAnonymity(rawValue: anonymity) ?? .anonymous }
}

/// An organiser's choice for one meeting: without a row, a meeting with someone checked in sends
/// its evaluation when it ends.
final class MeetingEvaluationChoice: Model, @unchecked Sendable {
    static let schema = "meeting_evaluation_choices"

    @ID(custom: "meeting_id", generatedBy: .user) var id: UUID?
    @Field(key: "sends") var sends: Bool
    @OptionalField(key: "decided_by") var decidedBy: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

extension Questionnaire {
    /// The smallest group its survey results show (`SurveyPolicy.shownFrom`).
    var surveyThreshold: Int { SurveyPolicy.shownFrom(threshold: threshold, audience: audienceValue) }
}

/// One person asked by a survey, by e-mail. It is never changed when they answer: see `SurveyToken`.
final class SurveyInvitation: Model, @unchecked Sendable {
    static let schema = "survey_invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "questionnaire_id") var questionnaireID: UUID
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "email") var email: String
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var municipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, code)
    }
}

/// A one-time link of an invitation (the SHA-256 of its key), one per e-mail sent. Answering removes
/// every link of the invitation in the transaction that stores the answer: that they are gone is the
/// only record that the person answered, with no time and nothing that points at the answer.
final class SurveyToken: Model, @unchecked Sendable {
    static let schema = "survey_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "invitation_id") var invitationID: UUID

    init() {}
}

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
