import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireBuilder: one question.
extension QuestionnaireBuilder {
    struct Row: Encodable {
        var index: Int
        var key: String
        var da: String
        var sv: String
        var en: String
        /// Counted from 1, for labels.
        var number: Int { index + 1 }

        enum CodingKeys: String, CodingKey { case index, key, da, sv, en, number }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(key, forKey: .key)
            try c.encode(da, forKey: .da)
            try c.encode(sv, forKey: .sv)
            try c.encode(en, forKey: .en)
            try c.encode(number, forKey: .number)
        }
    }
    struct QuestionContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var action: String
        var isNew: Bool
        var form: FormState
        var kind: String
        var kinds: [Option]
        var sections: [Option]
        var hasOptions: Bool
        var hasScale: Bool
        var isMatrix: Bool
        var isNumber: Bool
        var options: [Row]
        var statements: [Row]
        var conditionQuestions: [Option]
        var conditionHint: String
        var locked: Bool
    }

    /// The form's fields for a question, flat: texts per language, and one numbered field set per
    /// option and statement (`option_0_key`, `option_0_da` …).
    static func values(of question: Question, section: String) -> [String: String] {
        var v: [String: String] = [
            "key": question.key, "kind": question.kind.rawValue, "section": section,
            "required": question.required ? "on" : "",
        ]
        put(question.text, "text", into: &v)
        put(question.help, "help", into: &v)
        for (i, o) in question.options.enumerated() {
            v["option_\(i)_key"] = o.key; put(o.label, "option_\(i)", into: &v)
        }
        for (i, s) in question.statements.enumerated() {
            v["statement_\(i)_key"] = s.key; put(s.label, "statement_\(i)", into: &v)
        }
        if let scale = question.scale {
            v["scale_min"] = String(scale.min)
            v["scale_max"] = String(scale.max)
            put(scale.low, "low", into: &v)
            put(scale.high, "high", into: &v)
        }
        if let number = question.number {
            v["number_min"] = number.min.map(NumberText.plain) ?? ""
            v["number_max"] = number.max.map(NumberText.plain) ?? ""
            v["whole"] = number.wholeNumbers ? "on" : ""
            put(number.unit, "unit", into: &v)
        }
        v["show_question"] = question.showIf?.question ?? ""
        v["show_values"] = question.showIf?.values.joined(separator: ", ") ?? ""
        return v
    }

    static func rows(_ values: [String: String], _ name: String, blanks: Int) -> [Row] {
        var rows: [Row] = []
        var i = 0
        while values.keys.contains(where: { $0.hasPrefix("\(name)_\(i)_") }) {
            rows.append(
                Row(
                    index: i, key: values["\(name)_\(i)_key"] ?? "", da: values["\(name)_\(i)_da"] ?? "",
                    sv: values["\(name)_\(i)_sv"] ?? "",
                    en: values["\(name)_\(i)_en"] ?? ""))
            i += 1
        }
        let filled = rows.filter { !($0.key + $0.da + $0.sv + $0.en).isEmpty }
        return filled.enumerated().map {
            Row(index: $0.offset, key: $0.element.key, da: $0.element.da, sv: $0.element.sv, en: $0.element.en)
        }
            + (0..<blanks).map { Row(index: filled.count + $0, key: "", da: "", sv: "", en: "") }
    }

    /// The question the fields describe. Numbers that are not numbers are reported on their field;
    /// an option without a key gets the next free one.
    static func question(from values: [String: String]) throws -> Question {
        var v = Validation()
        let kind = v.oneOf("kind", values["kind"], as: QuestionKind.self) ?? .shortText
        func parts(_ name: String, prefix: String) -> [QuestionOption] {
            let filled = rows(values, name, blanks: 0)
            var taken = Set(filled.map(\.key).filter { !$0.isEmpty })
            return filled.map { row in
                var key = row.key.trimmingCharacters(in: .whitespaces)
                if key.isEmpty { key = freeKey(prefix, taken: taken); taken.insert(key) }
                return QuestionOption(key: key, label: LocalizedText(da: row.da, sv: row.sv, en: row.en))
            }
        }
        func decimal(_ field: String) -> Double? {
            let text = (values[field] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(
                of: ",", with: ".")
            if text.isEmpty { return nil }
            guard let n = Double(text), n.isFinite else { v.add(field, "validation.number"); return nil }
            return n
        }
        var question = Question(
            key: (values["key"] ?? "").trimmingCharacters(in: .whitespaces), kind: kind, text: text(values, "text"),
            help: text(values, "help"), required: values["required"] == "on")
        if kind.hasOptions { question.options = parts("option", prefix: "o") }
        if kind == .matrix { question.statements = parts("statement", prefix: "st") }
        if kind.hasScale {
            let low = v.wholeNumber("scale_min", values["scale_min"], in: 0...10, default: 1) ?? 1
            let high = v.wholeNumber("scale_max", values["scale_max"], in: 0...10, default: 5) ?? 5
            question.scale = AnswerScale(min: low, max: high, low: text(values, "low"), high: text(values, "high"))
        }
        if kind == .number {
            question.number = NumberFormat(
                unit: text(values, "unit"), min: decimal("number_min"), max: decimal("number_max"),
                wholeNumbers: values["whole"] == "on")
        }
        if let target = values["show_question"], !target.isEmpty {
            let chosen = (values["show_values"] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            question.showIf = ShowCondition(question: target, values: chosen)
        }
        try v.check()
        return question
    }

    /// A message about `form.sections[s].questions[q].options[1].label` belongs on this page's
    /// "options" field; one about another question stays in the summary.
    static func onThisPage(_ error: SamradError, path: String) -> SamradError {
        guard error.kind == .invalidInput else { return error }
        return SamradError.invalid(
            error.fieldErrors.map { f in
                guard f.field.hasPrefix(path + ".") else { return f }
                let rest = String(f.field.dropFirst(path.count + 1))
                let head = rest.prefix { $0 != "[" && $0 != "." }
                let field =
                    [
                        "text": "text", "key": "key", "options": "options", "statements": "statements",
                        "scale": "scale_min", "number": "number_min",
                        "showIf": "show_question", "help": "help",
                    ][String(head)] ?? String(head)
                return FieldError(field: field, f.messageKey, f.arguments)
            })
    }

    func questionContext(
        _ request: Request, _ access: QuestionnaireAccess, form: FormState, isNew: Bool, key: String?
    ) async throws -> QuestionContext {
        let q = access.questionnaire, language = request.language
        let v = form.values
        let kind = QuestionKind(rawValue: v["kind"] ?? "") ?? .shortText
        // A condition may only look back: at questions before this one.
        let earlier: [Question]
        if let key, let index = q.form.questions.firstIndex(where: { $0.key == key }) {
            earlier = Array(q.form.questions[..<index])
        } else {
            earlier = q.form.questions
        }
        let conditional = earlier.filter(\.kind.mayCondition)
        let hint = conditional.map { c in
            "\(c.text.text(language)): "
                + c.conditionValues.map { value in
                    let label = Self.valueLabel(c, value, request)
                    return label == value ? value : "\(value) (\(label))"
                }.joined(separator: ", ")
        }.joined(separator: " · ")
        let locked =
            try await QuestionnaireResponse.query(on: request.db).filter(\.$questionnaireID == q.requireID()).count()
            > 0
        return QuestionContext(
            page: PageContext(
                request, titleKey: isNew ? "questionnaires.new_question" : "questionnaires.edit_question"),
            title: q.title,
            backHref: q.href + "/questions",
            action: isNew ? "\(q.href)/questions/new" : "\(q.href)/questions/\(key ?? "")", isNew: isNew, form: form,
            kind: kind.rawValue,
            kinds: QuestionKind.allCases.map {
                Option(value: $0.rawValue, label: request.t("question_kind.\($0.rawValue)"), selected: kind == $0)
            },
            sections: q.form.sections.map {
                Option(value: $0.key, label: $0.title.text(language), selected: v["section"] == $0.key)
            },
            hasOptions: kind.hasOptions, hasScale: kind.hasScale, isMatrix: kind == .matrix, isNumber: kind == .number,
            options: Self.rows(v, "option", blanks: kind.hasOptions ? 3 : 0),
            statements: Self.rows(v, "statement", blanks: kind == .matrix ? 3 : 0),
            conditionQuestions: [
                Option(
                    value: "", label: request.t("questionnaires.always_shown"),
                    selected: (v["show_question"] ?? "").isEmpty)
            ]
                + conditional.map {
                    Option(value: $0.key, label: $0.text.text(language), selected: v["show_question"] == $0.key)
                },
            conditionHint: hint, locked: locked)
    }

    func newQuestion(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let form = access.questionnaire.form
        // Once answers exist a question cannot be added: the builder says so instead of a form that cannot be saved.
        if try await QuestionnaireResponse.query(on: request.db).filter(
            \.$questionnaireID == access.questionnaire.requireID()
        )
        .count() > 0 {
            return request.redirect(to: access.questionnaire.href + "/questions", notice: "questionnaires.locked_note")
        }
        let kind = QuestionKind(rawValue: request.query[String.self, at: "kind"] ?? "") ?? .singleChoice
        let section =
            request.query[String.self, at: "section"].flatMap { s in form.sections.contains { $0.key == s } ? s : nil }
            ?? form.sections.last?.key ?? "s1"
        var values = [
            "kind": kind.rawValue, "section": section, "key": Self.freeKey("q", taken: Set(form.questions.map(\.key))),
        ]
        if kind.hasScale { values["scale_min"] = "1"; values["scale_max"] = "5" }
        return try await request.view.render(
            "questionnaires/question",
            questionContext(request, access, form: FormState(values: values), isNew: true, key: nil)
        )
        .encodeResponse(for: request)
    }

    func createQuestion(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let values = try request.content.decode([String: String].self)
        var form = access.questionnaire.form
        let sectionIndex = form.sections.firstIndex { $0.key == values["section"] } ?? max(0, form.sections.count - 1)
        do {
            let question = try Self.question(from: values)
            if form.sections.isEmpty { form.sections = [Self.firstSection(request)] }
            form.sections[sectionIndex].questions.append(question)
            do { try await Self.save(form, access, request: request) } catch let error as SamradError {
                throw Self.onThisPage(
                    error,
                    path: "form.sections[\(sectionIndex)].questions[\(form.sections[sectionIndex].questions.count - 1)]"
                )
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/question",
                questionContext(
                    request, access, form: FormState(values: values, error: error, request: request),
                    isNew: true, key: nil))
        }
        return request.redirect(to: access.questionnaire.href + "/questions", notice: "questionnaires.question_added")
    }

    static func position(_ request: Request, _ form: QuestionnaireForm) throws -> (section: Int, index: Int) {
        let key = request.parameters.get("key") ?? ""
        for (s, section) in form.sections.enumerated() {
            if let i = section.questions.firstIndex(where: { $0.key == key }) { return (s, i) }
        }
        throw SamradError.notFound("questionnaires.error.unknown_question_page")
    }

    func questionForm(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let form = access.questionnaire.form
        let at = try Self.position(request, form)
        let question = form.sections[at.section].questions[at.index]
        return try await request.view.render(
            "questionnaires/question",
            questionContext(
                request, access,
                form: FormState(values: Self.values(of: question, section: form.sections[at.section].key)),
                isNew: false, key: question.key))
    }

    func updateQuestion(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let values = try request.content.decode([String: String].self)
        var form = access.questionnaire.form
        let at = try Self.position(request, form)
        let oldKey = form.sections[at.section].questions[at.index].key
        do {
            let question = try Self.question(from: values)
            var path = "form.sections[\(at.section)].questions[\(at.index)]"
            if let target = form.sections.firstIndex(where: { $0.key == values["section"] }), target != at.section {
                // Moved to another section: it goes last there.
                form.sections[at.section].questions.remove(at: at.index)
                form.sections[target].questions.append(question)
                path = "form.sections[\(target)].questions[\(form.sections[target].questions.count - 1)]"
            } else {
                form.sections[at.section].questions[at.index] = question
            }
            do { try await Self.save(form, access, request: request) } catch let error as SamradError {
                throw Self.onThisPage(error, path: path)
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/question",
                questionContext(
                    request, access, form: FormState(values: values, error: error, request: request),
                    isNew: false, key: oldKey))
        }
        return request.redirect(to: access.questionnaire.href + "/questions", notice: "questionnaires.questions_saved")
    }

    struct MoveForm: Content { var direction: String? }

    /// Up or down by one; past a section's edge the question moves into the neighbouring section.
    func move(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        var form = access.questionnaire.form
        let at = try Self.position(request, form)
        let up = (try request.content.decode(MoveForm.self).direction ?? "up") == "up"
        let question = form.sections[at.section].questions.remove(at: at.index)
        if up {
            if at.index > 0 {
                form.sections[at.section].questions.insert(question, at: at.index - 1)
            } else if at.section > 0 {
                form.sections[at.section - 1].questions.append(question)
            } else {
                form.sections[at.section].questions.insert(question, at: 0)
            }
        } else {
            if at.index < form.sections[at.section].questions.count {
                form.sections[at.section].questions.insert(question, at: at.index + 1)
            } else if at.section + 1 < form.sections.count {
                form.sections[at.section + 1].questions.insert(question, at: 0)
            } else {
                form.sections[at.section].questions.append(question)
            }
        }
        return try await Self.saveWithNotice(form, access, request: request)
    }

    func deleteQuestion(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        var form = access.questionnaire.form
        let at = try Self.position(request, form)
        form.sections[at.section].questions.remove(at: at.index)
        return try await Self.saveWithNotice(form, access, request: request)
    }
}
