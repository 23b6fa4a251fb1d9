import Foundation

/// A text the organiser writes in the interface's three languages. At least one is needed; a
/// reader whose language is missing sees the first one written (English, Swedish, Danish).
public struct LocalizedText: Codable, Sendable, Equatable, Hashable {
    public var da: String
    public var sv: String
    public var en: String

    public init(da: String = "", sv: String = "", en: String = "") {
        self.da = da
        self.sv = sv
        self.en = en
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        da = try c.decodeIfPresent(String.self, forKey: .da) ?? ""
        sv = try c.decodeIfPresent(String.self, forKey: .sv) ?? ""
        en = try c.decodeIfPresent(String.self, forKey: .en) ?? ""
    }

    public subscript(language: Language) -> String {
        get {
            switch language {
            case .da: da
            case .sv: sv
            case .en: en
            }
        }
        set {
            switch language {
            case .da: da = newValue
            case .sv: sv = newValue
            case .en: en = newValue
            }
        }
    }

    public func text(_ language: Language) -> String {
        let wanted = self[language]
        if !wanted.isEmpty { return wanted }
        return [en, sv, da].first { !$0.isEmpty } ?? ""
    }

    public var isEmpty: Bool { da.isEmpty && sv.isEmpty && en.isEmpty }

    public func trimmed() -> LocalizedText {
        LocalizedText(
            da: da.trimmingCharacters(in: .whitespacesAndNewlines),
            sv: sv.trimmingCharacters(in: .whitespacesAndNewlines),
            en: en.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public enum QuestionKind: String, CaseIterable, Codable, Sendable {
    case singleChoice = "single_choice"
    case multipleChoice = "multiple_choice"
    case likert
    case number
    case yesNo = "yes_no"
    case shortText = "short_text"
    case longText = "long_text"
    /// Several statements, each answered on one shared scale.
    case matrix

    public var hasOptions: Bool { self == .singleChoice || self == .multipleChoice }
    public var hasScale: Bool { self == .likert || self == .matrix }
    public var isText: Bool { self == .shortText || self == .longText }
    /// Questions whose answer can decide whether a later question shows.
    public var mayCondition: Bool {
        self == .singleChoice || self == .multipleChoice || self == .yesNo || self == .likert
    }
}

/// A choice of a choice question, or a statement of a matrix; the key stays when the label is reworded.
public struct QuestionOption: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var label: LocalizedText

    public init(key: String, label: LocalizedText) {
        self.key = key
        self.label = label
    }
}

/// The points of a Likert scale or a matrix, with labelled ends ("1 = not at all", "5 = fully").
public struct AnswerScale: Codable, Sendable, Equatable, Hashable {
    public var min: Int
    public var max: Int
    public var low: LocalizedText
    public var high: LocalizedText

    public init(min: Int = 1, max: Int = 5, low: LocalizedText = LocalizedText(), high: LocalizedText = LocalizedText())
    {
        self.min = min
        self.max = max
        self.low = low
        self.high = high
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try c.decodeIfPresent(Int.self, forKey: .min) ?? 1
        max = try c.decodeIfPresent(Int.self, forKey: .max) ?? 5
        low = try c.decodeIfPresent(LocalizedText.self, forKey: .low) ?? LocalizedText()
        high = try c.decodeIfPresent(LocalizedText.self, forKey: .high) ?? LocalizedText()
    }

    public var points: ClosedRange<Int> { min...Swift.max(min, max) }
}

/// Bounds and unit of a number question.
public struct NumberFormat: Codable, Sendable, Equatable, Hashable {
    public var unit: LocalizedText
    public var min: Double?
    public var max: Double?
    public var wholeNumbers: Bool

    public init(
        unit: LocalizedText = LocalizedText(), min: Double? = nil, max: Double? = nil, wholeNumbers: Bool = false
    ) {
        self.unit = unit
        self.min = min
        self.max = max
        self.wholeNumbers = wholeNumbers
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unit = try c.decodeIfPresent(LocalizedText.self, forKey: .unit) ?? LocalizedText()
        min = try c.decodeIfPresent(Double.self, forKey: .min)
        max = try c.decodeIfPresent(Double.self, forKey: .max)
        wholeNumbers = try c.decodeIfPresent(Bool.self, forKey: .wholeNumbers) ?? false
    }
}

/// Shows a question only when an earlier question was answered with one of `values` (option keys,
/// "yes"/"no", or scale points as text).
public struct ShowCondition: Codable, Sendable, Equatable, Hashable {
    public var question: String
    public var values: [String]

    public init(question: String, values: [String]) {
        self.question = question
        self.values = values
    }
}

public struct Question: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var kind: QuestionKind
    public var text: LocalizedText
    public var help: LocalizedText
    public var required: Bool
    /// The choices of a choice question.
    public var options: [QuestionOption]
    /// The statements of a matrix.
    public var statements: [QuestionOption]
    /// The scale of a Likert question or a matrix.
    public var scale: AnswerScale?
    public var number: NumberFormat?
    public var showIf: ShowCondition?

    public init(
        key: String, kind: QuestionKind, text: LocalizedText, help: LocalizedText = LocalizedText(),
        required: Bool = false,
        options: [QuestionOption] = [], statements: [QuestionOption] = [], scale: AnswerScale? = nil,
        number: NumberFormat? = nil,
        showIf: ShowCondition? = nil
    ) {
        self.key = key
        self.kind = kind
        self.text = text
        self.help = help
        self.required = required
        self.options = options
        self.statements = statements
        self.scale = scale
        self.number = number
        self.showIf = showIf
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        kind = try c.decode(QuestionKind.self, forKey: .kind)
        text = try c.decodeIfPresent(LocalizedText.self, forKey: .text) ?? LocalizedText()
        help = try c.decodeIfPresent(LocalizedText.self, forKey: .help) ?? LocalizedText()
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        options = try c.decodeIfPresent([QuestionOption].self, forKey: .options) ?? []
        statements = try c.decodeIfPresent([QuestionOption].self, forKey: .statements) ?? []
        scale = try c.decodeIfPresent(AnswerScale.self, forKey: .scale)
        number = try c.decodeIfPresent(NumberFormat.self, forKey: .number)
        showIf = try c.decodeIfPresent(ShowCondition.self, forKey: .showIf)
    }

    /// The values a condition on this question may name.
    public var conditionValues: [String] {
        switch kind {
        case .singleChoice, .multipleChoice: options.map(\.key)
        case .yesNo: ["yes", "no"]
        case .likert: (scale?.points ?? 1...5).map(String.init)
        default: []
        }
    }

    /// The same question with everything a reader sees removed: what answers depend on.
    var structure: Question {
        var s = self
        let blank = LocalizedText()
        s.text = blank
        s.help = blank
        s.options = options.map { QuestionOption(key: $0.key, label: blank) }
        s.statements = statements.map { QuestionOption(key: $0.key, label: blank) }
        if var scale = s.scale { scale.low = blank; scale.high = blank; s.scale = scale }
        if var number = s.number { number.unit = blank; s.number = number }
        return s
    }
}

public struct QuestionnaireSection: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var title: LocalizedText
    public var intro: LocalizedText
    public var questions: [Question]

