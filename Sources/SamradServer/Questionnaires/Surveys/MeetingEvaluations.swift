import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A meeting's evaluation: when a meeting has ended, those who checked in get the standard form
/// (`MeetingEvaluation`) by one-time link, anonymously, open for two weeks with one reminder. Its
/// results show on the meeting page for the organisers and the host municipality once it closes
/// (read while answers still come in, two reads would tell one late answer).
enum MeetingEvaluations {
    /// Meetings that ended within the last week are looked at: a server that was down catches up.
    static let lookBack: TimeInterval = 7 * 86_400

    /// The scheduled round: one evaluation per ended meeting with someone checked in.
    static func sendDue(application: Application, now: Date = Date()) async throws {
        let db = application.db
        let ended = try await Meeting.query(on: db).filter(\.$endsAt <= now)
            .filter(\.$endsAt > now.addingTimeInterval(-lookBack))
            .filter(\.$status != MeetingStatus.cancelled.rawValue).all()
        guard !ended.isEmpty else { return }
        let evaluated = Set(
            try await SurveySettings.query(on: db).filter(\.$evaluation == true).all().compactMap(\.meetingID))
        // Meetings whose organisers declined it send none.
        let declined = Set(
            try await MeetingEvaluationChoice.query(on: db).filter(\.$sends == false).all().compactMap(\.id))
        let context = MailContext(application)
        for meeting in ended where !evaluated.contains(meeting.id!) && !declined.contains(meeting.id!) {
            let came = try await Attendance.query(on: db).filter(\.$meetingID == meeting.requireID())
                .filter(\.$checkedInAt != nil).count()
            guard came > 0, let c = try await Collaboration.find(meeting.collaborationID, on: db) else { continue }
            try await send(meeting, c, now: now, context: context, on: db)
        }
    }

    static func send(
        _ meeting: Meeting, _ c: Collaboration, now: Date, context: MailContext, on db: any Database
    ) async throws {
        let language: Language = c.timeZone == "Europe/Stockholm" || c.timeZone == "Europe/Helsinki" ? .sv : .da
        try await db.transaction { db in
            let q = Questionnaire()
            q.collaborationID = c.id!
            q.title = MeetingEvaluation.title(meeting.title, language)
            q.intro = ""
            q.form = MeetingEvaluation.form
            q.audience = QuestionnaireAudience.meeting.rawValue
            q.people = []
            q.opensAt = nil
            q.closesAt = max(meeting.endsAt, now).addingTimeInterval(Double(MeetingEvaluation.openDays) * 86_400)
            q.sentAt = now
            q.reminderDays = MeetingEvaluation.reminderDays
            q.remindersSent = []
            q.threshold = 5
            q.prefill = false
            q.visibility = ResultsVisibility.organisers.rawValue
            q.textsPublished = false
            q.revision = 1
            try await q.create(on: db)
            let survey = SurveySettings(questionnaireID: try q.requireID(), anonymity: .anonymous)
            survey.meetingID = meeting.id
            survey.evaluation = true
            try await survey.create(on: db)
            try await SurveySending.invite(q, .collaboration(c), survey, context: context, on: db)
        }
    }

    /// The evaluation of a meeting as the viewer may see it: nil when there is none or the viewer
    /// is neither an organiser nor of the host municipality.
    struct Summary {
        var href: String
        var asked: Int
        var answered: Int
        var closesAt: Date
        var closed: Bool
        /// Once closed: the results of all who answered, small groups hidden.
        var questions: [ResultsPages.QuestionView]
    }

    static func summary(_ meeting: Meeting, request: Request) async throws -> Summary? {
        guard let survey = try await SurveySettings.query(on: request.db).filter(\.$meetingID == meeting.requireID())
            .filter(\.$evaluation == true).first(),
            let q = try await Questionnaire.find(survey.id, on: request.db),
            let c = try await Collaboration.find(q.collaborationID, on: request.db)
        else { return nil }
        guard SurveyPolicy.mayReadEvaluation(request.actor, organiserID: c.organiserID, host: meeting.host) else {
            return nil
        }
        let access = QuestionnaireAccess(questionnaire: q, origin: .collaboration(c), actor: request.actor, link: nil)
        let progress = try await SurveyProgress.of(q, request: request)
        var questions: [ResultsPages.QuestionView] = []
        let closed = q.window.hasClosed(at: Date())
        if closed {
            let report = try await SurveyReport.make(access, viewpoint: nil, participant: false, request: request)
            questions = ResultsPages.views(report, form: q.form, request: request, scope: "evaluation")
        }
        return Summary(
            href: q.href, asked: progress.asked, answered: progress.submitted, closesAt: q.closesAt, closed: closed,
            questions: questions)
    }
}
