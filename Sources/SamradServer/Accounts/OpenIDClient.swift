import Foundation
import JWTKit
import SamradCore
import Vapor

/// Samrad as an OpenID Connect relying party: reads each provider's discovery document and keys
/// (kept, and read again when a token names a key not seen before, so the provider may rotate),
/// exchanges the code with PKCE and verifies the ID token's signature with JWTKit.
actor OpenIDClient {
    let providers: [OpenIDProvider]

    init(providers: [OpenIDProvider]) { self.providers = providers }

    struct Key: StorageKey { typealias Value = OpenIDClient }

    func provider(named name: String) -> OpenIDProvider? { providers.first { $0.name == name } }

    /// The provider's endpoints (OpenID Connect Discovery 1.0).
    struct Configuration: Codable, Sendable {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var jwks_uri: String
        var userinfo_endpoint: String?
    }

    private struct Known {
        var configuration: Configuration
        var read: Date
        var keys: JWTKeyCollection
        var keyIDs: Set<String>
    }

    private var known: [String: Known] = [:]
    /// Discovery and keys are read again after an hour, keys also when a token names an unknown one.
    static let configurationAge: TimeInterval = 3600

    /// Why a sign-in with a provider failed, for the log; the person sees a general message.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        var unreachable = false
    }

    func configuration(of provider: OpenIDProvider, client: any Client) async throws -> Configuration {
        if let cached = known[provider.name], Date().timeIntervalSince(cached.read) < Self.configurationAge {
            return cached.configuration
        }
        let address = provider.issuer + "/.well-known/openid-configuration"
        let configuration = try await Self.fetch(Configuration.self, from: address, client: client)
        // The document must be the issuer's own (Discovery 4.3), or its keys could be anyone's.
        guard configuration.issuer == provider.issuer else {
            throw Failure(description: "discovery names issuer \(configuration.issuer), not \(provider.issuer)")
        }
        let (keys, ids) = try await Self.keys(from: configuration.jwks_uri, client: client)
        known[provider.name] = Known(
            configuration: configuration, read: Date(), keys: keys, keyIDs: ids)
        return configuration
    }

    private static func keys(from address: String, client: any Client) async throws -> (JWTKeyCollection, Set<String>) {
        let response = try await get(address, client: client)
        let text = response.body.map { String(buffer: $0) } ?? ""
        struct KeyIDs: Decodable { struct Key: Decodable { var kid: String? }; var keys: [Key] }
        do {
            let ids = try JSONDecoder().decode(KeyIDs.self, from: Data(text.utf8)).keys.compactMap(\.kid)
            let keys = try await JWTKeyCollection().add(jwksJSON: text)
            return (keys, Set(ids))
        } catch {
            throw Failure(description: "the keys at \(address) are not a JWK set: \(error)")
        }
    }

    /// The ID token's claims once its signature is verified with the provider's keys. The claims
    /// themselves are checked by `IdentityAssertion.problem`.
    func verify(_ idToken: String, of provider: OpenIDProvider, client: any Client) async throws -> IdentityAssertion {
        _ = try await configuration(of: provider, client: client)
        guard var entry = known[provider.name] else { throw Failure(description: "no keys") }
        // A key not seen before: the provider rotated its keys. The token came straight from the
        // provider's token endpoint after a matching state, so reading the keys again is not
        // something a stranger can make happen at will.
        if let kid = Self.keyID(of: idToken), !entry.keyIDs.contains(kid) {
            (entry.keys, entry.keyIDs) = try await Self.keys(from: entry.configuration.jwks_uri, client: client)
            known[provider.name] = entry
        }
        let payload: ClaimSet
        do {
            payload = try await entry.keys.verify(idToken, as: ClaimSet.self)
        } catch {
            throw Failure(description: "the ID token's signature does not verify: \(error)")
        }
        guard let assertion = payload.assertion else {
            throw Failure(description: "the ID token lacks iss, sub, aud, exp or iat")
        }
        return assertion
    }

    /// The `kid` in a token's header, read before verifying to know whether the keys are current.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let data = Data(base64URL: String(header)) else {
            return nil
        }
        struct Header: Decodable { var kid: String? }
        return (try? JSONDecoder().decode(Header.self, from: data))?.kid
    }

    struct Tokens: Decodable {
        var id_token: String?
        var access_token: String?
    }

    /// The authorization code for tokens (client_secret_basic, with the PKCE verifier).
    func exchange(
        code: String, verifier: String, redirectURI: String, provider: OpenIDProvider, client: any Client
    ) async throws -> Tokens {
        let configuration = try await configuration(of: provider, client: client)
        struct Form: Content {
            var grant_type = "authorization_code"
            var code: String
            var redirect_uri: String
            var code_verifier: String
            var client_id: String
        }
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: configuration.token_endpoint)) { outgoing in
                try outgoing.content.encode(
                    Form(code: code, redirect_uri: redirectURI, code_verifier: verifier, client_id: provider.clientID),
                    as: .urlEncodedForm)
                // RFC 6749 2.3.1: both parts form-encoded before Basic.
                outgoing.headers.basicAuthorization = BasicAuthorization(
                    username: Self.formEncoded(provider.clientID), password: Self.formEncoded(provider.clientSecret))
                outgoing.headers.replaceOrAdd(name: .accept, value: "application/json")
            }
        } catch {
            throw Failure(description: "the token endpoint did not answer: \(error)", unreachable: true)
        }
        guard response.status == .ok else {
            let body = response.body.map { String(buffer: $0) } ?? ""
            throw Failure(description: "the token endpoint answered \(response.status.code): \(body.prefix(300))")
        }
        do {
            return try response.content.decode(Tokens.self, using: JSONDecoder())
        } catch {
            throw Failure(description: "the token endpoint's answer is not JSON with tokens")
        }
    }

    /// The userinfo claims, for what the ID token left out; only when they are about the same subject.
    func userinfo(
        accessToken: String, subject: String, provider: OpenIDProvider, client: any Client
    ) async throws -> ClaimSet? {
        let configuration = try await configuration(of: provider, client: client)
        guard let address = configuration.userinfo_endpoint else { return nil }
        let response: ClientResponse
        do {
            response = try await client.get(URI(string: address)) { outgoing in
                outgoing.headers.bearerAuthorization = BearerAuthorization(token: accessToken)
                outgoing.headers.replaceOrAdd(name: .accept, value: "application/json")
            }
        } catch {
            throw Failure(description: "the userinfo endpoint did not answer: \(error)", unreachable: true)
        }
        guard response.status == .ok, let claims = try? response.content.decode(ClaimSet.self, using: JSONDecoder())
        else { return nil }
        // OpenID Connect Core 5.3.2: a userinfo answer about another subject is not used.
        guard claims.text("sub") == subject else { return nil }
        return claims
    }

    private static func get(_ address: String, client: any Client) async throws -> ClientResponse {
        let response: ClientResponse
        do {
            response = try await client.get(URI(string: address)) { outgoing in
                outgoing.headers.replaceOrAdd(name: .accept, value: "application/json")
            }
        } catch {
            throw Failure(description: "\(address) did not answer: \(error)", unreachable: true)
        }
        guard response.status == .ok else {
            throw Failure(description: "\(address) answered \(response.status.code)", unreachable: true)
        }
        return response
    }

    private static func fetch<T: Decodable>(
        _ type: T.Type, from address: String, client: any Client
    ) async throws -> T {
        let response = try await get(address, client: client)
        do {
            return try response.content.decode(T.self, using: JSONDecoder())
        } catch {
            throw Failure(description: "\(address) is not a discovery document: \(error)")
        }
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
            .replacingOccurrences(of: "%20", with: "+")
    }
}

