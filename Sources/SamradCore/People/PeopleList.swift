import Foundation

/// A list of people brought in from a spreadsheet: one line per person with the municipality's
/// code, name, position and e-mail address, and optionally phone and title. The whole file is
/// read and checked before anything is written; every problem names its line and column.
public struct PeopleList: Sendable {
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var municipality: MunicipalityKey
        public var name: String
        public var position: Position
        /// Lower-cased: people are matched on it.
        public var email: String
        public var phone: String?
        public var title: String?
    }

    public static let maxRows = 5_000

    /// The columns by what they mean; a file's first line may name them in Danish, Swedish or
    /// English, in any case, with or without spaces and hyphens.
    public enum Column: String, CaseIterable, Sendable {
        case municipality, name, position, email, phone, title

        static let names: [String: Column] = [
            "municipality": .municipality, "municipalitycode": .municipality, "kommune": .municipality,
            "kommunekode": .municipality, "kommun": .municipality, "kommunkod": .municipality,
            "name": .name, "navn": .name, "namn": .name,
            "position": .position, "funktion": .position, "roll": .position, "stilling": .position,
            "email": .email, "mail": .email, "epost": .email, "emailaddress": .email, "emailadresse": .email,
            "epostadress": .email,
            "phone": .phone, "telephone": .phone, "telefon": .phone, "mobil": .phone, "mobile": .phone,
            "title": .title, "titel": .title, "jobtitle": .title, "stillingsbetegnelse": .title,
        ]

        static func of(_ header: String) -> Column? {
            let key = header.lowercased().filter { $0.isLetter }
            return names[key]
        }

        public static let required: [Column] = [.municipality, .name, .position, .email]
    }

    public let rows: [Row]

    /// Reads `text`. A bare municipality code belongs to `country`; `dk/751` names its own. A
    /// position is its key (`school_chief`) or its name in any language (`positionNames`, lower-case).
    public init(
        csv text: String, country: Country, directory: MunicipalityDirectory,
        positionNames: [String: Position]
    ) throws {
        let table = try CSVTable(parsing: text, separator: CSVTable.separator(of: text))
        var columns: [Column: String] = [:]
        for header in table.header {
            if let column = Column.of(header), columns[column] == nil { columns[column] = header }
        }
        let missing = Column.required.filter { columns[$0] == nil }
        if !missing.isEmpty {
            throw SamradError.invalid(
                missing.map { FieldError(field: "file", "people_import.error.column", [$0.rawValue]) })
        }
        if table.records.count > Self.maxRows {
            throw SamradError.invalid([
                FieldError(field: "file", "people_import.error.too_many", [String(Self.maxRows)])
            ])
        }
        var v = Validation()
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        for record in table.records {
            func cell(_ column: Column) -> String {
                columns[column].map { record[$0].trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            }
            func problem(_ column: Column, _ key: String, _ extra: [String] = []) {
                v.add(
                    "line \(record.line)", "people_import.error.\(key)",
                    [String(record.line), columns[column] ?? column.rawValue, cell(column)] + extra)
            }
            let before = v.errors.count
            for column in Column.required where cell(column).isEmpty { problem(column, "required") }
            let name = cell(.name), email = cell(.email).lowercased(), code = cell(.municipality)
            if name.count > 120 { problem(.name, "too_long", ["120"]) }
            if !email.isEmpty, !Validation.looksLikeEmail(email) || email.count > 254 { problem(.email, "email") }
            var municipality: MunicipalityKey? = nil
            if !code.isEmpty {
                let key = code.contains("/") ? MunicipalityKey(path: code.lowercased()) : MunicipalityKey(country, code)
                if let key, directory[key] != nil { municipality = key } else { problem(.municipality, "municipality") }
            }
            let positionText = cell(.position)
            let position = Position(rawValue: positionText) ?? positionNames[positionText.lowercased()]
            if !positionText.isEmpty, position == nil { problem(.position, "position") }
            let phone = cell(.phone)
            if !phone.isEmpty, !Validation.isPhone(phone) { problem(.phone, "phone") }
            let title = cell(.title)
            if title.count > 120 { problem(.title, "too_long", ["120"]) }
            if !email.isEmpty, let first = seen[email] {
                v.add(
                    "line \(record.line)", "people_import.error.duplicate", [String(record.line), email, String(first)])
            } else if !email.isEmpty {
                seen[email] = record.line
            }
            guard v.errors.count == before, let municipality, let position else { continue }
            rows.append(
                Row(
                    line: record.line, municipality: municipality, name: name, position: position, email: email,
                    phone: phone.isEmpty ? nil : phone, title: title.isEmpty ? nil : title))
        }
        try v.check()
        if rows.isEmpty { throw SamradError.invalid([FieldError(field: "file", "people_import.error.no_rows")]) }
        self.rows = rows
    }
}

/// What bringing a list in does to each line's person.
public enum PeopleListChange: String, Sendable {
    case created, updated, unchanged
}
