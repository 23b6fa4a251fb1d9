import Fluent
import Foundation
import SamradCore
import Vapor

/// Questionnaires in the browser: a collaboration's list, the settings form, the overview page with
/// what the viewer may do next (send, close, copy to next year, publish, answer), the response rate
/// with the reminder button, and the raw answers as CSV. The questions are built on
/// `QuestionnaireBuilder`'s pages, answered on `AnswerPages`, read on `ResultsPages`.
struct QuestionnairePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("collaborations", ":slug", "questionnaires")
        c.get(use: list)
        c.get("new", use: newForm)
        c.post("new", use: create)
        let q = routes.grouped("questionnaires", ":questionnaire")
        q.get(use: show)
        q.get("settings", use: editForm)
        q.post("settings", use: update)
        q.post("send", use: send)
        q.post("close", use: close)
        q.post("copy", use: copy)
        q.post("publication", use: publish)
        q.get("progress", use: progress)
        q.post("reminders", use: remind)
        q.spreadsheet("answers", use: answersCSV)
    }


    /// "Draft", "Opens …", "Open until …", "Closed …".
    static func state(_ q: Questionnaire, zone: String, request: Request) -> (key: String, text: String) {
        let now = Date()
        let deadline = DateText.dateTime(q.closesAt, request.language, zone: zone)
        if q.sentAt == nil { return ("draft", request.t("questionnaires.state_draft", [deadline])) }
        if q.window.hasClosed(at: now) {
            return (
                "closed",
                request.t(
                    "questionnaires.state_closed",
                    [
                        DateText.dateTime(
                            q.closedAt.map { min($0, q.closesAt) } ?? q.closesAt, request.language, zone: zone)
                    ])
            )
        }
        if let opens = q.opensAt, opens > now {
            return (
                "scheduled",
                request.t(
                    "questionnaires.state_scheduled",
                    [DateText.dateTime(opens, request.language, zone: zone), deadline])
            )
        }
        return ("open", request.t("questionnaires.state_open", [deadline]))
    }

    static func statusLabel(_ status: String, request: Request) -> String { request.t("response_status.\(status)") }
}
