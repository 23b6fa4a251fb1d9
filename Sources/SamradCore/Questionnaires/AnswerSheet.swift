import Foundation

/// One question's answer.
public enum AnswerValue: Equatable, Sendable, Hashable {
    case option(String)
    case options([String])
    case scale(Int)
    case number(Double)
    case yesNo(Bool)
    case text(String)
    /// Statement key → scale point.
    case matrix([String: Int])

    /// The values a show condition compares with.
    var conditionValues: [String] {
        switch self {
        case .option(let key): [key]
        case .options(let keys): keys
        case .scale(let point): [String(point)]
        case .yesNo(let yes): [yes ? "yes" : "no"]
        default: []
        }
    }
}

/// One stored atom of an answer: a chosen option, a scale point or number, a text, or one matrix
/// statement's point. A multiple choice answer is one atom per chosen option, so that counting is
/// the same for every kind and results read straight from rows.
public struct AnswerCell: Equatable, Sendable, Hashable, Codable {
    public var question: String
    public var statement: String?
    public var option: String?
    public var number: Double?
    public var text: String?

    public init(
        question: String, statement: String? = nil, option: String? = nil, number: Double? = nil, text: String? = nil
    ) {
        self.question = question
        self.statement = statement
        self.option = option
        self.number = number
        self.text = text
    }
}

/// An answer as it arrives, before it is checked: the form's values for the question (several for
/// a multiple choice) and, for a matrix, one value per statement. The JSON API's values are turned
/// into the same shape, so both are checked by the same rules.
public struct RawAnswer: Sendable, Equatable {
    public var values: [String]
    public var statements: [String: String]

    public init(values: [String] = [], statements: [String: String] = [:]) {
        self.values = values
        self.statements = statements
    }

