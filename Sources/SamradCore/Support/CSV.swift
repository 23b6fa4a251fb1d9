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

/// Writes CSV text with the quoting RFC 4180 asks for.
public struct CSVWriter: Sendable {
    public private(set) var text = ""

    public init(header: [String]) { append(header) }

    public mutating func append(_ fields: [String]) {
        text += fields.map(CSVWriter.quote).joined(separator: ",")
        text += "\r\n"
    }

    static func quote(_ field: String) -> String {
        // A leading =, +, - or @ (or a tab or carriage return before one) would run as a formula in
        // a spreadsheet (CSV injection, OWASP's list).
        var field = field
        if let first = field.first, "=+-@\t\r".contains(first), Double(field) == nil { field = "'" + field }
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}
