import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireBuilder: the builder page.
extension QuestionnaireBuilder {
    struct QuestionRow: Encodable {
        var key: String
        var number: Int
        var text: String
        var kind: String
        var required: Bool
        var condition: String?
        var href: String
        var isFirst: Bool
        var isLast: Bool
    }
    struct SectionRow: Encodable {
        var key: String
        var title: String
        var intro: String
        var href: String
        var questions: [QuestionRow]
        var isEmpty: Bool
    }
    struct PageContextData: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var sections: [SectionRow]
        var kinds: [Option]
        var locked: Bool
        var sent: Bool
        var form: FormState
    }

    func page(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        return try await request.view.render("questionnaires/builder", builderContext(request, access))
    }

    /// The section a new questionnaire starts with, named in every language so that answers in
    /// Swedish or English never show a Danish default.
    static func firstSection(_ request: Request) -> QuestionnaireSection {
        var title = LocalizedText()
        for language in Language.allCases {
            title[language] = request.catalog.text("questionnaires.first_section", language, [])
        }
        return QuestionnaireSection(key: "s1", title: title, questions: [])
    }

    func builderContext(
        _ request: Request, _ access: QuestionnaireAccess, form: FormState = FormState()
    ) async throws -> PageContextData {
        let q = access.questionnaire, language = request.language
        let locked =
            try await QuestionnaireResponse.query(on: request.db).filter(\.$questionnaireID == q.requireID()).count()
            > 0
        var number = 0
        let all = q.form.questions
        let sections = q.form.sections.map { section in
            SectionRow(
                key: section.key, title: section.title.text(language), intro: section.intro.text(language),
                href: "\(q.href)/sections/\(section.key)",
                questions: section.questions.map { question in
                    number += 1
                    let condition = question.showIf.map { c in
                        request.t(
                            "questionnaires.shows_if",
                            [
                                all.first { $0.key == c.question }?.text.text(language) ?? c.question,
                                c.values.map { Self.valueLabel(all.first { $0.key == c.question }, $0, request) }
                                    .joined(separator: ", "),
                            ])
                    }
                    return QuestionRow(
                        key: question.key, number: number, text: question.text.text(language),
                        kind: request.t("question_kind.\(question.kind.rawValue)"),
                        required: question.required, condition: condition, href: "\(q.href)/questions/\(question.key)",
                        isFirst: number == 1, isLast: number == all.count)
                }, isEmpty: section.questions.isEmpty)
        }
        return PageContextData(
            page: PageContext(request, titleKey: "questionnaires.builder_title"), title: q.title, href: q.href,
            sections: sections,
            kinds: QuestionKind.allCases.map {
                Option(value: $0.rawValue, label: request.t("question_kind.\($0.rawValue)"), selected: false)
            },
            locked: locked, sent: q.sentAt != nil, form: form)
    }

    /// An option's, "yes"/"no"'s or a scale point's label, for a condition shown to the organiser.
    static func valueLabel(_ question: Question?, _ value: String, _ request: Request) -> String {
        guard let question else { return value }
        if question.kind == .yesNo { return request.t("questionnaires.\(value)") }
        return question.options.first { $0.key == value }?.label.text(request.language) ?? value
    }
}
