import Foundation

/// Slides of the guide's attached presentation that a section goes through: "1-5" or "13".
public struct SlideRange: Codable, Sendable, Equatable {
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    /// Reads "1-5", "1–5", "6 - 8" or "13"; nil for anything else or a backwards range.
    public init?(_ text: String) {
        let parts = text.replacingOccurrences(of: "–", with: "-").split(
            separator: "-", omittingEmptySubsequences: false
        )
        .map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), let first = Int(parts[0]), let last = Int(parts.last!), first >= 1,
            last >= first, last <= 999
        else {
            return nil
        }
        self.init(first: first, last: last)
    }

    public var text: String { first == last ? String(first) : "\(first)-\(last)" }
}

/// One part of a discussion guide: what the committee talks about, why, and the questions it
/// reflects on.
public struct GuideSection: Codable, Sendable, Equatable {
    public var title: String
    /// Why the committee discusses this.
    public var purpose: String
    /// Markdown.
    public var content: String
    public var slides: SlideRange?
    public var questions: [String]

    public init(
        title: String, purpose: String, content: String = "", slides: SlideRange? = nil, questions: [String] = []
    ) {
        self.title = title
        self.purpose = purpose
        self.content = content
        self.slides = slides
        self.questions = questions
    }
}

/// Who a published guide is for: everybody, or the members of its collaboration.
public enum GuideAudience: String, CaseIterable, Codable, Sendable {
    case `public`, collaboration
}

/// A guide's form, checked: every section filled in one by one (sections left wholly empty are
/// dropped), at least one section.
public struct GuideDraft: Sendable, Equatable {
    public var title: String
    public var introduction: String
    public var language: Language
    public var audience: GuideAudience
    public var sections: [GuideSection]

    public static let maxSections = 40

    /// `values` holds `title`, `introduction`, `language`, `audience` and per section N (from 1)
    /// `sN_title`, `sN_purpose`, `sN_content`, `sN_slides`, `sN_questions` (one question per line).
    public static func validate(_ values: [String: String], sectionSlots: Int, into v: inout Validation) -> GuideDraft?
    {
        let title = v.required("title", values["title"], maxLength: 200)
        let introduction = (values["introduction"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if introduction.count > 20_000 { v.add("introduction", "validation.too_long", ["20000"]) }
        for problem in SafeMarkdown.problems(introduction) { v.add("introduction", problem.key, problem.arguments) }
        let language = v.oneOf("language", values["language"], as: Language.self)
        let audience = v.oneOf("audience", values["audience"], as: GuideAudience.self)
        var sections: [GuideSection] = []
        for n in 1...max(1, min(sectionSlots, maxSections)) {
            let field = { (name: String) in "s\(n)_\(name)" }
            let raw = ["title", "purpose", "content", "slides", "questions"].map {
                (values[field($0)] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if raw.allSatisfy(\.isEmpty) { continue }
            let sectionTitle = v.required(field("title"), values[field("title")], maxLength: 200)
            let purpose = v.required(field("purpose"), values[field("purpose")], maxLength: 2_000)
            let content = raw[2]
            if content.count > 20_000 { v.add(field("content"), "validation.too_long", ["20000"]) }
            for problem in SafeMarkdown.problems(content) { v.add(field("content"), problem.key, problem.arguments) }
            var slides: SlideRange?
            if !raw[3].isEmpty {
                slides = SlideRange(raw[3])
                if slides == nil { v.add(field("slides"), "guides.error.slides") }
            }
            let questions = raw[4].split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if questions.count > 20 || questions.contains(where: { $0.count > 500 }) {
                v.add(field("questions"), "guides.error.questions")
            }
            sections.append(
                GuideSection(
                    title: sectionTitle, purpose: purpose, content: content, slides: slides, questions: questions))
        }
        if sections.isEmpty { v.add("s1_title", "guides.error.no_sections") }
        guard let language, let audience else { return nil }
        return GuideDraft(
            title: title, introduction: introduction, language: language, audience: audience, sections: sections)
    }
}

/// Who takes part in a local dialogue, by group.
public enum ParticipantGroup: String, CaseIterable, Codable, Sendable {
    case politicians, administration, schoolLeaders = "school-leaders", teachers, parents, pupils, others
}

/// What a committee agrees on in a session: a goal or a frame, with who is responsible and when it
/// is followed up; a goal may name the indicator it is followed with.
public struct Agreement: Codable, Sendable, Equatable {
    public enum Kind: String, CaseIterable, Codable, Sendable { case goal, frame }

    public var kind: Kind
    public var statement: String
    public var responsible: String
    /// ISO day of the follow-up.
    public var followUp: String
    public var indicator: String?

    public init(kind: Kind, statement: String, responsible: String, followUp: String, indicator: String? = nil) {
        self.kind = kind
        self.statement = statement
        self.responsible = responsible
        self.followUp = followUp
        self.indicator = indicator
    }

    /// Rows `aN_kind`, `aN_statement`, `aN_responsible`, `aN_follow_up`, `aN_indicator`; rows left
    /// wholly empty are dropped. `indicators`: the codes a goal may link to.
    public static func validate(
        _ values: [String: String], slots: Int, indicators: Set<String>, into v: inout Validation
    ) -> [Agreement] {
        var agreements: [Agreement] = []
        for n in 1...max(1, min(slots, 40)) {
            let field = { (name: String) in "a\(n)_\(name)" }
            let statementText = (values[field("statement")] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let responsibleText = (values[field("responsible")] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let followText = (values[field("follow_up")] ?? "").trimmingCharacters(in: .whitespaces)
            let indicatorText = (values[field("indicator")] ?? "").trimmingCharacters(in: .whitespaces)
            if statementText.isEmpty && responsibleText.isEmpty && followText.isEmpty && indicatorText.isEmpty {
                continue
            }
            let kind = Kind(rawValue: values[field("kind")] ?? "") ?? .goal
            let statement = v.required(field("statement"), statementText, maxLength: 1_000)
            if responsibleText.isEmpty {
                v.add(field("responsible"), "dialogues.error.responsible")
            } else if responsibleText.count > 200 {
                v.add(field("responsible"), "validation.too_long", ["200"])
            }
            if followText.isEmpty {
                v.add(field("follow_up"), "dialogues.error.follow_up")
            } else if !isDay(followText) {
                v.add(field("follow_up"), "validation.date")
            }
            if !indicatorText.isEmpty && !indicators.contains(indicatorText) {
                v.add(field("indicator"), "validation.choice")
            }
            agreements.append(
                Agreement(
                    kind: kind, statement: statement, responsible: responsibleText, followUp: followText,
                    indicator: indicatorText.isEmpty ? nil : indicatorText))
        }
        return agreements
    }

    /// A real day written YYYY-MM-DD.
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]),
            let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: 1)),
            let days = calendar.range(of: .day, in: .month, for: date)
        else { return false }
        return days.contains(d) && (1900...2200).contains(y)
    }
}