    var isEmpty: Bool {
        values.allSatisfy { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            && statements.values.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// The answers of one respondent, keyed by question, with the questionnaire's rules: what each kind
/// accepts, which questions show, and what must be answered before submitting.
public struct AnswerSheet: Sendable, Equatable {
    public var answers: [String: AnswerValue]

    public init(_ answers: [String: AnswerValue] = [:]) {
        self.answers = answers
    }

    public static let maxShortText = 500
    public static let maxLongText = 10_000

    /// Reads one answer: nil for an empty answer (which clears a draft's earlier answer). Throws
    /// messages for the question's field.
    public static func parse(_ raw: RawAnswer, for question: Question, field: String) throws -> AnswerValue? {
        if raw.isEmpty { return nil }
        var v = Validation()
        let first =
            raw.values.first { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? ""
        var result: AnswerValue?
        switch question.kind {
        case .singleChoice:
            let chosen = raw.values.filter { !$0.isEmpty }
            if chosen.count > 1 {
                v.add(field, "questionnaires.error.one_option")
            } else if question.options.contains(where: { $0.key == first }) {
                result = .option(first)
            } else {
                v.add(field, "questionnaires.error.unknown_option", [first])
            }
        case .multipleChoice:
            var keys: [String] = []
            for value in raw.values where !value.isEmpty && !keys.contains(value) {
                if question.options.contains(where: { $0.key == value }) {
                    keys.append(value)
                } else {
                    v.add(field, "questionnaires.error.unknown_option", [value])
                }
            }
            // Kept in the form's order, so an answer reads the same whichever order it was sent in.
            result = .options(question.options.map(\.key).filter(keys.contains))
        case .likert:
            let scale = question.scale ?? AnswerScale()
            if let point = Int(first), scale.points.contains(point) {
                result = .scale(point)
            } else {
                v.add(field, "questionnaires.error.scale_point", [String(scale.min), String(scale.max)])
            }
        case .number:
            let format = question.number ?? NumberFormat()
            let text = first.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: "")
                .replacingOccurrences(of: "\u{00A0}", with: "")
            guard let number = Double(text), number.isFinite else {
                v.add(field, "questionnaires.error.not_a_number")
                break
            }
            if format.wholeNumbers && number.rounded() != number {
                v.add(field, "questionnaires.error.whole_number")
            } else if let min = format.min, number < min {
                v.add(field, "questionnaires.error.below", [NumberText.plain(min)])
            } else if let max = format.max, number > max {
                v.add(field, "questionnaires.error.above", [NumberText.plain(max)])
            } else {
                result = .number(number)
            }
        case .yesNo:
            switch first.lowercased() {
            case "yes", "true", "1": result = .yesNo(true)
            case "no", "false", "0": result = .yesNo(false)
            default: v.add(field, "questionnaires.error.unknown_option", [first])
            }
        case .shortText, .longText:
            let limit = question.kind == .shortText ? maxShortText : maxLongText
            if first.count > limit {
                v.add(field, "validation.too_long", [String(limit)])
            } else {
                result = .text(first)
            }
        case .matrix:
            let scale = question.scale ?? AnswerScale()
            var points: [String: Int] = [:]
            for (statement, value) in raw.statements {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard question.statements.contains(where: { $0.key == statement }) else {
                    v.add("\(field).\(statement)", "questionnaires.error.unknown_statement", [statement])
                    continue
                }
                if let point = Int(trimmed), scale.points.contains(point) {
                    points[statement] = point
                } else {
                    v.add(
                        "\(field).\(statement)", "questionnaires.error.scale_point",
                        [String(scale.min), String(scale.max)])
                }
            }
            result = points.isEmpty ? nil : .matrix(points)
        }
        try v.check()
        return result
    }

    /// Reads every answer of a page or a request: nil for one left empty. Every problem is named by
    /// its question's field (`answers.q3`), and a key the form does not have is one.
    public static func parse(_ raw: [String: RawAnswer], in form: QuestionnaireForm) throws -> [String: AnswerValue?] {
        var v = Validation()
        var parsed: [String: AnswerValue?] = [:]
        for (key, answer) in raw.sorted(by: { $0.key < $1.key }) {
            guard let question = form.question(key) else {
                v.add("answers.\(key)", "questionnaires.error.unknown_question", [key])
                continue
            }
            do {
                parsed[key] = try parse(answer, for: question, field: "answers.\(key)")
            } catch let error as SamradError {
                for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) }
            }
        }
        try v.check()
        return parsed
    }

    /// Whether a question shows, given the answers before it: its condition's question must show
    /// and have one of the condition's values.
    public func shows(_ question: Question, in form: QuestionnaireForm) -> Bool {
        var seen: Set<String> = []
        return shows(question, in: form, seen: &seen)
    }

    private func shows(_ question: Question, in form: QuestionnaireForm, seen: inout Set<String>) -> Bool {
        guard let condition = question.showIf else { return true }
        guard seen.insert(question.key).inserted, let target = form.question(condition.question),
            shows(target, in: form, seen: &seen), let answer = answers[condition.question]
        else { return false }
        return !Set(answer.conditionValues).isDisjoint(with: condition.values)
    }

    /// Keys of the required questions that show and have no answer (a matrix needs every statement).
    public func missing(in form: QuestionnaireForm) -> [String] {
        form.questions.filter { q in
            guard q.required, shows(q, in: form) else { return false }
            switch answers[q.key] {
            case nil: return true
            case .options(let keys): return keys.isEmpty
            case .text(let text): return text.isEmpty
            case .matrix(let points): return q.statements.contains { points[$0.key] == nil }
            default: return false
            }
        }.map(\.key)
    }

    /// The sheet as submitted: answers to questions that do not show (their condition is no longer
    /// met) are left out, so results never count an answer the respondent could not see.
    public func submitted(in form: QuestionnaireForm) throws -> AnswerSheet {
        let missing = missing(in: form)
        if !missing.isEmpty {
            throw SamradError.invalid(
                missing.map { FieldError(field: "answers.\($0)", "questionnaires.error.required") })
        }
        return AnswerSheet(answers.filter { key, _ in form.question(key).map { shows($0, in: form) } ?? false })
    }

    // MARK: Cells

    public static func cells(_ key: String, _ value: AnswerValue) -> [AnswerCell] {
        switch value {
        case .option(let option): [AnswerCell(question: key, option: option)]
        case .options(let options): options.map { AnswerCell(question: key, option: $0) }
        case .scale(let point): [AnswerCell(question: key, number: Double(point))]
        case .number(let number): [AnswerCell(question: key, number: number)]
        case .yesNo(let yes): [AnswerCell(question: key, option: yes ? "yes" : "no")]
        case .text(let text): [AnswerCell(question: key, text: text)]
        case .matrix(let points):
            points.sorted { $0.key < $1.key }.map {
                AnswerCell(question: key, statement: $0.key, number: Double($0.value))
            }
        }
    }

    public var cells: [AnswerCell] { answers.sorted { $0.key < $1.key }.flatMap { Self.cells($0.key, $0.value) } }

    /// Reads stored cells back; cells of questions no longer in the form are ignored.
    public init(cells: [AnswerCell], form: QuestionnaireForm) {
        var answers: [String: AnswerValue] = [:]
        for (key, group) in Dictionary(grouping: cells, by: \.question) {
            guard let q = form.question(key) else { continue }
            switch q.kind {
            case .singleChoice: if let o = group.first?.option { answers[key] = .option(o) }
            case .multipleChoice:
                answers[key] = .options(q.options.map(\.key).filter { k in group.contains { $0.option == k } })
            case .likert: if let n = group.first?.number { answers[key] = .scale(Int(n)) }
            case .number: if let n = group.first?.number { answers[key] = .number(n) }
            case .yesNo: if let o = group.first?.option { answers[key] = .yesNo(o == "yes") }
            case .shortText, .longText: if let t = group.first?.text { answers[key] = .text(t) }
            case .matrix:
                var points: [String: Int] = [:]
                for cell in group { if let s = cell.statement, let n = cell.number { points[s] = Int(n) } }
                answers[key] = .matrix(points)
            }
        }
        self.answers = answers
    }

    /// The answer as the form shows it again: the values of its fields.
    public static func raw(_ value: AnswerValue) -> RawAnswer {
        switch value {
        case .option(let o): RawAnswer(values: [o])
        case .options(let os): RawAnswer(values: os)
        case .scale(let p): RawAnswer(values: [String(p)])
        case .number(let n): RawAnswer(values: [NumberText.plain(n)])
        case .yesNo(let y): RawAnswer(values: [y ? "yes" : "no"])
        case .text(let t): RawAnswer(values: [t])
        case .matrix(let points): RawAnswer(statements: points.mapValues(String.init))
        }
    }
}
