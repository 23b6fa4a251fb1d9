/// The one error type of Samrad. It names what went wrong as a localization key (with arguments),
/// so the same error becomes a localized page message, a form field message or problem+json.
public struct SamradError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case invalidInput
        case unauthenticated
        case forbidden
        case notFound
        case conflict
        case payloadTooLarge
        case tooManyRequests
        case unavailable
    }

    public var kind: Kind
    /// Localization key of the overall message.
    public var messageKey: String
    public var arguments: [String]
    /// Messages for single fields (form fields, JSON members or CSV lines).
    public var fieldErrors: [FieldError]

    public init(_ kind: Kind, _ messageKey: String, _ arguments: [String] = [], fieldErrors: [FieldError] = []) {
        self.kind = kind
        self.messageKey = messageKey
        self.arguments = arguments
        self.fieldErrors = fieldErrors
    }

    public static func invalid(_ fieldErrors: [FieldError]) -> SamradError {
        SamradError(.invalidInput, "error.invalid_input", fieldErrors: fieldErrors)
    }
    public static func notFound(_ key: String = "error.not_found", _ arguments: [String] = []) -> SamradError {
        SamradError(.notFound, key, arguments)
    }
    public static let forbidden = SamradError(.forbidden, "error.forbidden")

    /// The same error with its fields named as another input names them (a form's field as the
    /// JSON member it came from); fields not in `names` keep theirs.
    public func naming(_ names: [String: String]) -> SamradError {
        naming { names[$0] }
    }

    /// The same error with each field renamed by `rename` where it gives a name.
    public func naming(_ rename: (String) -> String?) -> SamradError {
        var error = self
        error.fieldErrors = fieldErrors.map {
            FieldError(field: rename($0.field) ?? $0.field, $0.messageKey, $0.arguments)
        }
        return error
    }
    public static let unauthenticated = SamradError(.unauthenticated, "error.unauthenticated")
}

/// A message about one field: `field` is the form/JSON member name, or `line N` of a CSV file.
public struct FieldError: Sendable, Equatable, Codable {
    public var field: String
    public var messageKey: String
    public var arguments: [String]

    public init(field: String, _ messageKey: String, _ arguments: [String] = []) {
        self.field = field
        self.messageKey = messageKey
        self.arguments = arguments
    }
}
