import Foundation

/// What a material in the knowledge bank is.
public enum MaterialKind: String, CaseIterable, Codable, Sendable {
    case article, example, project, research, document, slides
}

/// The ages a material is about, as the Danish and Swedish school systems divide them.
public enum GradeBand: String, CaseIterable, Codable, Sendable {
    case daycare, early, middle, lower, upper
}

/// Who may read a published material: everybody (also the feed), members of its collaboration
/// (signed-in people of the installation when it belongs to none), or only its authors and editors.
public enum MaterialVisibility: String, CaseIterable, Codable, Sendable {
    case `public`, members, `private`
}

public enum MaterialLicence: String, CaseIterable, Codable, Sendable {
    case ccBy = "cc-by-4.0"
    case ccBySa = "cc-by-sa-4.0"
    case ccByNc = "cc-by-nc-4.0"
    case ccByNcNd = "cc-by-nc-nd-4.0"
    case allRightsReserved = "all-rights-reserved"
}

/// Where a material stands in the editorial workflow: the author writes a draft and submits it; an
/// editor publishes it or asks for changes, after which the author submits again.
public enum EditorialStatus: String, CaseIterable, Codable, Sendable {
    case draft, submitted, changesRequested = "changes-requested", published

    public enum Step: String, CaseIterable, Sendable {
        case submit, withdraw, requestChanges = "request-changes", publish, unpublish
    }

    /// The status after `step`, or a message when the step does not apply now.
    public func after(_ step: Step) throws -> EditorialStatus {
        switch (step, self) {
        case (.submit, .draft), (.submit, .changesRequested): return .submitted
        case (.withdraw, .submitted): return .draft
        case (.requestChanges, .submitted): return .changesRequested
        case (.publish, .submitted): return .published
        case (.unpublish, .published): return .submitted
        default: throw SamradError(.conflict, "knowledge.error.step")
        }
    }
}

/// A material as the author's form gives it, checked: every problem named by its field.
public struct MaterialDraft: Sendable, Equatable {
    public var kind: MaterialKind
    public var title: String
    public var summary: String
    public var body: String
    public var themes: [String]
    public var gradeBands: [GradeBand]
    public var authors: [String]
    public var contact: String?
    public var school: String?
    public var language: Language
    public var licence: MaterialLicence
    public var consent: Bool
    public var visibility: MaterialVisibility

    public static let fields = [
        "kind", "title", "summary", "body", "themes", "grade_bands", "authors", "contact", "school", "language",
        "licence", "consent", "visibility", "municipality", "collaboration",
    ]

    /// `values` as a form posts them (grade bands comma-separated, authors one per line or by commas).
    public static func validate(_ values: [String: String], into v: inout Validation) -> MaterialDraft? {
        let kind = v.oneOf("kind", values["kind"], as: MaterialKind.self)
        let title = v.required("title", values["title"], maxLength: 200)
        let summary = v.required("summary", values["summary"], maxLength: 1_000)
        let body = (values["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if body.count > 100_000 { v.add("body", "validation.too_long", ["100000"]) }
        for problem in SafeMarkdown.problems(body) { v.add("body", problem.key, problem.arguments) }
        let themes = list(values["themes"], separators: ",")
        if themes.count > 10 || themes.contains(where: { $0.count > 80 }) { v.add("themes", "knowledge.error.themes") }
        var bands: [GradeBand] = []
        for text in list(values["grade_bands"], separators: ",") {
            if let band = GradeBand(rawValue: text) {
                bands.append(band)
            } else {
                v.add("grade_bands", "validation.choice")
            }
        }
        let authors = list(values["authors"], separators: ",\n")
        if authors.isEmpty {
            v.add("authors", "validation.required")
        } else if authors.count > 12 || authors.contains(where: { $0.count > 120 }) {
            v.add("authors", "knowledge.error.authors")
        }
        let contact = v.email("contact", values["contact"], required: false)
        let school = v.optional("school", values["school"], maxLength: 200)
        let language = v.oneOf("language", values["language"], as: Language.self)
        let licence = v.oneOf("licence", values["licence"], as: MaterialLicence.self)
        let visibility = v.oneOf("visibility", values["visibility"], as: MaterialVisibility.self)
        let consent = ["on", "true", "1", "yes"].contains(values["consent"] ?? "")
        guard let kind, let language, let licence, let visibility else { return nil }
        return MaterialDraft(
            kind: kind, title: title, summary: summary, body: body, themes: themes, gradeBands: bands, authors: authors,
            contact: contact, school: school, language: language, licence: licence, consent: consent,
            visibility: visibility)
    }

    /// Submitting and publishing need the authors' consent to publication (and that of anybody
    /// shown or quoted), whatever the visibility.
    public static func requireConsent(_ consent: Bool) throws {
        if !consent { throw SamradError.invalid([FieldError(field: "consent", "knowledge.error.consent")]) }
    }

    static func list(_ text: String?, separators: String) -> [String] {
        var seen = Set<String>()
        return (text ?? "").split(whereSeparator: { separators.contains($0) || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty && seen.insert($0.lowercased()).inserted
            }
    }

    /// An address for the stable URL: the title's words, lower-case ASCII, at most 60 characters;
    /// Danish letters written as Danes do without them (æ ae, ø oe, å aa), others without accents.
    public static func slug(_ title: String, _ language: Language) -> String {
        var text = title.lowercased().replacingOccurrences(of: "æ", with: "ae").replacingOccurrences(
            of: "ø", with: "oe")
        if language == .da { text = text.replacingOccurrences(of: "å", with: "aa") }
        let folded = text.folding(options: .diacriticInsensitive, locale: nil)
        var slug = ""
        for c in folded.unicodeScalars {
            if ("a"..."z").contains(c) || ("0"..."9").contains(c) {
                slug.unicodeScalars.append(c)
            } else if !slug.isEmpty && !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.count > 60 {
            // Cut at the last whole word within 60 characters, never in the middle of one.
            let head = String(slug.prefix(61))
            slug =
                head.hasSuffix("-")
                ? String(head.dropLast())
                : head.lastIndex(of: "-").map { String(head[..<$0]) } ?? String(slug.prefix(60))
            while slug.hasSuffix("-") { slug.removeLast() }
        }
        return slug.isEmpty ? "material" : slug
    }
}
