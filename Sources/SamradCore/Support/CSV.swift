import Foundation

/// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Each record keeps the
/// line it starts on, so messages can name the CSV line.
public struct CSVTable: Sendable {
    public let header: [String]
    public let records: [CSVRecord]

    /// `separator` is `,` (RFC 4180) or `;` (what Danish and Swedish Excel write).
    public init(parsing text: String, separator: Unicode.Scalar = ",") throws {
        var rows: [(line: Int, fields: [String])] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var afterQuote = false
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((recordLine, fields)) }
            fields = []
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false; afterQuote = true; pending = next
                        }
                    } else {
                        inQuotes = false; afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            if scalar == separator {
                fields.append(field); field = ""; afterQuote = false
                continue
            }
            switch scalar {
            case "\r":
                continue
            case "\n":
                endRecord(); line += 1; recordLine = line; afterQuote = false
            case "\"":
                if field.isEmpty && !afterQuote {
                    inQuotes = true
                } else {
                    throw SamradError(
                        .invalidInput, "csv.stray_quote", [String(line)],
                        fieldErrors: [FieldError(field: "line \(line)", "csv.stray_quote", [String(line)])])
                }
            default:
                if afterQuote {
                    throw SamradError(
                        .invalidInput, "csv.stray_quote", [String(line)],
                        fieldErrors: [FieldError(field: "line \(line)", "csv.stray_quote", [String(line)])])
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw SamradError(
                .invalidInput, "csv.unclosed_quote", [String(recordLine)],
                fieldErrors: [FieldError(field: "line \(recordLine)", "csv.unclosed_quote", [String(recordLine)])])
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = rows.first else {
            throw SamradError(.invalidInput, "csv.empty")
        }
        header = first.fields
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() { index[name] = i }
        var records: [CSVRecord] = []
        records.reserveCapacity(rows.count - 1)
        for row in rows.dropFirst() {
            if row.fields.count != header.count {
                throw SamradError(
                    .invalidInput, "csv.field_count",
                    [String(row.line), String(header.count), String(row.fields.count)],
                    fieldErrors: [
                        FieldError(
                            field: "line \(row.line)", "csv.field_count",
                            [String(row.line), String(header.count), String(row.fields.count)])
                    ])
            }
            records.append(CSVRecord(line: row.line, fields: row.fields, index: index))
        }
        self.records = records
    }

    /// The separator of a file from a spreadsheet: `;` when its first line has more semicolons than
    /// commas outside quotes, else `,`.
    public static func separator(of text: String) -> Unicode.Scalar {
        var commas = 0, semicolons = 0, inQuotes = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" { break }
            if scalar == "\"" {
                inQuotes.toggle()
            } else if !inQuotes {
                if scalar == "," { commas += 1 } else if scalar == ";" { semicolons += 1 }
            }
        }
        return semicolons > commas ? ";" : ","
    }

    /// Throws a message naming the first missing column.
    public func require(columns: [String]) throws {
        for column in columns where !header.contains(column) {
            throw SamradError(.invalidInput, "csv.missing_column", [column])
        }
    }
}

public struct CSVRecord: Sendable {
    public let line: Int
    let fields: [String]
    let index: [String: Int]

    public subscript(column: String) -> String {
        guard let i = index[column] else { return "" }
        return fields[i]
    }

    public func text(_ column: String) throws -> String {
        let value = self[column]
        if value.isEmpty { throw lineError("csv.missing_value", column) }
        return value
    }

    public func int(_ column: String) throws -> Int {
        guard let value = Int(self[column]) else { throw lineError("csv.not_a_number", column) }
        return value
    }

    public func double(_ column: String) throws -> Double {
        guard let value = Double(self[column]) else { throw lineError("csv.not_a_number", column) }
        return value
    }

    public func lineError(_ key: String, _ column: String) -> SamradError {
        SamradError(
            .invalidInput, key, [String(line), column],
            fieldErrors: [FieldError(field: "line \(line)", key, [String(line), column])])
    }
}