    public init(key: String, title: LocalizedText, intro: LocalizedText = LocalizedText(), questions: [Question]) {
        self.key = key
        self.title = title
        self.intro = intro
        self.questions = questions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        title = try c.decodeIfPresent(LocalizedText.self, forKey: .title) ?? LocalizedText()
        intro = try c.decodeIfPresent(LocalizedText.self, forKey: .intro) ?? LocalizedText()
        questions = try c.decodeIfPresent([Question].self, forKey: .questions) ?? []
    }
}

/// The questions of a questionnaire in their sections. Stored as one JSON document; answers refer
/// to questions, options and statements by their keys, which is why keys never change once answers
/// exist while the wording may.
public struct QuestionnaireForm: Codable, Sendable, Equatable, Hashable {
    public var sections: [QuestionnaireSection]

    public init(sections: [QuestionnaireSection] = []) {
        self.sections = sections
    }

    public var questions: [Question] { sections.flatMap(\.questions) }

    public func question(_ key: String) -> Question? {
        for section in sections { if let q = section.questions.first(where: { $0.key == key }) { return q } }
        return nil
    }

    public static let keyPattern = "^[a-z0-9][a-z0-9_-]{0,39}$"
    static func isKey(_ text: String) -> Bool { text.range(of: keyPattern, options: .regularExpression) != nil }

