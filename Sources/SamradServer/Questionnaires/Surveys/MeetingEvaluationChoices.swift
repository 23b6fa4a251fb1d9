import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// An organiser declines a meeting's evaluation before the meeting ends (a short internal meeting,
/// a meeting evaluated otherwise), or takes the refusal back, on the meeting page or through the
/// API. Once the evaluation has gone out it stays: those asked hold their links.
struct MeetingEvaluationChoices: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("meetings", ":meeting", "evaluation", use: choose)
        routes.put("api", "v1", "meetings", ":meeting", "evaluation", use: chooseJSON)
    }

    struct ChoiceJSON: Content { var sends: Bool }

    /// The meeting, for those who may choose; others who see the meeting are refused.
    static func load(_ request: Request) async throws -> MeetingAccess {
        let access = try await MeetingAccess.load(request)
        try request.require(
            SurveyPolicy.mayChooseEvaluation(request.actor, organiserID: access.collaboration.organiserID))
        return access
    }

    /// Whether the meeting sends its evaluation: yes unless its organisers declined it.
    static func sends(_ meetingID: UUID, on db: any Database) async throws -> Bool {
        try await MeetingEvaluationChoice.find(meetingID, on: db)?.sends ?? true
    }

    static func choose(_ sends: Bool, _ access: MeetingAccess, request: Request) async throws {
        let id = try access.meeting.requireID()
        let made = try await SurveySettings.query(on: request.db).filter(\.$meetingID == id)
            .filter(\.$evaluation == true).count()
        guard made == 0 else { throw SamradError(.conflict, "surveys.error.evaluation_sent") }
        let by = request.currentUser?.name
        try await request.db.transaction { db in
            // One statement, so that two organisers choosing at once leave one row.
            try await db.sql.raw(
                """
                INSERT INTO meeting_evaluation_choices (meeting_id, sends, decided_by, updated_at)
                VALUES (\(bind: id), \(bind: sends), \(bind: by), \(bind: Date()))
                ON CONFLICT (meeting_id) DO UPDATE SET sends = excluded.sends, decided_by = excluded.decided_by,
                    updated_at = excluded.updated_at
                """
            ).run()
            try await Audit.record(
                "meeting:evaluation", subject: "meeting", id: id.uuidString,
                summary: "\(access.meeting.title): \(sends ? "sends" : "declined")", by: request, on: db)
        }
    }

    func choose(_ request: Request) async throws -> Response {
        let access = try await Self.load(request)
        struct Form: Content { var sends: String? }
        let answer = try request.content.decode(Form.self).sends
        guard let sends = answer == "yes" ? true : answer == "no" ? false : nil else {
            throw SamradError.invalid([FieldError(field: "sends", "validation.choice")])
        }
        try await Self.choose(sends, access, request: request)
        return request.redirect(
            to: access.meeting.href + "#evaluation",
            notice: sends ? "surveys.evaluation_will_send" : "surveys.evaluation_declined_notice")
    }

    func chooseJSON(_ request: Request) async throws -> ChoiceJSON {
        let access = try await Self.load(request)
        let input = try request.content.decode(ChoiceJSON.self)
        try await Self.choose(input.sends, access, request: request)
        return ChoiceJSON(sends: input.sends)
    }
}
