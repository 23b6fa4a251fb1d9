import Foundation
import JWTKit
import NIOConcurrencyHelpers
import SamradCore
@testable import SamradServer
import Vapor
import XCTest

/// An OpenID Connect provider on 127.0.0.1 for the route tests: discovery, keys, a token endpoint
/// that checks the client's secret and the PKCE verifier, userinfo. The test plays the person at
/// the provider: `authorize` answers the authorization request that Samrad sent the browser to.
final class FakeIdentityProvider: @unchecked Sendable {
    let app: Application
    let port: Int
    var issuer: String { "http://127.0.0.1:\(port)" }
    let clientID = "samrad-test"
    let clientSecret = "a secret: with + and space"

    struct Grant {
        var claims: [String: ClaimSet.Value]
        var challenge: String
        var redirectURI: String
    }

    struct State {
        var keys: [(kid: String, key: ES256PrivateKey)]
        var grants: [String: Grant] = [:]
        var userinfo: [String: ClaimSet.Value] = [:]
        var exchanged = 0
        var verifierMismatches = 0
        var keyReads = 0
    }

    let state: NIOLockedValueBox<State>

    private init(app: Application, port: Int, state: NIOLockedValueBox<State>) {
        self.app = app
        self.port = port
        self.state = state
    }

    static func start() async throws -> FakeIdentityProvider {
        let app = try await Application.make(.testing)
        let state = NIOLockedValueBox(State(keys: [("key-1", ES256PrivateKey())]))
        Self.routes(app, state: state)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
        return FakeIdentityProvider(app: app, port: port, state: state)
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    var provider: OpenIDProvider {
        OpenIDProvider(
            name: "test", issuer: issuer, clientID: clientID, clientSecret: clientSecret,
            labels: ["": "Test ID", "da": "Test-ID"], municipalityClaim: "municipality", country: .dk,
            secondFactorLevels: ["substantial"])
    }

    /// A new signing key that the keys list shows first and that signs from now on.
    func rotateKey() {
        state.withLockedValue { $0.keys.insert(("key-\($0.keys.count + 1)", ES256PrivateKey()), at: 0) }
    }

    /// The person signs in at the provider: the answer to Samrad's authorization request is the
    /// callback address with a code (and the state), or nil when the request is not one to answer.
    func authorize(_ location: String, claims: [String: ClaimSet.Value]) throws -> String {
        let components = try XCTUnwrap(URLComponents(string: location))
        XCTAssertEqual(components.path, "/authorize")
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(query["response_type"], "code")
        XCTAssertEqual(query["client_id"], clientID)
        XCTAssertEqual(query["code_challenge_method"], "S256")
        XCTAssertEqual(query["scope"]?.split(separator: " ").first, "openid")
        let redirect = try XCTUnwrap(query["redirect_uri"])
        let code = UUID().uuidString
        var claims = claims
        if claims["nonce"] == nil { claims["nonce"] = .text(query["nonce"] ?? "") }
        let grant = Grant(claims: claims, challenge: query["code_challenge"] ?? "", redirectURI: redirect)
        state.withLockedValue { $0.grants[code] = grant }
        let path = try XCTUnwrap(URLComponents(string: redirect)).path
        let stateParameter = query["state"]?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "\(path)?code=\(code)&state=\(stateParameter)"
    }

    /// The usual claims of a person at this provider; `extra` adds or replaces.
    func claims(subject: String, _ extra: [String: ClaimSet.Value] = [:]) -> [String: ClaimSet.Value] {
        let now = Date().timeIntervalSince1970
        var claims: [String: ClaimSet.Value] = [
            "iss": .text(issuer), "sub": .text(subject), "aud": .text(clientID),
            "exp": .number(now + 300), "iat": .number(now),
        ]
        for (key, value) in extra { claims[key] = value }
        return claims
    }

    private static func routes(_ app: Application, state: NIOLockedValueBox<State>) {
        app.get(".well-known", "openid-configuration") { request -> Response in
            let base = "http://127.0.0.1:\(request.application.http.server.shared.localAddress?.port ?? 0)"
            let document: [String: String] = [
                "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks", "userinfo_endpoint": base + "/userinfo",
            ]
            return try await document.encodeResponse(for: request)
        }
        app.get("jwks") { request -> Response in
            let keys = state.withLockedValue { state in
                state.keyReads += 1
                return state.keys
            }
            let entries = keys.map { kid, key -> [String: String] in
                let parameters = key.publicKey.parameters!
                return ["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
                        "x": parameters.x, "y": parameters.y]
            }
            return try await ["keys": entries].encodeResponse(for: request)
        }
        app.post("token") { request -> Response in
            struct Form: Content { var grant_type: String; var code: String; var redirect_uri: String
                var code_verifier: String }
            let form = try request.content.decode(Form.self)
            guard let basic = request.headers.basicAuthorization, basic.username == "samrad-test",
                basic.password == "a+secret%3A+with+%2B+and+space"
            else { return Response(status: .unauthorized) }
            let grant = state.withLockedValue { state -> Grant? in
                defer { state.grants[form.code] = nil }
                return state.grants[form.code]
            }
            guard let grant, form.grant_type == "authorization_code", form.redirect_uri == grant.redirectURI else {
                return Response(status: .badRequest)
            }
            guard Secret.challenge(of: form.code_verifier) == grant.challenge else {
                state.withLockedValue { $0.verifierMismatches += 1 }
                return Response(status: .badRequest)
            }
            let (kid, key) = state.withLockedValue { state in
                state.exchanged += 1
                return state.keys[0]
            }
            let keys = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid))
            let token = try await keys.sign(ClaimSet(grant.claims), kid: JWKIdentifier(string: kid))
            return try await ["id_token": token, "access_token": "at-" + form.code, "token_type": "Bearer"]
                .encodeResponse(for: request)
        }
        app.get("userinfo") { request -> Response in
            guard request.headers.bearerAuthorization?.token.hasPrefix("at-") == true else {
                return Response(status: .unauthorized)
            }
            let claims = state.withLockedValue { $0.userinfo }
            let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(ClaimSet(claims))))
            response.headers.contentType = .json
            return response
        }
    }
}
