import Foundation

/// Every user-facing string, per language. Messages use numbered placeholders: `{0}`, `{1}`.
public struct Catalog: Sendable {
    public private(set) var tables: [Language: [String: String]]

    public init(tables: [Language: [String: String]]) {
        self.tables = tables
    }

    /// Reads `da.json`, `sv.json` and `en.json` (flat objects of key → text) from a folder.
    public init(directory: URL) throws {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(language.rawValue).json"))
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.init(tables: tables)
    }

    public func text(_ key: String, _ language: Language, _ given: [String] = []) -> String {
        // An argument may name an entry (`@position.school_chief`): rules in Core name things that way
        // and the reader gets them in their language.
        let arguments = given.map { argument in
            argument.hasPrefix("@") ? tables[language]?[String(argument.dropFirst())] ?? argument : argument
        }
        // A key with plural forms instead of one text takes its form from the count in `{0}`.
        if tables[language]?[key] == nil, let count = arguments.first,
            let template = tables[language]?["\(key).\(PluralForm(Self.number(count), language).rawValue)"]
        {
            return Self.fill(template, arguments)
        }
        let template = tables[language]?[key] ?? tables[.en]?[key] ?? key
        return Self.fill(template, arguments)
    }

    /// The whole number a count was written as ("1.234", "1 234", "1,234"); 0 when it is none.
    static func number(_ text: String) -> Int {
        Int(text.filter(\.isNumber)) ?? 0
    }

    static func fill(_ template: String, _ arguments: [String]) -> String {
        guard !arguments.isEmpty, template.contains("{") else { return template }
        var result = template
        for (index, argument) in arguments.enumerated() {
            result = result.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return result
    }

    /// A message about a count in the plural form its language uses for it, from the key's forms
    /// `key.one` and `key.other`; `{0}` is the count written the language's way.
    public func count(_ key: String, _ n: Int, _ language: Language, _ arguments: [String] = []) -> String {
        text("\(key).\(PluralForm(n, language).rawValue)", language, [NumberText.integer(n, language)] + arguments)
    }

    public func has(_ key: String, _ language: Language) -> Bool {
        tables[language]?[key] != nil
    }

    /// Keys that one language has and another lacks: `(language, key)`.
    public func missingKeys() -> [(Language, String)] {
        let all = Set(tables.values.flatMap(\.keys))
        var missing: [(Language, String)] = []
        for language in Language.allCases {
            let keys = Set(tables[language]?.keys ?? [:].keys)
            for key in all.subtracting(keys).sorted() { missing.append((language, key)) }
        }
        return missing
    }

    /// The message of an error, with its field messages, in one language.
    public func message(for error: SamradError, _ language: Language) -> String {
        text(error.messageKey, language, error.arguments)
    }

    public func message(for fieldError: FieldError, _ language: Language) -> String {
        text(fieldError.messageKey, language, fieldError.arguments)
    }
}

/// The CLDR plural category of a whole number. Danish, Swedish and English use "one" for 1 and
/// "other" for every other whole number (0 included).
public enum PluralForm: String, Sendable {
    case one, other

    public init(_ n: Int, _ language: Language) {
        switch language {
        case .da, .sv, .en: self = n == 1 ? .one : .other
        }
    }
}
