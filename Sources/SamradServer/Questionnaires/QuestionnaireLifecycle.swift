import Fluent
import Foundation
import SamradCore
import Vapor

/// The steps of a questionnaire after it is built — list, close, next edition, publication — in one
/// place for the pages and the API, each recorded in the audit log where it changes something.
enum QuestionnaireLifecycle {
    /// The collaboration's questionnaires the actor may see, in the given order: all to organisers;
    /// sent ones to participants, and to everyone once published publicly.
    static func visible(
        _ all: [Questionnaire], in origin: QuestionnaireOrigin, request: Request
    ) async throws -> [Questionnaire] {
        var shown: [Questionnaire] = []
        for q in all {
            let access = QuestionnaireAccess(questionnaire: q, origin: origin, actor: request.actor)
            var visible = access.mayBuild
            if !visible && q.sentAt != nil {
                visible =
                    (q.publishedAt != nil && q.visibilityValue == .public)
                    ? true : try await access.isParticipant(on: request.db)
            }
            if visible { shown.append(q) }
        }
        return shown
    }

    /// Ends answering now; false when it had already ended.
    @discardableResult
    static func close(_ access: QuestionnaireAccess, request: Request) async throws -> Bool {
        let q = access.questionnaire
        guard q.closedAt == nil && !q.window.hasClosed(at: Date()) else { return false }
        q.closedAt = Date()
        try await request.db.transaction { db in
            try await q.save(on: db)
            try await Audit.record(
                "questionnaire:update", subject: "questionnaire", id: q.id!.uuidString, summary: "\(q.title): closed",
                by: request, on: db)
        }
        return true
    }

    /// Next year's questionnaire: the same questions, audience and settings with new dates; its
    /// answers may be pre-filled from this one's.
    static func nextEdition(
        of access: QuestionnaireAccess, title: String?, opensAt: String?, closesAt: String?, prefill: Bool,
        request: Request
    ) async throws -> Questionnaire {
        let old = access.questionnaire
        let q = Questionnaire()
        q.previousID = old.id
        // A survey asks the same people with the same promise; nobody's answers pre-fill another's.
        let survey = old.audienceValue.isSurvey ? try await SurveySettings.find(old.id, on: request.db) : nil
        let input = QuestionnaireInput(
            title: title ?? old.title, intro: old.intro, audience: old.audience, clusterID: old.clusterID,
            people: old.people,
            opensAt: opensAt, closesAt: closesAt, reminderDays: old.reminderDays, threshold: old.threshold,
            prefill: survey == nil && prefill, form: old.form, anonymity: survey?.anonymity,
            positions: survey?.positions, meetingID: survey?.meetingID, addresses: survey?.addresses,
            asksSchool: survey?.asksSchool)
        try await request.db.transaction { db in
            try await input.apply(to: q, origin: access.origin, request: request, on: db)
            try await Audit.record(
                "questionnaire:create", subject: "questionnaire", id: q.id!.uuidString,
                summary: "\(q.title) ← \(old.title)", by: request, on: db)
        }
        return q
    }

    /// Shows the results (or stops showing them). Results go out once answering has ended, so no
    /// one can read a late answer as the difference between two publications. An empty visibility
    /// or texts choice keeps the current one.
    static func publish(
        _ access: QuestionnaireAccess, published: Bool, visibility: String?, textsPublished: Bool?, request: Request
    ) async throws {
        let q = access.questionnaire
        var v = Validation()
        let chosen =
            (visibility ?? "").isEmpty
            ? q.visibilityValue : v.oneOf("visibility", visibility, as: ResultsVisibility.self)
        try v.check()
        if published && !q.window.hasClosed(at: Date()) {
            throw SamradError(.conflict, "questionnaires.error.publish_open")
        }
        q.visibility = (chosen ?? .organisers).rawValue
        q.textsPublished = textsPublished ?? q.textsPublished
        q.publishedAt = published ? (q.publishedAt ?? Date()) : nil
        if published {
            // Answering ends for good: a later answer would show as the difference of two reads.
            q.resultsLockedAt = q.resultsLockedAt ?? Date()
            q.closedAt = q.closedAt ?? Date()
        }
        try await request.db.transaction { db in
            try await q.save(on: db)
            try await Audit.record(
                "questionnaire:publish", subject: "questionnaire", id: q.id!.uuidString,
                summary: "\(q.title): \(published ? q.visibility : "-")", by: request, on: db)
        }
    }

    /// Reminds those who have not submitted, now; refused once answering has ended.
    static func remind(_ access: QuestionnaireAccess, request: Request) async throws -> Int {
        let q = access.questionnaire
        guard q.sentAt != nil, q.window.isOpen(at: Date()) else {
            throw SamradError(.conflict, "questionnaires.error.closed")
        }
        let context = MailContext(request)
        let reminded = try await request.db.transaction { db in
            let reminded: Int
            if q.audienceValue.usesLinks, let survey = try await SurveySettings.find(q.id, on: db) {
                reminded = try await SurveySending.remind(q, access.origin, survey, context: context, on: db)
            } else {
                reminded = try await QuestionnaireSending.remind(
                    q, try access.requireCollaboration(), context: context, on: db)
            }
            try await Audit.record(
                "questionnaire:remind", subject: "questionnaire", id: q.id!.uuidString,
                summary: "\(q.title): \(reminded)",
                by: request, on: db)
            return reminded
        }
        return reminded
    }
}