/// The claims of an ID token or a userinfo answer, whatever the provider puts in them.
struct ClaimSet: JWTPayload {
    enum Value: Codable, Sendable, Equatable {
        case text(String), number(Double), flag(Bool), list([String]), other

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if let text = try? single.decode(String.self) {
                self = .text(text)
            } else if let flag = try? single.decode(Bool.self) {
                self = .flag(flag)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else if let list = try? single.decode([String].self) {
                self = .list(list)
            } else {
                self = .other
            }
        }

        func encode(to encoder: any Encoder) throws {
            var single = encoder.singleValueContainer()
            switch self {
            case .text(let text): try single.encode(text)
            case .number(let number): try single.encode(number)
            case .flag(let flag): try single.encode(flag)
            case .list(let list): try single.encode(list)
            case .other: try single.encodeNil()
            }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var values: [String: Value]

    init(_ values: [String: Value]) { self.values = values }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: Value] = [:]
        for key in container.allKeys { values[key.stringValue] = try container.decode(Value.self, forKey: key) }
        self.values = values
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in values { try container.encode(value, forKey: Key(stringValue: key)) }
    }

    /// The signature is what JWTKit checks; the claims are checked against the flow (nonce, time)
    /// by `IdentityAssertion.problem`.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func text(_ key: String) -> String? {
        switch values[key] {
        case .text(let text): text
        case .number(let number): number == number.rounded() ? String(Int64(number)) : String(number)
        default: nil
        }
    }

    func list(_ key: String) -> [String] {
        switch values[key] {
        case .list(let list): list
        case .text(let text): text.split(separator: " ").map(String.init)
        default: []
        }
    }

    func date(_ key: String) -> Date? {
        if case .number(let seconds) = values[key] { return Date(timeIntervalSince1970: seconds) }
        return nil
    }

    var assertion: IdentityAssertion? {
        guard let issuer = text("iss"), let subject = text("sub"), let expires = date("exp"),
            let issuedAt = date("iat")
        else { return nil }
        let audiences = list("aud")
        guard !audiences.isEmpty else { return nil }
        var assertion = IdentityAssertion(
            issuer: issuer, subject: subject, audiences: audiences, authorizedParty: text("azp"), expires: expires,
            issuedAt: issuedAt, nonce: text("nonce"), methods: list("amr"), level: text("acr"))
        assertion.add(self)
        return assertion
    }
}

extension IdentityAssertion {
    /// Takes the person's details from these claims where they are still missing.
    mutating func add(_ claims: ClaimSet) {
        if email == nil, let address = claims.text("email") {
            email = address
            emailVerified = claims.values["email_verified"] == .flag(true) || claims.text("email_verified") == "true"
        }
        if name == nil {
            let parts = [claims.text("given_name"), claims.text("family_name")].compactMap { $0 }
            name = claims.text("name") ?? (parts.isEmpty ? nil : parts.joined(separator: " "))
        }
        for key in claims.values.keys where self.claims[key] == nil {
            if let value = claims.text(key) { self.claims[key] = value }
        }
    }
}

extension Application {
    var openID: OpenIDClient { storage[OpenIDClient.Key.self]! }
}
