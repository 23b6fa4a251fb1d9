import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireAPI: JSON.
extension QuestionnaireAPI {
    struct SummaryJSON: Content {
        var id: UUID
        var title: String
        var audience: String
        var opensAt: String?
        var closesAt: String
        var sent: Bool
        var open: Bool
        var published: Bool
        var href: String
    }

    struct QuestionnaireJSON: Content {
        var id: UUID
        /// The collaboration's slug; none for a municipality's own survey, which names the municipality.
        var collaboration: String?
        var municipality: String?
        var title: String
        var intro: String
        var audience: String
        var clusterID: UUID?
        var people: [UUID]
        /// Local to the collaboration's (or the municipality's) zone.
        var opensAt: String?
        var closesAt: String
        var timeZone: String
        var reminderDays: [Int]
        var threshold: Int
        var prefill: Bool
        var previousID: UUID?
        var sent: Bool
        var open: Bool
        var closed: Bool
        var visibility: String
        var published: Bool
        var textsPublished: Bool
        var revision: Int
        var form: QuestionnaireForm
        /// For a survey of many: what it promises and whom it asks.
        var survey: SurveyJSON?
    }

    struct SurveyJSON: Content {
        var anonymity: String
        var positions: [String]
        var meetingID: UUID?
        /// Only for those who build it.
        var addresses: [String]?
        var asksSchool: Bool
        var evaluation: Bool
    }

    static func summary(_ q: Questionnaire, zone: String) -> SummaryJSON {
        SummaryJSON(
            id: q.id!, title: q.title, audience: q.audience,
            opensAt: q.opensAt.map { DateText.local($0, zone: zone) },
            closesAt: DateText.local(q.closesAt, zone: zone), sent: q.sentAt != nil,
            open: q.sentAt != nil && q.window.isOpen(at: Date()),
            published: q.publishedAt != nil, href: q.href)
    }

    static func json(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, survey: SurveySettings? = nil, mayBuild: Bool = false
    ) -> QuestionnaireJSON {
        let zone = origin.timeZone
        return QuestionnaireJSON(
            id: q.id!, collaboration: origin.collaboration?.slug, municipality: origin.municipality?.description,
            title: q.title, intro: q.intro, audience: q.audience, clusterID: q.clusterID, people: q.people,
            opensAt: q.opensAt.map { DateText.local($0, zone: zone) },
            closesAt: DateText.local(q.closesAt, zone: zone),
            timeZone: zone, reminderDays: q.reminderDays, threshold: q.threshold, prefill: q.prefill,
            previousID: q.previousID,
            sent: q.sentAt != nil, open: q.sentAt != nil && q.window.isOpen(at: Date()),
            closed: q.window.hasClosed(at: Date()),
            visibility: q.visibility, published: q.publishedAt != nil, textsPublished: q.textsPublished,
            revision: q.revision, form: q.form,
            survey: survey.map {
                SurveyJSON(
                    anonymity: $0.anonymity, positions: $0.positions, meetingID: $0.meetingID,
                    addresses: mayBuild ? $0.addresses : nil, asksSchool: $0.asksSchool, evaluation: $0.evaluation)
            })
    }

    /// The questionnaire as JSON with its survey settings, as the one asking may see them.
    static func json(_ access: QuestionnaireAccess, on db: any Database) async throws -> QuestionnaireJSON {
        let q = access.questionnaire
        let survey = q.audienceValue.isSurvey ? try await SurveySettings.find(q.id, on: db) : nil
        return json(q, access.origin, survey: survey, mayBuild: access.mayBuild)
    }
}
