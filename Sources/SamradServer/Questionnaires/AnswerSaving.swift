import Fluent
import Foundation
import SamradCore
import Vapor

/// AnswerPages: saving and submitting.
extension AnswerPages {
    struct AnswerForm: Content {
        var answers: [String: [String]]?
        var matrix: [String: [String: String]]?
        var action: String?
    }

    /// Every question of the form gets an answer from the page: one left empty clears the draft's.
    static func raw(_ form: AnswerForm, questions: [Question]) -> [String: RawAnswer] {
        var raw: [String: RawAnswer] = [:]
        for question in questions {
            if question.kind == .matrix {
                raw[question.key] = RawAnswer(
                    statements: (form.matrix?[question.key] ?? [:]).filter { !$0.value.isEmpty })
            } else {
                raw[question.key] = RawAnswer(values: (form.answers?[question.key] ?? []).filter { !$0.isEmpty })
            }
        }
        return raw
    }

    struct AutosaveJSON: Content { var saved: Bool; var message: String; var errors: [String: String] }

    func save(_ request: Request) async throws -> Response {
        let target = try await Self.target(request)
        let access = target.access
        let form = try request.content.decode(AnswerForm.self)
        let raw = Self.raw(form, questions: access.questionnaire.form.questions)
        let action = form.action ?? "save"
        do {
            try await ResponseDesk.save(raw, access, target.unit, by: target.name, request: request)
            if action == "autosave" {
                let time = DateText.time(Date(), request.language, zone: access.timeZone)
                return try await AutosaveJSON(
                    saved: true, message: request.t("questionnaires.autosaved", [time]), errors: [:]
                ).encodeResponse(for: request)
            }
            if action == "submit" {
                try await ResponseDesk.submit(access, target.unit, by: target.name, request: request)
                request.setNotice("questionnaires.submitted")
            } else {
                request.setNotice("questionnaires.draft_saved")
            }
            return request.redirect(to: target.action)
        } catch let error as SamradError where error.kind == .invalidInput {
            let state = Self.formState(error, questions: access.questionnaire.form.questions, request: request)
            if action == "autosave" {
                var errors: [String: String] = [:]
                for f in state.summary { errors[f.field] = f.message }
                return try await AutosaveJSON(
                    saved: false, message: request.t("questionnaires.autosave_failed"), errors: errors
                )
                .encodeResponse(status: .unprocessableEntity, for: request)
            }
            // A refused submission keeps what was saved; a refused save shows the answers as typed.
            let submitting =
                action == "submit" && error.fieldErrors.allSatisfy { $0.messageKey == "questionnaires.error.required" }
            return try await request.renderForm(
                "questionnaires/answer",
                Self.context(request, target, access: access, typed: submitting ? nil : raw, form: state))
        } catch let error as SamradError where error.kind == .conflict || error.kind == .forbidden {
            if action == "autosave" {
                return try await AutosaveJSON(
                    saved: false, message: request.catalog.message(for: error, request.language), errors: [:]
                )
                .encodeResponse(status: .conflict, for: request)
            }
            return request.redirect(to: target.action, notice: error.messageKey)
        }
    }

    /// Messages named by question: "Number of schools: must be at most 60".
    static func formState(_ error: SamradError, questions: [Question], request: Request) -> FormState {
        var state = FormState(values: [:], error: error, request: request)
        state.summary = state.summary.map { f in
            let key = f.field.hasPrefix("answers.") ? String(f.field.dropFirst(8)) : f.field
            let question = questions.first { $0.key == key || key.hasPrefix($0.key + ".") }
            return .init(
                field: f.field, message: question.map { "\($0.text.text(request.language)): \(f.message)" } ?? f.message
            )
        }
        return state
    }

    func reopen(_ request: Request) async throws -> Response {
        let target = try await Self.target(request)
        do {
            try await ResponseDesk.reopen(target.access, target.unit, request: request)
            request.setNotice("questionnaires.reopened")
        } catch let error as SamradError where error.kind == .conflict || error.kind == .forbidden {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: target.action)
    }

    struct ColleagueForm: Content { var person: String? }

    /// The coordinator asks a colleague of the municipality to help: the colleague gets a personal
    /// link that drafts but cannot submit.
    func inviteColleague(_ request: Request) async throws -> Response {
        let target = try await Self.target(request)
        let access = target.access
        guard access.right(target.unit).maySubmit, case .municipality(let key) = target.unit else {
            throw SamradError.forbidden
        }
        guard let id = try request.content.decode(ColleagueForm.self).person.flatMap(UUID.init(uuidString:)),
            let person = try await Person.find(id, on: request.db), person.municipality == key, person.email != nil
        else {
            return request.redirect(to: target.action, notice: "questionnaires.error.colleague")
        }
        let context = MailContext(request)
        try await request.db.transaction { db in
            try await QuestionnaireSending.mail(
                access.questionnaire, try access.requireCollaboration(), unit: target.unit, to: person, kind: "draft",
                context: context, on: db)
        }
        try await Audit.record(
            "questionnaire:colleague", subject: "questionnaire", id: access.questionnaire.id!.uuidString,
            summary: "\(access.questionnaire.title): \(key) → \(person.name)", by: request, on: request.db)
        request.setNotice("questionnaires.colleague_invited", [person.name])
        return request.redirect(to: target.action)
    }
}
