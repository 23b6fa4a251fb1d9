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
        var collaboration: String
        var title: String
        var intro: String
        var audience: String
        var clusterID: UUID?
        var people: [UUID]
        /// Local to the collaboration's zone.
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
    }

    static func summary(_ q: Questionnaire, _ c: Collaboration) -> SummaryJSON {
        SummaryJSON(
            id: q.id!, title: q.title, audience: q.audience,
            opensAt: q.opensAt.map { DateText.local($0, zone: c.timeZone) },
            closesAt: DateText.local(q.closesAt, zone: c.timeZone), sent: q.sentAt != nil,
            open: q.sentAt != nil && q.window.isOpen(at: Date()),
            published: q.publishedAt != nil, href: q.href)
    }

    static func json(_ q: Questionnaire, _ c: Collaboration) -> QuestionnaireJSON {
        QuestionnaireJSON(
            id: q.id!, collaboration: c.slug, title: q.title, intro: q.intro, audience: q.audience,
            clusterID: q.clusterID, people: q.people,
            opensAt: q.opensAt.map { DateText.local($0, zone: c.timeZone) },
            closesAt: DateText.local(q.closesAt, zone: c.timeZone),
            timeZone: c.timeZone, reminderDays: q.reminderDays, threshold: q.threshold, prefill: q.prefill,
            previousID: q.previousID,
            sent: q.sentAt != nil, open: q.sentAt != nil && q.window.isOpen(at: Date()),
            closed: q.window.hasClosed(at: Date()),
            visibility: q.visibility, published: q.publishedAt != nil, textsPublished: q.textsPublished,
            revision: q.revision, form: q.form)
    }
}