/// A table for download, written as RFC 4180 CSV (comma, the default), as the semicolon form that
/// Danish and Swedish Excel open directly (decimal commas), or as cells typed for a spreadsheet.
public struct CSVWriter: Sendable {
    public let header: [String]
    public private(set) var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ fields: [String]) { rows.append(fields) }

    /// The comma form (RFC 4180), lines ending in CRLF.
    public var text: String { text(separator: ",") }

    /// `;` writes numbers with a decimal comma, as Excel set to Danish or Swedish reads them.
    /// `defusingFormulas` is off only for text that no spreadsheet opens (a workbook read for an
    /// import), where a leading "+" is a phone number's.
    public func text(separator: Character, defusingFormulas: Bool = true) -> String {
        var text = ""
        let kinds = SpreadsheetColumn.kinds(header)
        for (index, fields) in ([header] + rows).enumerated() {
            for (column, field) in fields.enumerated() {
                if column > 0 { text.append(separator) }
                // A plain number needs neither quotes nor defusing; it only swaps its point.
                if separator == ";", index > 0, column < kinds.count, kinds[column] != .text,
                    SpreadsheetCell.isPlainNumber(field)
                {
                    // (Not through `unicodeScalars.append`: it copies the whole text each time.)
                    let comma = field.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: ",") : $0 }
                    text += String(decoding: comma, as: UTF8.self)
                } else {
                    text += CSVWriter.quote(field, separator: separator, defusing: defusingFormulas)
                }
            }
            text += "\r\n"
        }
        return text
    }

    static func quote(_ field: String, separator: Character = ",", defusing: Bool = true) -> String {
        // A leading =, +, - or @ (or a tab or carriage return before one) would run as a formula in
        // a spreadsheet (CSV injection, OWASP's list).
        var field = field
        if defusing, let first = field.first, "=+-@\t\r".contains(first), Double(field) == nil { field = "'" + field }
        if field.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}

/// What a column holds, from its name: codes, identifiers and phone numbers stay text even when they
/// look like numbers ("0180" is Stockholm, not 180).
public enum SpreadsheetColumn: Sendable, Equatable {
    case text, typed

    public static func kinds(_ header: [String]) -> [SpreadsheetColumn] {
        header.map { name in
            let name = name.lowercased()
            let textual =
                name == "id" || name.hasSuffix("_id") || name.hasSuffix("code") || name.contains("phone")
                || name.contains("country") || name.contains("number") || name.contains("ean") || name == "prefix"
                || name == "question" || name == "statement" || name == "option"
            return textual ? .text : .typed
        }
    }
}

/// One value as a spreadsheet cell: a number, a day, a moment, or text.
public enum SpreadsheetCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    /// A calendar day, "2026-12-06".
    case day(year: Int, month: Int, day: Int)
    /// A moment, written in ISO 8601 with its offset.
    case moment(Date)
    /// A local day and time without an offset, "2027-05-27T13:00" (a meeting's own time).
    case wallClock(year: Int, month: Int, day: Int, minutes: Int)
    case empty

    public init(_ value: String, kind: SpreadsheetColumn) {
        if value.isEmpty { self = .empty; return }
        guard kind == .typed else { self = .text(value); return }
        if Self.isPlainNumber(value), let number = Double(value) { self = .number(number); return }
        let bytes = Array(value.utf8)
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Int(value.prefix(4)), let month = Int(value.dropFirst(5).prefix(2)),
            let day = Int(value.suffix(2)), (1...12).contains(month), (1...31).contains(day)
        {
            self = .day(year: year, month: month, day: day)
            return
        }
        if bytes.count == 16, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            case .day(let year, let month, let day) = SpreadsheetCell(String(value.prefix(10)), kind: .typed),
            let hour = Int(value.dropFirst(11).prefix(2)), let minute = Int(value.suffix(2)),
            (0..<24).contains(hour), (0..<60).contains(minute)
        {
            self = .wallClock(year: year, month: month, day: day, minutes: hour * 60 + minute)
            return
        }
        if bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), let date = try? Date(value, strategy: .iso8601) {
            self = .moment(date)
            return
        }
        self = .text(value)
    }

    /// "12", "-3.5", "0.25"; not "012", "1e5", "1,5" or " 1".
    static func isPlainNumber(_ value: String) -> Bool {
        var digits = value.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        let parts = digits.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty else { return false }
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard whole.allSatisfy(isDigit), whole.count == 1 || whole.first != UInt8(ascii: "0") else { return false }
        if parts.count == 2 { return !parts[1].isEmpty && parts[1].allSatisfy(isDigit) }
        return true
    }
}
