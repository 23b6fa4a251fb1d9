import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Answering a survey by the one-time link from the e-mail (`/survey/<key>`), without an account:
/// the page says first what the survey promises (anonymous or confidential), then asks. Submitting
/// stores the answer under the respondent's municipality (and the school they name, where the
/// survey asks) and removes every link of their invitation in the same transaction: the link then
/// answers no more, and nothing ties the answer to them.
struct SurveyLinkPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let link = routes.grouped("survey", ":token")
        link.get(use: page)
        link.post(use: submit)
    }

    struct Target {
        var invitation: SurveyInvitation
        var questionnaire: Questionnaire
        var origin: QuestionnaireOrigin
        var survey: SurveySettings
    }

    static func target(_ request: Request) async throws -> Target {
        guard let token = request.parameters.get("token"),
            let link = try await SurveyToken.query(on: request.db).filter(\.$tokenHash == Secret.hash(token)).first(),
            let invitation = try await SurveyInvitation.find(link.invitationID, on: request.db),
            let q = try await Questionnaire.find(invitation.questionnaireID, on: request.db),
            q.sentAt != nil, q.audienceValue.usesLinks,
            let origin = try await QuestionnaireOrigin.of(q, directory: request.municipalities, on: request.db),
            let survey = try await SurveySettings.find(q.id, on: request.db)
        else { throw SamradError.notFound("surveys.error.link") }
        return Target(invitation: invitation, questionnaire: q, origin: origin, survey: survey)
    }

    /// The schools a respondent may name: their municipality's, where the survey asks.
    static func schools(_ target: Target, on db: any Database) async throws -> [School] {
        guard target.survey.asksSchool, let key = target.invitation.municipality else { return [] }
        return try await School.query(on: db).filter(\.$country == key.country.rawValue)
            .filter(\.$municipalityCode == key.code).sort(\.$name).all()
    }

    static func context(
        _ target: Target, schools: [School], raw: [String: RawAnswer] = [:], form: FormState = FormState(),
        request: Request
    ) -> SurveyAnswerContext {
        let q = target.questionnaire
        let about =
            target.invitation.municipality.flatMap { request.municipalities[$0]?.name } ?? target.origin.title
        var context = SurveyAnswerContext(
            q, zone: target.origin.timeZone, about: about,
            promise: request.t("surveys.promise.\(target.survey.anonymity)", [String(q.threshold)]),
            action: request.url.path, full: false, raw: raw, form: form, request: request)
        if !schools.isEmpty {
            let chosen = form.values["school"] ?? ""
            context.schools =
                [Option(value: "", label: request.t("surveys.school_none"), selected: chosen.isEmpty)]
                + schools.map { Option(value: $0.code, label: $0.name, selected: chosen == $0.code) }
        }
        return context
    }

    func page(_ request: Request) async throws -> View {
        let target = try await Self.target(request)
        let schools = try await Self.schools(target, on: request.db)
        return try await request.view.render("surveys/answer", Self.context(target, schools: schools, request: request))
    }

    struct LinkForm: Content {
        var answers: [String: [String]]?
        var matrix: [String: [String: String]]?
        var school: String?
    }

    func submit(_ request: Request) async throws -> Response {
        let target = try await Self.target(request)
        let q = target.questionnaire
        let input = try request.content.decode(LinkForm.self)
        let raw = AnswerPages.raw(
            AnswerPages.AnswerForm(answers: input.answers, matrix: input.matrix), questions: q.form.questions)
        let schools = try await Self.schools(target, on: request.db)
        do {
            try q.window.checkOpen(at: Date())
            var v = Validation()
            let named = (input.school ?? "").trimmingCharacters(in: .whitespaces)
            if !named.isEmpty && !schools.contains(where: { $0.code == named }) {
                v.add("school", "validation.choice")
            }
            var sheet = AnswerSheet()
            do { sheet = try SurveySubmission.sheet(raw, form: q.form) } catch let error as SamradError {
                for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) }
            }
            try v.check()
            let answers = sheet
            let unit = try await request.application.surveyUnits.unit(
                .init(
                    questionnaire: q.id!, municipality: target.invitation.municipality,
                    school: named.isEmpty ? nil : named),
                on: request.db)
            let invitationID = try target.invitation.requireID()
            try await request.db.transaction { db in
                // Every link of the invitation goes with the answer: the link is used up, and that
                // it is gone is all that says this person answered.
                let used = try await db.sql.raw(
                    "DELETE FROM survey_tokens WHERE invitation_id = \(bind: invitationID) RETURNING id"
                ).all()
                guard !used.isEmpty else { throw SamradError(.conflict, "surveys.error.link") }
                try await SurveySubmission.store(answers, of: q, unit: unit, grade: nil, on: db)
            }
            return try await request.view.render(
                "surveys/thanks",
                ClassCodePages.ThanksContext(
                    page: PageContext(request, titleKey: "surveys.thanks_title"), title: q.title, again: nil)
            ).encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            var state = AnswerPages.formState(error, questions: q.form.questions, request: request)
            state.values["school"] = input.school ?? ""
            return try await request.renderForm(
                "surveys/answer", Self.context(target, schools: schools, raw: raw, form: state, request: request))
        } catch let error as SamradError where error.kind == .conflict {
            var context = Self.context(target, schools: schools, raw: raw, request: request)
            context.refusal = request.catalog.message(for: error, request.language)
            context.editable = false
            return try await request.renderForm("surveys/answer", context, refusing: error)
        }
    }
}
