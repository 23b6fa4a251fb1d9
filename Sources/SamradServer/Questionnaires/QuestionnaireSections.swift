import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireBuilder: sections.
extension QuestionnaireBuilder {
    func addSection(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let values = try request.content.decode([String: String].self)
        var form = access.questionnaire.form
        let title = Self.text(values, "title")
        if title.isEmpty {
            return try await request.renderForm(
                "questionnaires/builder",
                builderContext(
                    request, access,
                    form: FormState(
                        values: values, error: SamradError.invalid([FieldError(field: "title", "validation.required")]),
                        request: request)))
        }
        form.sections.append(
            QuestionnaireSection(
                key: Self.freeKey("s", taken: Set(form.sections.map(\.key))), title: title, questions: []))
        return try await Self.saveWithNotice(form, access, request: request)
    }

    struct SectionContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var action: String
        var form: FormState
    }

    static func section(_ request: Request, _ form: QuestionnaireForm) throws -> Int {
        guard let key = request.parameters.get("section"),
            let index = form.sections.firstIndex(where: { $0.key == key })
        else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        return index
    }

    func sectionForm(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let section = access.questionnaire.form.sections[try Self.section(request, access.questionnaire.form)]
        var values: [String: String] = [:]
        Self.put(section.title, "title", into: &values)
        Self.put(section.intro, "intro", into: &values)
        return try await request.view.render(
            "questionnaires/section", sectionContext(request, access, section.key, form: FormState(values: values)))
    }

    func sectionContext(
        _ request: Request, _ access: QuestionnaireAccess, _ key: String, form: FormState
    ) -> SectionContext {
        SectionContext(
            page: PageContext(request, titleKey: "questionnaires.section_title"), title: access.questionnaire.title,
            backHref: access.questionnaire.href + "/questions", action: "\(access.questionnaire.href)/sections/\(key)",
            form: form)
    }

    func updateSection(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        var form = access.questionnaire.form
        let index = try Self.section(request, form)
        let values = try request.content.decode([String: String].self)
        form.sections[index].title = Self.text(values, "title")
        form.sections[index].intro = Self.text(values, "intro")
        var v = Validation()
        if form.sections[index].title.trimmed().isEmpty { v.add("title", "validation.required") }
        do {
            try v.check()
            try await Self.save(form, access, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/section",
                sectionContext(
                    request, access, form.sections[index].key,
                    form: FormState(values: values, error: error, request: request)))
        }
        return request.redirect(to: access.questionnaire.href + "/questions", notice: "questionnaires.questions_saved")
    }

    func deleteSection(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        var form = access.questionnaire.form
        let index = try Self.section(request, form)
        guard form.sections[index].questions.isEmpty, form.sections.count > 1 else {
            return request.redirect(
                to: access.questionnaire.href + "/questions", notice: "questionnaires.error.section_not_empty")
        }
        form.sections.remove(at: index)
        return try await Self.saveWithNotice(form, access, request: request)
    }
}