    /// Checks the form's structure and returns it with texts trimmed; every problem is named by its
    /// path (`sections[0].questions[2].options`). A draft being built may have no questions yet.
    public func validated(requireQuestions: Bool = true) throws -> QuestionnaireForm {
        var v = Validation()
        var form = self
        var seen: Set<String> = []
        var sectionKeys: Set<String> = []
        var earlier: [String: Question] = [:]
        if questions.isEmpty && requireQuestions {
            v.add("sections", "questionnaires.error.no_questions")
        } else if sections.isEmpty {
            v.add("sections", "questionnaires.error.no_sections")
        }
        if questions.count > 300 { v.add("sections", "questionnaires.error.too_many_questions", ["300"]) }
        for (si, section) in sections.enumerated() {
            let sp = "sections[\(si)]"
            form.sections[si].title = section.title.trimmed()
            form.sections[si].intro = section.intro.trimmed()
            if !Self.isKey(section.key) {
                v.add("\(sp).key", "questionnaires.error.key")
            } else if !sectionKeys.insert(section.key).inserted {
                v.add("\(sp).key", "questionnaires.error.duplicate_key", [section.key])
            }
            for (qi, question) in section.questions.enumerated() {
                let qp = "\(sp).questions[\(qi)]"
                var q = question
                q.text = q.text.trimmed()
                q.help = q.help.trimmed()
                if !Self.isKey(q.key) {
                    v.add("\(qp).key", "questionnaires.error.key")
                } else if !seen.insert(q.key).inserted {
                    v.add("\(qp).key", "questionnaires.error.duplicate_key", [q.key])
                }
                if q.text.isEmpty { v.add("\(qp).text", "validation.required") }
                if [q.text.da, q.text.sv, q.text.en].contains(where: { $0.count > 1000 }) {
                    v.add("\(qp).text", "validation.too_long", ["1000"])
                }
                Self.checkParts(&q, path: qp, &v)
                if let condition = q.showIf {
                    if let target = earlier[condition.question] {
                        let allowed = Set(target.conditionValues)
                        if !target.kind.mayCondition {
                            v.add("\(qp).showIf", "questionnaires.error.condition_kind")
                        } else if condition.values.isEmpty || !condition.values.allSatisfy(allowed.contains) {
                            v.add("\(qp).showIf", "questionnaires.error.condition_value")
                        }
                    } else {
                        v.add("\(qp).showIf", "questionnaires.error.condition_question", [condition.question])
                    }
                }
                form.sections[si].questions[qi] = q
                earlier[q.key] = q
            }
        }
        try v.check()
        return form
    }

    private static func checkParts(_ q: inout Question, path qp: String, _ v: inout Validation) {
        func checkOptions(_ list: inout [QuestionOption], _ field: String, minimum: Int) {
            if list.count < minimum { v.add("\(qp).\(field)", "questionnaires.error.too_few", [String(minimum)]) }
            if list.count > 60 { v.add("\(qp).\(field)", "questionnaires.error.too_many", ["60"]) }
            var keys: Set<String> = []
            for i in list.indices {
                list[i].label = list[i].label.trimmed()
                if !isKey(list[i].key) {
                    v.add("\(qp).\(field)[\(i)].key", "questionnaires.error.key")
                } else if !keys.insert(list[i].key).inserted {
                    v.add("\(qp).\(field)[\(i)].key", "questionnaires.error.duplicate_key", [list[i].key])
                }
                if list[i].label.isEmpty { v.add("\(qp).\(field)[\(i)].label", "validation.required") }
            }
        }
        if q.kind.hasOptions { checkOptions(&q.options, "options", minimum: 2) } else { q.options = [] }
        if q.kind == .matrix { checkOptions(&q.statements, "statements", minimum: 1) } else { q.statements = [] }
        if q.kind.hasScale {
            let scale = q.scale ?? AnswerScale()
            if scale.min < 0 || scale.max > 10 || scale.max - scale.min < 1 {
                v.add("\(qp).scale", "questionnaires.error.scale")
            }
            q.scale = AnswerScale(min: scale.min, max: scale.max, low: scale.low.trimmed(), high: scale.high.trimmed())
        } else {
            q.scale = nil
        }
        if q.kind == .number {
            let format = q.number ?? NumberFormat()
            if let min = format.min, let max = format.max, min > max {
                v.add("\(qp).number", "questionnaires.error.bounds")
            }
            if [format.min, format.max].contains(where: { $0.map { !$0.isFinite } ?? false }) {
                v.add("\(qp).number", "questionnaires.error.bounds")
            }
            q.number = NumberFormat(
                unit: format.unit.trimmed(), min: format.min, max: format.max, wholeNumbers: format.wholeNumbers)
        } else {
            q.number = nil
        }
    }

    /// What changed between two versions, judged by whether answers given to the old version still
    /// mean the same: a reworded text keeps them; a new, removed or retyped question, a changed
    /// option, scale, bound, requirement or condition does not. Moving questions between sections or
    /// reordering them keeps answers too.
    public enum Change: Equatable, Sendable {
        case none
        /// Keys of the questions (or sections) whose wording changed.
        case wording([String])
        /// Keys of the questions whose answers would no longer fit.
        case structure([String])
    }

    public func change(to new: QuestionnaireForm) -> Change {
        let old = Dictionary(questions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new.questions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var structural: [String] = []
        for q in questions where fresh[q.key] == nil { structural.append(q.key) }
        for q in new.questions {
            guard let before = old[q.key] else { structural.append(q.key); continue }
            if before.structure != q.structure { structural.append(q.key) }
        }
        if !structural.isEmpty { return .structure(structural) }
        var worded: [String] = []
        for q in new.questions where old[q.key] != q { worded.append(q.key) }
        let oldSections = Dictionary(sections.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for s in new.sections {
            if let before = oldSections[s.key], before.title == s.title, before.intro == s.intro { continue }
            worded.append(s.key)
        }
        if worded.isEmpty && sections.map(\.key) == new.sections.map(\.key)
            && questions.map(\.key) == new.questions.map(\.key)
        {
            return .none
        }
        return .wording(worded)
    }
}
