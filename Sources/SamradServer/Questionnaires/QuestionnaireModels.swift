import Fluent
import Foundation
import SamradCore
import Vapor

/// A questionnaire of a collaboration (or of one cluster), or a municipality's own survey of its
/// schools: its form as one JSON document, its audience, the answering window with reminders, and how
/// its results are published.
final class Questionnaire: Model, @unchecked Sendable {
    static let schema = "questionnaires"

    @ID(key: .id) var id: UUID?
    /// Empty for a municipality's own survey, which names the municipality instead.
    @OptionalField(key: "collaboration_id") var collaborationID: UUID?
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "cluster_id") var clusterID: UUID?
    /// Last year's questionnaire this one was copied from; its answers can pre-fill this one's.
    @OptionalField(key: "previous_id") var previousID: UUID?
    @Field(key: "title") var title: String
    /// Markdown shown above the questions.
    @Field(key: "intro") var intro: String
    @Field(key: "form") var form: QuestionnaireForm
    @Field(key: "audience") var audience: String
    /// For the audience "people": who is asked.
    @Field(key: "people") var people: [UUID]
    @OptionalField(key: "opens_at") var opensAt: Date?
    @Field(key: "closes_at") var closesAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    /// When the questionnaire went out; before that it is a draft only organisers see.
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "reminder_days") var reminderDays: [Int]
    @Field(key: "reminders_sent") var remindersSent: [Int]
    @Field(key: "threshold") var threshold: Int
    @Field(key: "prefill") var prefill: Bool
    @Field(key: "visibility") var visibility: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    /// When results were first published; answering, its dates and the threshold stay as they were.
    @OptionalField(key: "results_locked_at") var resultsLockedAt: Date?
    @Field(key: "texts_published") var textsPublished: Bool
    /// Raised on every saved change of the form; wording changes after answers are kept as revisions.
    @Field(key: "revision") var revision: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var audienceValue: QuestionnaireAudience { QuestionnaireAudience(rawValue: audience) ?? .registered }
    var visibilityValue: ResultsVisibility { ResultsVisibility(rawValue: visibility) ?? .organisers }
    var window: QuestionnaireWindow { QuestionnaireWindow(opensAt: opensAt, closesAt: closesAt, closedAt: closedAt) }
    var href: String { "/questionnaires/\(id!.uuidString.lowercased())" }

    /// The municipality whose own survey this is.
    var ownMunicipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, municipalityCode)
    }
}

/// One unit's answer: a municipality's (one authoritative answer) or a named person's.
final class QuestionnaireResponse: Model, @unchecked Sendable {
    static let schema = "questionnaire_responses"

    @ID(key: .id) var id: UUID?
    @Field(key: "questionnaire_id") var questionnaireID: UUID
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "status") var status: String
    /// Who saved last, by name, so colleagues drafting together see it.
    @OptionalField(key: "updated_by") var updatedBy: String?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "submitted_by") var submittedBy: String?
    @Field(key: "reopened") var reopened: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var statusValue: ResponseStatus { ResponseStatus(rawValue: status) ?? .draft }

    var unit: ResponseUnit? {
        if let personID { return .person(personID) }
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return .municipality(MunicipalityKey(country, code))
    }

    var municipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, code)
    }
}

/// One stored atom of an answer (see `AnswerCell`).
final class AnswerRecord: Model, @unchecked Sendable {
    static let schema = "questionnaire_answers"

    @ID(key: .id) var id: UUID?
    @Field(key: "response_id") var responseID: UUID
    @Field(key: "question") var question: String
    @OptionalField(key: "statement") var statement: String?
    @OptionalField(key: "option") var option: String?
    @OptionalField(key: "number") var number: Double?
    @OptionalField(key: "text") var text: String?

    init() {}

    init(responseID: UUID, _ cell: AnswerCell) {
        self.responseID = responseID
        question = cell.question
        statement = cell.statement
        option = cell.option
        number = cell.number
        text = cell.text
    }

    var cell: AnswerCell {
        AnswerCell(question: question, statement: statement, option: option, number: number, text: text)
    }
}

/// A personal link to answer, sent by e-mail (only the key's SHA-256 is kept).
final class QuestionnaireLink: Model, @unchecked Sendable {
    static let schema = "questionnaire_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "questionnaire_id") var questionnaireID: UUID
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    /// For a named person's own response.
    @OptionalField(key: "respondent_id") var respondentID: UUID?
    /// Whom the link was sent to.
    @Field(key: "person_id") var personID: UUID
    @Field(key: "may_submit") var maySubmit: Bool
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var unit: ResponseUnit? {
        if let respondentID { return .person(respondentID) }
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return .municipality(MunicipalityKey(country, code))
    }

    var grant: AnswerLinkGrant? {
        unit.map { AnswerLinkGrant(questionnaireID: questionnaireID, unit: $0, maySubmit: maySubmit) }
    }
}

/// A wording change made after answers arrived: what changed, by whom, and the form before it.
final class QuestionnaireRevision: Model, @unchecked Sendable {
    static let schema = "questionnaire_revisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "questionnaire_id") var questionnaireID: UUID
    @Field(key: "revision") var revision: Int
    @Field(key: "changed") var changed: [String]
    @OptionalField(key: "changed_by") var changedBy: String?
    @Field(key: "previous_form") var previousForm: QuestionnaireForm
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
