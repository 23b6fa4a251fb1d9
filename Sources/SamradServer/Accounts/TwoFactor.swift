import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Two-step sign-in for an account: its TOTP key, the codes it accepts and its recovery codes. The rules of
/// what is accepted when are `TwoStepSignIn`'s (Core); the codes are Vapor's HOTP (RFC 4226) on 30-second steps.
enum TwoFactor {
    /// A new key: 20 random bytes (160 bits, as RFC 4226 recommends), written in Base32 for the app.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return bytes.base32String().replacingOccurrences(of: "=", with: "")
    }

    static func code(secret: String, step: Int64) -> String? {
        guard let key = [UInt8](decodingBase32: secret) else { return nil }
        return HOTP(key: SymmetricKey(data: key), digest: .sha1, digits: .six).generate(counter: UInt64(step))
    }

    /// The step whose code matches, if any step accepted at `now` does.
    static func matchingStep(_ typed: String, secret: String, after last: Int64?, now: Date = Date()) -> Int64? {
        let typed = TwoStepSignIn.normalized(typed)
        return TwoStepSignIn.acceptedSteps(at: now, after: last).first { step in
            guard let code = code(secret: secret, step: step) else { return false }
            return Array(code.utf8).secureCompare(to: Array(typed.utf8))
        }
    }

    /// The address an authenticator app reads (from a QR code or a link), naming Samrad and the account.
    static func provisioningURI(secret: String, account: String, issuer: String) -> String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = "totp"
        components.path = "/\(issuer):\(account)"
        components.queryItems = [
            URLQueryItem(name: "secret", value: secret), URLQueryItem(name: "issuer", value: issuer),
            URLQueryItem(name: "algorithm", value: "SHA1"), URLQueryItem(name: "digits", value: "6"),
            URLQueryItem(name: "period", value: "30"),
        ]
        return components.string ?? ""
    }

    /// The key in groups of four, for typing it into an app by hand.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { start in
            let from = secret.index(secret.startIndex, offsetBy: start)
            return String(
                secret[from..<(secret.index(from, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
    }

    /// New recovery codes for the account (the old ones stop working); shown once, stored as SHA-256 only.
    static func replaceRecoveryCodes(of userID: UUID, on db: any Database) async throws -> [String] {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let codes = (0..<TwoStepSignIn.recoveryCodeCount).map { _ in
            let characters = (0..<10).map { _ in alphabet.randomElement(using: &generator)! }
            return String(characters[0..<5]) + "-" + String(characters[5...])
        }
        try await db.sql.raw("DELETE FROM recovery_codes WHERE user_id = \(bind: userID)").run()
        for code in codes {
            try await db.sql.raw(
                """
                INSERT INTO recovery_codes (id, user_id, code_hash) VALUES (\(bind: UUID()), \(bind: userID),
                    \(bind: Secret.hash(TwoStepSignIn.normalized(code))))
                """
            ).run()
        }
        return codes
    }

    /// Uses a recovery code once: true when it was one of the account's unused codes.
    static func useRecoveryCode(_ typed: String, of userID: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: UUID }
        let hash = Secret.hash(TwoStepSignIn.normalized(typed))
        guard
            let row = try await db.sql.raw(
                """
                SELECT id FROM recovery_codes WHERE user_id = \(bind: userID) AND code_hash = \(bind: hash)
                    AND used_at IS NULL
                """
            ).first(decoding: Row.self)
        else { return false }
        try await db.sql.raw("UPDATE recovery_codes SET used_at = \(bind: Date()) WHERE id = \(bind: row.id)").run()
        return true
    }

    static func unusedRecoveryCodes(of userID: UUID, on db: any Database) async throws -> Int {
        struct Count: Decodable { var n: Int }
        return try await db.sql.raw(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = \(bind: userID) AND used_at IS NULL"
        ).first(decoding: Count.self)?.n ?? 0
    }

    static func removeRecoveryCodes(of userID: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM recovery_codes WHERE user_id = \(bind: userID)").run()
    }
}
