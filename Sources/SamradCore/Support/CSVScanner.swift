import Foundation

/// Reads RFC 4180 CSV straight from bytes, one record at a time, for files too large to hold as
/// `CSVTable` rows (an import of a million observations). Each record comes with the line it
/// starts on.
public struct CSVScanner {
    public struct Failure: Error, Equatable {
        public var line: Int
        public var key: String
    }

    /// Calls `body` with each record's first line and fields; `body` returns false to stop. The
    /// separator is `;` when the first line has more semicolons than commas outside quotes (a file
    /// from Danish or Swedish Excel), else `,`.
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, [String]) throws -> Bool) throws {
        let separator = separator(of: bytes)
        var fields: [String] = []
        fields.reserveCapacity(16)
        var index = 0
        let count = bytes.count
        var line = 1
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < count {
            let recordLine = line
            fields.removeAll(keepingCapacity: true)
            var endOfRecord = false
            while !endOfRecord {
                if index < count, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    var value: [UInt8] = []
                    var closed = false
                    while index < count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "\"") {
                            if index + 1 < count, bytes[index + 1] == UInt8(ascii: "\"") {
                                value.append(byte); index += 2; continue
                            }
                            index += 1
                            closed = true
                            break
                        }
                        if byte == UInt8(ascii: "\n") { line += 1 }
                        value.append(byte)
                        index += 1
                    }
                    if !closed { throw Failure(line: recordLine, key: "csv.unclosed_quote") }
                    fields.append(String(decoding: value, as: UTF8.self))
                    if index < count, bytes[index] == UInt8(ascii: "\r") { index += 1 }
                    if index >= count || bytes[index] == UInt8(ascii: "\n") {
                        index += 1; endOfRecord = true
                    } else if bytes[index] == separator {
                        index += 1; if index >= count { fields.append(""); endOfRecord = true }
                    } else {
                        throw Failure(line: line, key: "csv.stray_quote")
                    }
                } else {
                    let start = index
                    while index < count {
                        let byte = bytes[index]
                        if byte == separator || byte == UInt8(ascii: "\n") { break }
                        if byte == UInt8(ascii: "\"") { throw Failure(line: line, key: "csv.stray_quote") }
                        index += 1
                    }
                    var end = index
                    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                    if index >= count {
                        endOfRecord = true
                    } else if bytes[index] == UInt8(ascii: "\n") {
                        index += 1; endOfRecord = true
                    } else {
                        index += 1; if index >= count { fields.append(""); endOfRecord = true }
                    }
                }
            }
            line += 1
            if fields.count == 1 && fields[0].isEmpty { continue }
            if try !body(recordLine, fields) { return }
        }
    }

    static func separator(of bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var commas = 0, semicolons = 0, inQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && !inQuotes { break }
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == UInt8(ascii: ",") { commas += 1 } else if byte == UInt8(ascii: ";") { semicolons += 1 }
            }
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    public static func scan(_ data: Data, _ body: (Int, [String]) throws -> Bool) throws {
        try data.withUnsafeBytes { raw in
            try scan(raw.bindMemory(to: UInt8.self), body)
        }
    }

    /// The header row alone.
    public static func header(_ data: Data) throws -> [String] {
        var header: [String] = []
        try scan(data) { _, fields in
            header = fields; return false
        }
        return header
    }
}
