import Foundation

/// The one way Samrad validates input: collect every problem, then throw them together, so a form
/// can show all its messages at once and nothing is written when any field is wrong.
public struct Validation: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ key: String, _ arguments: [String] = []) {
        errors.append(FieldError(field: field, key, arguments))
    }

    /// Trims and requires a value of at most `maxLength` characters.
    public mutating func required(_ field: String, _ value: String?, maxLength: Int = 200) -> String {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            add(field, "validation.required")
        } else if trimmed.count > maxLength {
            add(field, "validation.too_long", [String(maxLength)])
        }
        return trimmed
    }

    /// Trims an optional value; empty becomes nil.
    public mutating func optional(_ field: String, _ value: String?, maxLength: Int = 200) -> String? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        if trimmed.count > maxLength { add(field, "validation.too_long", [String(maxLength)]) }
        return trimmed
    }

    public mutating func email(_ field: String, _ value: String?, required isRequired: Bool = true) -> String? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if trimmed.isEmpty {
            if isRequired { add(field, "validation.required") }
            return nil
        }
        if !Validation.looksLikeEmail(trimmed) || trimmed.count > 254 {
            add(field, "validation.email")
        }
        return trimmed
    }

    public mutating func password(_ field: String, _ value: String?) -> String {
        let value = value ?? ""
        if value.count < PasswordRules.minimumLength {
            add(field, "validation.password_length", [String(PasswordRules.minimumLength)])
        } else if value.utf8.count > PasswordRules.maximumBytes {
            add(field, "validation.password_bytes", [String(PasswordRules.maximumBytes)])
        }
        return value
    }

    public mutating func phone(_ field: String, _ value: String?) -> String? {
        guard let trimmed = optional(field, value, maxLength: 40) else { return nil }
        if !Validation.isPhone(trimmed) { add(field, "validation.phone") }
        return trimmed
    }

    /// Digits, spaces, hyphens, brackets and a +, with at least six digits.
    static func isPhone(_ value: String) -> Bool {
        let allowed = Set("+0123456789 -()")
        return value.count <= 40 && value.allSatisfy { allowed.contains($0) } && value.filter(\.isNumber).count >= 6
    }

    public mutating func oneOf<T: RawRepresentable>(_ field: String, _ value: String?, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let value, !value.isEmpty else {
            add(field, "validation.required")
            return nil
        }
        guard let parsed = T(rawValue: value) else {
            add(field, "validation.choice")
            return nil
        }
        return parsed
    }

    /// Throws every collected message as one `SamradError`.
    /// A whole number within a range; empty gives the default (nil: required).
    public mutating func wholeNumber(
        _ field: String, _ value: String?, in range: ClosedRange<Int>, default fallback: Int? = nil
    ) -> Int? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            if fallback == nil { add(field, "validation.required") }
            return fallback
        }
        guard let number = Int(trimmed), range.contains(number) else {
            add(field, "validation.range", [String(range.lowerBound), String(range.upperBound)])
            return nil
        }
        return number
    }

    /// A decimal number (point or comma) within a range; empty gives the default.
    public mutating func number(
        _ field: String, _ value: String?, in range: ClosedRange<Double>, default fallback: Double
    ) -> Double? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        if trimmed.isEmpty { return fallback }
        guard let number = Double(trimmed), number.isFinite, range.contains(number) else {
            add(field, "validation.range", [NumberText.plain(range.lowerBound), NumberText.plain(range.upperBound)])
            return nil
        }
        return number
    }

    public func check() throws {
        if !errors.isEmpty { throw SamradError.invalid(errors) }
    }

    static func looksLikeEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
    }
}

public enum PasswordRules {
    public static let minimumLength = 10
    /// Bcrypt reads only the first 72 bytes: a longer password would be cut without a word.
    public static let maximumBytes = 72
}
