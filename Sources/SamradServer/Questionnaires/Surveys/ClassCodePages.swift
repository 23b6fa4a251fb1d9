import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A pupil answers with the class code their teacher hands out (`/class`, then `/class/K7RM2XQP`):
/// no account, no name, nothing stored but the answers, the school and the grade. A code takes at
/// most its class's number of answers; after each, the page thanks and offers a fresh form to the
/// next pupil on a shared tablet.
struct ClassCodePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("class", use: enter)
        let code = routes.grouped("class", ":code")
        code.get(use: page)
        code.post(use: submit)
        code.get("thanks", use: thanks)
    }

    struct EnterContext: Encodable {
        var page: PageContext
        var form: FormState
    }

    /// The code as typed (`?code=k7rm 2xqp`) leads to its survey.
    func enter(_ request: Request) async throws -> Response {
        guard let typed = try? request.query.get(String.self, at: "code") else {
            return try await request.view.render(
                "surveys/class",
                EnterContext(page: PageContext(request, titleKey: "surveys.class_title"), form: FormState())
            ).encodeResponse(for: request)
        }
        if let code = ClassCode.normalised(typed),
            try await SurveyClassCode.query(on: request.db).filter(\.$code == code).first() != nil
        {
            return request.redirect(to: "/class/\(code)")
        }
        let error = SamradError.invalid([FieldError(field: "code", "surveys.error.class_code")])
        return try await request.renderForm(
            "surveys/class",
            EnterContext(
                page: PageContext(request, titleKey: "surveys.class_title"),
                form: FormState(values: ["code": typed], error: error, request: request)))
    }

    /// The class code of the path with its school and survey.
    struct Target {
        var code: SurveyClassCode
        var school: School
        var municipality: MunicipalityKey
        var questionnaire: Questionnaire
        var origin: QuestionnaireOrigin
    }

    static func target(_ request: Request) async throws -> Target {
        guard let code = request.parameters.get("code").flatMap(ClassCode.normalised),
            let classCode = try await SurveyClassCode.query(on: request.db).filter(\.$code == code).first(),
            let school = try await School.find(classCode.schoolID, on: request.db),
            let municipality = school.municipality,
            let q = try await Questionnaire.find(classCode.questionnaireID, on: request.db),
            let origin = try await QuestionnaireOrigin.of(q, directory: request.municipalities, on: request.db),
            q.sentAt != nil, q.audienceValue == .pupils
        else { throw SamradError.notFound("surveys.error.class_code") }
        return Target(
            code: classCode, school: school, municipality: municipality, questionnaire: q, origin: origin)
    }

    func page(_ request: Request) async throws -> View {
        let target = try await Self.target(request)
        return try await request.view.render("surveys/answer", Self.context(target, request: request))
    }

    static func context(
        _ target: Target, raw: [String: RawAnswer] = [:], form: FormState = FormState(), request: Request
    ) -> SurveyAnswerContext {
        let q = target.questionnaire
        let about = request.t(
            "surveys.class_about", [target.school.name, SurveyAnswerContext.grade(target.code.grade, request)])
        return SurveyAnswerContext(
            q, zone: target.origin.timeZone, about: about,
            promise: request.t("surveys.promise.pupils", [String(q.threshold)]),
            action: "/class/\(target.code.code)",
            full: target.code.used >= target.code.capacity, raw: raw, form: form, request: request)
    }

    func submit(_ request: Request) async throws -> Response {
        let target = try await Self.target(request)
        let q = target.questionnaire
        let raw = AnswerPages.raw(try request.content.decode(AnswerPages.AnswerForm.self), questions: q.form.questions)
        do {
            try q.window.checkOpen(at: Date())
            let sheet = try SurveySubmission.sheet(raw, form: q.form)
            let unit = try await request.application.surveyUnits.unit(
                .init(questionnaire: q.id!, municipality: target.municipality, school: target.school.code),
                on: request.db)
            let codeID = try target.code.requireID(), grade = target.code.grade
            try await request.db.transaction { db in
                // The class's places are taken in the database, so two pupils at once cannot pass the last one.
                let taken = try await db.sql.raw(
                    """
                    UPDATE survey_class_codes SET used = used + 1 WHERE id = \(bind: codeID) AND used < capacity
                    RETURNING id
                    """
                ).all()
                guard !taken.isEmpty else { throw SamradError(.conflict, "surveys.error.class_full") }
                try await SurveySubmission.store(sheet, of: q, unit: unit, grade: grade, on: db)
            }
            return request.redirect(to: "/class/\(target.code.code)/thanks")
        } catch let error as SamradError where error.kind == .invalidInput {
            let state = AnswerPages.formState(error, questions: q.form.questions, request: request)
            return try await request.renderForm(
                "surveys/answer", Self.context(target, raw: raw, form: state, request: request))
        } catch let error as SamradError where error.kind == .conflict {
            var context = Self.context(target, raw: raw, request: request)
            context.refusal = request.catalog.message(for: error, request.language)
            context.editable = false
            return try await request.renderForm("surveys/answer", context, refusing: error)
        }
    }

    struct ThanksContext: Encodable {
        var page: PageContext
        var title: String
        /// A fresh form for the next pupil on the same device; nil after a one-time link.
        var again: String?
    }

    func thanks(_ request: Request) async throws -> View {
        let target = try await Self.target(request)
        return try await request.view.render(
            "surveys/thanks",
            ThanksContext(
                page: PageContext(request, titleKey: "surveys.thanks_title"), title: target.questionnaire.title,
                again: "/class/\(target.code.code)"))
    }
}

/// The page a respondent of a survey answers on: what the survey promises them first, then the
/// questions, and one button that submits (there is no draft: an answer is stored once, unnamed).
struct SurveyAnswerContext: Encodable {
    var page: PageContext
    var title: String
    var intro: String
    /// Whom the answer counts for: "Grimstaskolan, grade 7".
    var about: String
    var promise: String
    var deadline: String
    var action: String
    var editable: Bool
    /// Why answering is not possible now: closed, not yet open, the class is full.
    var refusal: String?
    var sections: [AnswerPages.SectionView]
    var form: FormState
    /// The schools a staff member may name (their municipality's), where the survey asks.
    var schools: [Option] = []

    init(
        _ q: Questionnaire, zone: String, about: String, promise: String, action: String, full: Bool,
        raw: [String: RawAnswer], form: FormState, request: Request
    ) {
        page = PageContext(request, titleKey: "questionnaires.answer_title", title: q.title)
        title = q.title
        intro = q.intro
        self.about = about
        self.promise = promise
        deadline = DateText.dateTime(q.closesAt, request.language, zone: zone)
        self.action = action
        let now = Date()
        if q.window.hasClosed(at: now) {
            refusal = request.t("questionnaires.error.closed")
        } else if !q.window.isOpen(at: now) {
            refusal = request.t("questionnaires.error.not_open")
        } else if full {
            refusal = request.t("surveys.error.class_full")
        }
        editable = refusal == nil
        sections = AnswerPages.sections(q, raw: raw, sheet: AnswerSheet(), form: form, request: request)
        self.form = form
    }

    static func grade(_ grade: Int, _ request: Request) -> String { request.t("surveys.grade", [String(grade)]) }
}
