import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// How many of those a survey asks have answered. By link: those invited, and those whose links
/// are used up; a confidential survey names who has answered and who not, an anonymous one only
/// counts. By class code: the answers against the places of the codes handed out.
enum SurveyProgress {
    static func of(_ q: Questionnaire, request: Request) async throws -> QuestionnaireAPI.ProgressJSON {
        let id = try q.requireID(), db = request.db
        if q.audienceValue == .pupils {
            struct Row: Decodable { var places: Int?; var used: Int? }
            let row = try await db.sql.raw(
                """
                SELECT CAST(COALESCE(SUM(capacity), 0) AS BIGINT) AS places,
                    CAST(COALESCE(SUM(used), 0) AS BIGINT) AS used FROM survey_class_codes
                WHERE questionnaire_id = \(bind: id)
                """
            ).first(decoding: Row.self)
            let places = row?.places ?? 0, used = row?.used ?? 0
            return .init(asked: places, submitted: used, drafting: 0, notStarted: places - used, units: [])
        }
        let invitations = try await SurveyInvitation.query(on: db).filter(\.$questionnaireID == id).sort(\.$email).all()
        let waiting = Set(try await SurveySending.unanswered(q, on: db).compactMap(\.id))
        let answered = invitations.count - waiting.count
        var units: [QuestionnaireAPI.ProgressJSON.Unit] = []
        let survey = try await SurveySettings.find(id, on: db)
        let origin = try await QuestionnaireOrigin.of(q, directory: request.municipalities, on: db)
        if let survey, let origin,
            SurveyPolicy.maySeeWhoAnswered(request.actor, owner: origin.owner, anonymity: survey.anonymityValue)
        {
            let people = try await Person.query(on: db).filter(\.$id ~~ invitations.compactMap(\.personID)).all()
            units = invitations.map { invitation in
                let name = people.first { $0.id == invitation.personID }?.name
                return .init(
                    unit: "survey/\(invitation.email)",
                    name: name.map { "\($0) (\(invitation.email))" } ?? invitation.email,
                    status: waiting.contains(invitation.id!)
                        ? ResponseStatus.notStarted.rawValue : ResponseStatus.submitted.rawValue,
                    updatedBy: nil, updatedAt: nil, submittedAt: nil)
            }
        }
        return .init(
            asked: invitations.count, submitted: answered, drafting: 0, notStarted: waiting.count, units: units)
    }
}
