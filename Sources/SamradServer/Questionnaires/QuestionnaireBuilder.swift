import Fluent
import Foundation
import SamradCore
import Vapor

/// Building the questions, one form per section and per question, each with its texts in Danish,
/// Swedish and English. Every change goes through `QuestionnaireInput` like the API's: the whole
/// form is validated again, and once answers exist only rewording passes (and is recorded).
struct QuestionnaireBuilder: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let q = routes.grouped("questionnaires", ":questionnaire")
        q.get("questions", use: page)
        q.post("sections", use: addSection)
        q.get("sections", ":section", use: sectionForm)
        q.post("sections", ":section", use: updateSection)
        q.post("sections", ":section", "delete", use: deleteSection)
        q.get("questions", "new", use: newQuestion)
        q.post("questions", "new", use: createQuestion)
        q.get("questions", ":key", use: questionForm)
        q.post("questions", ":key", use: updateQuestion)
        q.post("questions", ":key", "move", use: move)
        q.post("questions", ":key", "delete", use: deleteQuestion)
    }


    /// Saves `form` as the questionnaire's new form with its settings unchanged.
    static func save(_ form: QuestionnaireForm, _ access: QuestionnaireAccess, request: Request) async throws {
        let q = access.questionnaire, zone = access.timeZone
        let input = QuestionnaireInput(
            title: q.title, intro: q.intro, audience: q.audience, clusterID: q.clusterID, people: q.people,
            opensAt: q.opensAt.map { DateText.local($0, zone: zone) }, closesAt: DateText.local(q.closesAt, zone: zone),
            reminderDays: q.reminderDays, threshold: q.threshold, prefill: q.prefill, form: form)
        try await request.db.transaction { db in
            try await input.apply(to: q, origin: access.origin, request: request, on: db, draft: true)
            try await Audit.record(
                "questionnaire:update", subject: "questionnaire", id: q.id!.uuidString,
                summary: "\(q.title) (\(q.revision))", by: request, on: db)
        }
    }

    /// Saves and says how it went on the builder page: a refused change keeps the old form and says why.
    static func saveWithNotice(
        _ form: QuestionnaireForm, _ access: QuestionnaireAccess, request: Request
    ) async throws -> Response {
        do {
            try await save(form, access, request: request)
            request.setNotice("questionnaires.questions_saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href + "/questions")
    }

    /// A key not yet used: "q7", "s3", "o4".
    static func freeKey(_ prefix: String, taken: Set<String>) -> String {
        var n = 1
        while taken.contains("\(prefix)\(n)") { n += 1 }
        return "\(prefix)\(n)"
    }

    static func text(_ values: [String: String], _ name: String) -> LocalizedText {
        LocalizedText(da: values["\(name)_da"] ?? "", sv: values["\(name)_sv"] ?? "", en: values["\(name)_en"] ?? "")
    }

    static func put(_ text: LocalizedText, _ name: String, into values: inout [String: String]) {
        values["\(name)_da"] = text.da
        values["\(name)_sv"] = text.sv
        values["\(name)_en"] = text.en
    }
}
