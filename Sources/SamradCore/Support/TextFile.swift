import Foundation

/// The text of an uploaded file, whatever a spreadsheet saved it as: UTF-8 (with or without a byte
/// order mark), UTF-16 with its mark ("Unicode text"), or Windows-1252, which Danish and Swedish
/// Excel write for "CSV (semicolon separated)". A file that is none of them is refused with a
/// message that says so, never read with replacement characters.
public enum TextFile {
    public enum Encoding: Equatable, Sendable { case utf8, utf16, windows1252 }

    public static func decode(_ data: Data) throws -> (text: String, encoding: Encoding) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let text = String(validating: bytes.dropFirst(3), as: UTF8.self) else { throw unreadable }
            return (text, .utf8)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: data, encoding: .utf16) else { throw unreadable }
            return (text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, .utf16)
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        // Five byte values mean nothing in Windows-1252: a file with one of them is something else.
        guard !bytes.contains(where: { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }), !bytes.contains(0) else {
            throw unreadable
        }
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        for byte in bytes {
            if (0x80...0x9F).contains(byte) {
                text.unicodeScalars.append(Unicode.Scalar(windows1252[Int(byte) - 0x80])!)
            } else {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return (text, .windows1252)
    }

    static var unreadable: SamradError {
        SamradError(
            .invalidInput, "csv.encoding_unknown", fieldErrors: [FieldError(field: "file", "csv.encoding_unknown")])
    }

    /// Windows-1252's characters for the bytes 0x80…0x9F (the rest are Latin-1's).
    static let windows1252: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161,
        0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
