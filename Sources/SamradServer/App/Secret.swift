import Foundation
import Vapor

/// Secrets for links and tokens: 32 random bytes, URL-safe; stored only as SHA-256.
enum Secret {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URL
    }

    /// A PKCE code challenge (RFC 7636, S256) of a verifier made by `make()`.
    static func challenge(of verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URL
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hex
    }

    /// Compares a secret sent with the one expected in a time that tells nothing about either: the
    /// digests are compared, without an early exit.
    static func equal(_ sent: String, _ expected: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(sent.utf8))), y = Array(SHA256.hash(data: Data(expected.utf8)))
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Base64url without padding (RFC 4648 5): secrets in addresses, JWT parts.
extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
