import Foundation

/// Official mailboxes of municipalities from a spreadsheet: one line per municipality with its
/// code and the address (`post@aarhus.dk`). An empty address removes the stored one. The whole
/// file is checked first; every problem names its line and column.
public struct MailboxList: Sendable {
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var municipality: MunicipalityKey
        /// Lower-cased; nil removes the mailbox.
        public var email: String?
    }

    static let municipalityHeaders: Set<String> = [
        "municipality", "municipalitycode", "kommune", "kommunekode", "kommun",
        "kommunkod", "code", "kode", "kod",
    ]
    static let emailHeaders: Set<String> = [
        "email", "mail", "epost", "mailbox", "postkasse", "funktionsbrevlåda",
        "funktionsbrevlada", "officialmailbox", "hovedpostkasse", "emailadresse",
        "epostadress",
    ]

    public let rows: [Row]

    /// Reads `text`; a bare code belongs to `country`, `dk/751` names its own.
    public init(csv text: String, country: Country, directory: MunicipalityDirectory) throws {
        let table = try CSVTable(parsing: text, separator: CSVTable.separator(of: text))
        func header(_ names: Set<String>) -> String? {
            table.header.first { names.contains($0.lowercased().filter { $0.isLetter }) }
        }
        guard let codeColumn = header(Self.municipalityHeaders), let emailColumn = header(Self.emailHeaders) else {
            throw SamradError.invalid([FieldError(field: "file", "mailboxes.error.columns")])
        }
        if table.records.count > 5_000 {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.too_many", ["5000"])])
        }
        var v = Validation()
        var rows: [Row] = []
        var seen: [MunicipalityKey: Int] = [:]
        for record in table.records {
            let code = record[codeColumn].trimmingCharacters(in: .whitespacesAndNewlines)
            let email = record[emailColumn].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            let line = String(record.line)
            let key = code.contains("/") ? MunicipalityKey(path: code.lowercased()) : MunicipalityKey(country, code)
            guard !code.isEmpty, let key, directory[key] != nil else {
                v.add(
                    "line \(line)", code.isEmpty ? "mailboxes.error.required" : "mailboxes.error.municipality",
                    [line, codeColumn, code])
                continue
            }
            if !email.isEmpty, !Validation.looksLikeEmail(email) || email.count > 254 {
                v.add("line \(line)", "mailboxes.error.email", [line, emailColumn, email])
                continue
            }
            if let first = seen[key] {
                v.add("line \(line)", "mailboxes.error.duplicate", [line, key.description, String(first)])
                continue
            }
            seen[key] = record.line
            rows.append(Row(line: record.line, municipality: key, email: email.isEmpty ? nil : email))
        }
        try v.check()
        if rows.isEmpty { throw SamradError.invalid([FieldError(field: "file", "people_import.error.no_rows")]) }
        self.rows = rows
    }
}
