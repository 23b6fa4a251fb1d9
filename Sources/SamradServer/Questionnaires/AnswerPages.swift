import Fluent
import Foundation
import SamradCore
import Vapor

/// Answering in the browser, by account (`/questionnaires/<id>/answer/dk/751`) or by the personal
/// link from the e-mail (`/answer/<key>`, no account needed). The page saves as you go when
/// scripts run (answer.js posts the form in the background) and with its "Save draft" button when
/// they do not; the coordinator submits and may reopen until the deadline, and may ask colleagues
/// of the municipality to help draft. Organisers see a response read-only, and a preview.
struct AnswerPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let q = routes.grouped("questionnaires", ":questionnaire")
        q.get("preview", use: preview)
        let unit = q.grouped("answer", ":country", ":code")
        unit.get(use: page)
        unit.post(use: save)
        unit.post("reopen", use: reopen)
        unit.post("colleague", use: inviteColleague)
        let link = routes.grouped("answer", ":token")
        link.get(use: page)
        link.post(use: save)
        link.post("reopen", use: reopen)
    }

    static func href(_ q: Questionnaire, _ unit: ResponseUnit) -> String { "\(q.href)/answer/\(unit.path)" }

    /// The questionnaire, the unit answered for and the one answering, from the path or the link.
    struct Target {
        var access: QuestionnaireAccess
        var unit: ResponseUnit
        /// Where the page's forms post.
        var action: String
        /// Who saves: the account's name or the link's person.
        var name: String?
    }

    static func target(_ request: Request) async throws -> Target {
        if let token = request.parameters.get("token") {
            guard
                let link = try await QuestionnaireLink.query(on: request.db).filter(\.$tokenHash == Secret.hash(token))
                    .first(), let unit = link.unit
            else {
                throw SamradError.notFound("questionnaires.error.link")
            }
            let access = try await QuestionnaireAccess.load(request, link: link)
            let person = try await Person.find(link.personID, on: request.db)
            if link.lastUsedAt.map({ Date().timeIntervalSince($0) > 3600 }) ?? true {
                link.lastUsedAt = Date()
                try await link.save(on: request.db)
            }
            return Target(
                access: access, unit: unit, action: "/answer/\(token)", name: person?.name ?? request.currentUser?.name)
        }
        let access = try await QuestionnaireAccess.load(request)
        guard let country = request.parameters.get("country"), let code = request.parameters.get("code"),
            let unit = ResponseUnit(path: "\(country)/\(code)")
        else { throw SamradError.notFound("questionnaires.error.not_asked") }
        // Organisers read any response; others only one they may draft.
        if !access.mayBuild { try await ResponseDesk.requireDraft(access, unit, request: request) }
        return Target(
            access: access, unit: unit, action: href(access.questionnaire, unit), name: request.currentUser?.name)
    }


    struct Choice: Encodable { var value: String; var label: String; var checked: Bool; var id: String }
    struct Statement: Encodable {
        var key: String; var label: String; var id: String; var points: [Choice]; var error: String?
    }
    struct QuestionView: Encodable {
        var key: String
        var number: Int
        var kind: String
        var id: String
        var text: String
        var help: String
        var required: Bool
        var error: String?
        var choices: [Choice]
        var statements: [Statement]
        var low: String
        var high: String
        /// The scale's points, for a matrix's column headings, and its ends.
        var points: [String]
        var firstPoint: String
        var lastPoint: String
        var value: String
        var unit: String
        /// The allowed numbers in words: "(0 to 40)", "(at least 0)".
        var range: String?
        var step: String
        var maxLength: Int
        /// The question whose answer decides whether this one shows, and the values that show it.
        var showIf: String?
        var showValues: String?
        var condition: String?
        var hidden: Bool
    }
    struct SectionView: Encodable { var title: String; var intro: String; var questions: [QuestionView] }
    struct AnswerContext: Encodable {
        var page: PageContext
        var title: String
        var intro: String
        var backHref: String?
        var unitName: String
        var status: String
        var statusLabel: String
        var saved: String?
        var deadline: String
        var action: String
        var editable: Bool
        var maySubmit: Bool
        var mayReopen: Bool
        var preview: Bool
        var sections: [SectionView]
        var form: FormState
        var colleagues: [Option]
        var colleagueNote: String?
        var answeredCount: Int
        var questionCount: Int
    }

    /// The answers the page shows: as typed when a save was refused, else as stored.
    static func context(
        _ request: Request, _ target: Target?, access: QuestionnaireAccess, typed: [String: RawAnswer]? = nil,
        form: FormState = FormState()
    ) async throws -> AnswerContext {
        let q = access.questionnaire, zone = access.timeZone, language = request.language
        var response: QuestionnaireResponse?
        var sheet = AnswerSheet()
        if let target {
            response = try await ResponseDesk.find(q, target.unit, on: request.db)
            sheet = try await ResponseDesk.sheet(response, form: q.form, on: request.db)
        }
        let stored = sheet.answers.mapValues(AnswerSheet.raw)
        let raw = typed ?? stored
        let status = response?.statusValue ?? .notStarted
        let open = q.sentAt != nil && q.window.isOpen(at: Date())
        let right = target.map { access.right($0.unit) } ?? .none
        let editable = target != nil && right.mayDraft && open && status != .submitted
        let sections = Self.sections(q, raw: raw, sheet: sheet, form: form, request: request)
        let all = q.form.questions
        var colleagues: [Option] = []
        if editable, right.maySubmit, let target, case .municipality(let key) = target.unit,
            target.action.hasPrefix("/questionnaires")
        {
            colleagues = try await Person.current(on: request.db).filter(\.$municipalityCountry == key.country.rawValue)
                .filter(\.$municipalityCode == key.code)
                .filter(\.$email != nil).sort(\.$name).all().filter { $0.id != request.actor.personID }
                .map {
                    Option(
                        value: $0.id!.uuidString, label: "\($0.name) (\(request.t("position.\($0.position)")))",
                        selected: false)
                }
            // Nobody chosen until the coordinator chooses: one click never mails the first in the list.
            if !colleagues.isEmpty {
                colleagues.insert(
                    .init(value: "", label: request.t("questionnaires.colleague_choose"), selected: true), at: 0)
            }
        }
        var people: [UUID: String] = [:]
        if case .person(let id)? = target?.unit, let person = try await Person.find(id, on: request.db) {
            people[id] = person.name
        }
        let saved = response?.updatedAt.map {
            request.t(
                "questionnaires.saved_at",
                [DateText.dateTime($0, language, zone: zone), response?.updatedBy ?? "–"])
        }
        return AnswerContext(
            page: PageContext(request, titleKey: "questionnaires.answer_title", title: q.title), title: q.title,
            intro: q.intro,
            backHref: request.actor.isSignedIn ? q.href : nil,
            unitName: target.map {
                QuestionnaireSending.unitName($0.unit, directory: request.municipalities, people: people)
            } ?? request.t("questionnaires.preview"),
            status: status.rawValue, statusLabel: request.t("response_status.\(status.rawValue)"), saved: saved,
            deadline: DateText.dateTime(q.closesAt, language, zone: zone), action: target?.action ?? q.href,
            editable: editable,
            maySubmit: right.maySubmit, mayReopen: open && right.maySubmit && status == .submitted,
            preview: target == nil, sections: sections, form: form,
            colleagues: colleagues,
            colleagueNote: colleagues.isEmpty ? nil : request.t("questionnaires.colleague_hint"),
            answeredCount: sheet.answers.count, questionCount: all.count)
    }

    /// The form's sections with each question's field, its answer as given and its message.
    static func sections(
        _ q: Questionnaire, raw: [String: RawAnswer], sheet: AnswerSheet, form: FormState, request: Request
    ) -> [SectionView] {
        var errors: [String: String] = [:]
        // Beside the question only the message: the question stands right above it. The summary names the question.
        for (field, message) in form.errors where field.hasPrefix("answers.") {
            errors[String(field.dropFirst(8))] = message
        }
        var number = 0
        let all = q.form.questions, language = request.language
        return q.form.sections.map { section in
            SectionView(
                title: section.title.text(language), intro: section.intro.text(language),
                questions: section.questions.map { question in
                    number += 1
                    return view(
                        question, number: number, raw: raw[question.key] ?? RawAnswer(), errors: errors, all: all,
                        sheet: sheet, q: q, request: request)
                })
        }
    }

    static func view(
        _ question: Question, number: Int, raw: RawAnswer, errors: [String: String], all: [Question],
        sheet: AnswerSheet,
        q: Questionnaire, request: Request
    ) -> QuestionView {
        let language = request.language, key = question.key
        let id = "answers.\(key)"
        let values = Set(raw.values)
        var choices: [Choice] = []
        var statements: [Statement] = []
        let scale = question.scale ?? AnswerScale()
        switch question.kind {
        case .singleChoice, .multipleChoice:
            choices = question.options.enumerated().map { i, o in
                Choice(
                    value: o.key, label: o.label.text(language), checked: values.contains(o.key),
                    id: i == 0 ? id : "\(id)-\(o.key)")
            }
        case .yesNo:
            choices = ["yes", "no"].enumerated().map { i, v in
                Choice(
                    value: v, label: request.t("questionnaires.\(v)"), checked: values.contains(v),
                    id: i == 0 ? id : "\(id)-\(v)")
            }
        case .likert:
            choices = scale.points.enumerated().map { i, p in
                Choice(
                    value: String(p), label: String(p), checked: values.contains(String(p)),
                    id: i == 0 ? id : "\(id)-\(p)")
            }
        case .matrix:
            statements = question.statements.map { s in
                let sid = "\(id).\(s.key)"
                return Statement(
                    key: s.key, label: s.label.text(language), id: sid,
                    points: scale.points.enumerated().map { i, p in
                        Choice(
                            value: String(p), label: String(p), checked: raw.statements[s.key] == String(p),
                            id: i == 0 ? sid : "\(sid)-\(p)")
                    }, error: errors["\(key).\(s.key)"])
            }
        default:
            break
        }
        let format = question.number
        let target = question.showIf.flatMap { c in all.first { $0.key == c.question } }
        let condition = question.showIf.map { c in
            request.t(
                "questionnaires.shows_if",
                [
                    target?.text.text(language) ?? c.question,
                    c.values.map { QuestionnaireBuilder.valueLabel(target, $0, request) }.joined(separator: ", "),
                ])
        }
        let matrixError = question.statements.compactMap { errors["\(key).\($0.key)"] }.first
        return QuestionView(
            key: key, number: number, kind: question.kind.rawValue, id: id, text: question.text.text(language),
            help: question.help.text(language),
            required: question.required, error: errors[key] ?? matrixError, choices: choices, statements: statements,
            low: scale.low.text(language), high: scale.high.text(language), points: scale.points.map(String.init),
            firstPoint: String(scale.min), lastPoint: String(scale.max), value: raw.values.first ?? "",
            unit: format?.unit.text(language) ?? "",
            range: format.flatMap { range($0, request) }, step: format?.wholeNumbers == true ? "1" : "any",
            maxLength: question.kind == .shortText ? AnswerSheet.maxShortText : AnswerSheet.maxLongText,
            showIf: question.showIf?.question, showValues: question.showIf?.values.joined(separator: " "),
            condition: condition,
            hidden: !sheet.shows(question, in: q.form) && question.showIf != nil)
    }

    static func range(_ format: NumberFormat, _ request: Request) -> String? {
        switch (format.min.map(NumberText.plain), format.max.map(NumberText.plain)) {
        case let (min?, max?): request.t("questionnaires.number_range", [min, max])
        case let (min?, nil): request.t("questionnaires.number_at_least", [min])
        case let (nil, max?): request.t("questionnaires.number_at_most", [max])
        case (nil, nil): nil
        }
    }

    func page(_ request: Request) async throws -> View {
        let target = try await Self.target(request)
        return try await request.view.render(
            "questionnaires/answer", Self.context(request, target, access: target.access))
    }

    func preview(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        return try await request.view.render("questionnaires/answer", Self.context(request, nil, access: access))
    }
}
