import Foundation

/// Which files may be attached to a meeting: documents, slides and images, up to a size. The type is
/// decided by the file's first bytes and its extension together, never by what the browser claims,
/// so a page or script cannot be uploaded as a "PDF" and served back to others.
public enum MaterialRules {
    public static let maxBytes = 20_000_000

    public struct Kind: Sendable, Equatable {
        public var contentType: String
        /// Shown inline (PDF and images open in the browser); others download.
        public var inline: Bool
    }

    static let kinds: [String: Kind] = [
        "pdf": Kind(contentType: "application/pdf", inline: true),
        "png": Kind(contentType: "image/png", inline: true),
        "jpg": Kind(contentType: "image/jpeg", inline: true),
        "jpeg": Kind(contentType: "image/jpeg", inline: true),
        "gif": Kind(contentType: "image/gif", inline: true),
        "webp": Kind(contentType: "image/webp", inline: true),
        "pptx": Kind(
            contentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", inline: false),
        "docx": Kind(
            contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", inline: false),
        "xlsx": Kind(contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", inline: false),
        "odp": Kind(contentType: "application/vnd.oasis.opendocument.presentation", inline: false),
        "odt": Kind(contentType: "application/vnd.oasis.opendocument.text", inline: false),
        "ppt": Kind(contentType: "application/vnd.ms-powerpoint", inline: false),
        "doc": Kind(contentType: "application/msword", inline: false),
    ]

    /// The extensions offered in the upload form.
    public static var accepted: String { kinds.keys.sorted().map { ".\($0)" }.joined(separator: ",") }

    /// The file's kind, or a message: too large, empty, or a type that is refused or does not match
    /// its content.
    public static func check(filename: String, bytes: [UInt8]) throws -> Kind {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if bytes.isEmpty { throw SamradError.invalid([FieldError(field: "file", "materials.error.empty")]) }
        if bytes.count > maxBytes {
            throw SamradError(
                .payloadTooLarge, "materials.error.too_large", [String(maxBytes / 1_000_000)],
                fieldErrors: [FieldError(field: "file", "materials.error.too_large", [String(maxBytes / 1_000_000)])])
        }
        guard filename.contains("."), let kind = kinds[ext] else {
            throw SamradError.invalid([FieldError(field: "file", "materials.error.type", [accepted])])
        }
        guard signatureMatches(ext, bytes) else {
            throw SamradError.invalid([FieldError(field: "file", "materials.error.content", [ext.uppercased()])])
        }
        return kind
    }

    static func starts(_ bytes: [UInt8], _ prefix: [UInt8], at offset: Int = 0) -> Bool {
        bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
    }

    static func signatureMatches(_ ext: String, _ b: [UInt8]) -> Bool {
        switch ext {
        case "pdf": return starts(b, Array("%PDF-".utf8))
        case "png": return starts(b, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "jpg", "jpeg": return starts(b, [0xFF, 0xD8, 0xFF])
        case "gif": return starts(b, Array("GIF87a".utf8)) || starts(b, Array("GIF89a".utf8))
        case "webp": return starts(b, Array("RIFF".utf8)) && starts(b, Array("WEBP".utf8), at: 8)
        // Office Open XML and OpenDocument files are ZIP archives.
        case "pptx", "docx", "xlsx", "odp", "odt": return starts(b, [0x50, 0x4B, 0x03, 0x04])
        // The older Office formats are OLE compound files.
        case "ppt", "doc": return starts(b, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        default: return false
        }
    }

    /// The name to keep and send back for an uploaded file: without a path, line breaks or quotes
    /// (it goes into a Content-Disposition header), at most 200 characters.
    public static func filename(_ uploaded: String) -> String {
        String(String(uploaded.split(separator: "/").last ?? "file").filter { !$0.isNewline && $0 != "\"" }.prefix(200))
    }

    public static func isInline(_ contentType: String) -> Bool {
        kinds.values.contains { $0.contentType == contentType && $0.inline }
    }

    /// A short name of the type for lists: "PDF", "PPTX".
    public static func label(_ contentType: String) -> String {
        kinds.filter { $0.value.contentType == contentType }.keys.sorted().first.map {
            $0 == "jpeg" ? "JPG" : $0.uppercased()
        } ?? "FILE"
    }
}
