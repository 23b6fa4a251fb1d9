import Foundation

/// The rules of two-step sign-in with time-based codes (RFC 6238: 30-second steps, six digits) and recovery
/// codes. The codes themselves are computed by the server with Vapor's HOTP; what is accepted when is decided here.
public enum TwoStepSignIn {
    public static let interval: TimeInterval = 30
    /// How long a sign-in may wait between the password and the code.
    public static let codeWindow: TimeInterval = 5 * 60
    public static let recoveryCodeCount = 10

    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / interval).rounded(.down))
    }

    /// The steps whose codes are accepted at `now`: this one and one on either side (a phone's clock drifts),
    /// never one at or before the last step accepted, so a code that was seen cannot be used again.
    public static func acceptedSteps(at now: Date, after last: Int64?) -> [Int64] {
        let current = step(at: now)
        return [current - 1, current, current + 1].filter { last == nil || $0 > last! }
    }

    /// What a person typed, as compared: without spaces and dashes, in lower case.
    public static func normalized(_ code: String) -> String {
        String(code.lowercased().filter { !$0.isWhitespace && $0 != "-" })
    }

    /// Whether the typed text is a six-digit code (otherwise it is tried as a recovery code).
    public static func isTimeCode(_ code: String) -> Bool {
        let code = normalized(code)
        return code.count == 6 && code.allSatisfy(\.isASCIIDigit)
    }
}
