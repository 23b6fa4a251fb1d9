import Foundation

/// What a survey promises those it asks, stated to them before they answer. In both, an answer is
/// stored without anything that names the one who gave it; the difference is what the organiser
/// learns about who answered.
public enum SurveyAnonymity: String, CaseIterable, Codable, Sendable {
    /// Nobody learns who answered: the organiser sees only how many did, and reminders go to the
    /// others without anyone seeing to whom.
    case anonymous
    /// The organiser sees who has answered, never what.
    case confidential
}

/// A class code a teacher hands out for one school and grade: eight letters and digits without the
/// ones that are read wrongly on a board (0/O, 1/I/L), shown as two groups ("K7RM-2XQP").
public enum ClassCode {
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    /// A fresh code; 31^8 ≈ 850 billion codes, so guessing one of a survey's few thousand is hopeless.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<8).map { _ in alphabet.randomElement(using: &generator)! })
    }

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    /// As typed by a pupil: case, spaces and dashes do not matter. nil when it cannot be a code.
    public static func normalised(_ typed: String) -> String? {
        var result = ""
        for character in typed.uppercased() {
            switch character {
            case " ", "-", "\u{2013}", "\u{00A0}": continue
            default:
                guard alphabet.contains(character) else { return nil }
                result.append(character)
            }
        }
        return result.count == 8 ? result : nil
    }

    /// "K7RM2XQP" → "K7RM-2XQP".
    public static func display(_ code: String) -> String {
        code.count == 8 ? "\(code.prefix(4))-\(code.suffix(4))" : code
    }
}

/// The grades a pupil survey may be given in: 0 (børnehaveklasse, förskoleklass) to 10.
public enum SurveyGrade {
    public static let range = 0...10
}

/// A list of e-mail addresses a survey asks, as the organiser pastes it: one address per line, with
/// the respondent's municipality after a semicolon or comma where their answers should count for it
/// ("anna@skola.se; se/0114"). Every problem is named by its line.
public struct SurveyAddressList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Hashable {
        public var email: String
        public var municipality: MunicipalityKey?

        public init(email: String, municipality: MunicipalityKey? = nil) {
            self.email = email
            self.municipality = municipality
        }

        /// "anna@skola.se;se/0114", as kept.
        public var line: String { email + (municipality.map { ";\($0)" } ?? "") }
    }

    public var entries: [Entry]

    public static let maximum = 5_000

    public init(entries: [Entry]) { self.entries = entries }

    /// `known`: whether the directory has the municipality. `own`: the municipality of its own survey,
    /// which every line belongs to.
    public static func parse(
        _ text: String, field: String, own: MunicipalityKey? = nil, known: (MunicipalityKey) -> Bool
    ) throws -> SurveyAddressList {
        var v = Validation()
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == ";" || $0 == "," || $0 == "\t" })
                .map { $0.trimmingCharacters(in: .whitespaces) }
            var lineCheck = Validation()
            guard let email = lineCheck.email(field, parts[0]), lineCheck.errors.isEmpty else {
                v.add(field, "surveys.error.address_line", [String(index + 1), String(parts[0])])
                continue
            }
            var municipality: MunicipalityKey?
            if parts.count > 1, !parts[1].isEmpty {
                guard let key = MunicipalityKey(path: parts[1].lowercased()), known(key) else {
                    v.add(field, "surveys.error.address_municipality", [String(index + 1), parts[1]])
                    continue
                }
                municipality = key
            }
            if let own {
                if let municipality, municipality != own {
                    v.add(field, "surveys.error.address_not_own", [String(index + 1), municipality.description])
                    continue
                }
                municipality = own
            }
            if seen.insert(email).inserted { entries.append(Entry(email: email, municipality: municipality)) }
        }
        if entries.count > maximum { v.add(field, "surveys.error.too_many_addresses", [String(maximum)]) }
        try v.check()
        return SurveyAddressList(entries: entries)
    }

    /// Reads the kept lines back.
    public init(lines: [String]) {
        entries = lines.map { line in
            let parts = line.split(separator: ";", maxSplits: 1).map(String.init)
            return Entry(email: parts[0], municipality: parts.count > 1 ? MunicipalityKey(path: parts[1]) : nil)
        }
    }
}
