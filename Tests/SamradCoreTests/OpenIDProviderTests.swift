import Foundation
import SamradCore
import XCTest

/// The identity providers an installation names in its environment, and what an ID token must say.
final class OpenIDProviderTests: XCTestCase {
    let env = [
        "OIDC_PROVIDERS": "unilogin, entra-kk",
        "OIDC_UNILOGIN_ISSUER": "https://broker.unilogin.dk/auth/realms/broker/",
        "OIDC_UNILOGIN_CLIENT_ID": "samrad", "OIDC_UNILOGIN_CLIENT_SECRET": "s1",
        "OIDC_UNILOGIN_LABEL": "Unilogin", "OIDC_UNILOGIN_MUNICIPALITY_CLAIM": "kommunekode",
        "OIDC_UNILOGIN_COUNTRY": "DK", "OIDC_UNILOGIN_APPROVES_MUNICIPALITY": "true",
        "OIDC_ENTRA_KK_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "OIDC_ENTRA_KK_CLIENT_ID": "c2", "OIDC_ENTRA_KK_CLIENT_SECRET": "s2",
        "OIDC_ENTRA_KK_LABEL_DA": "Københavns Kommune", "OIDC_ENTRA_KK_LABEL_EN": "City of Copenhagen",
        "OIDC_ENTRA_KK_SCOPES": "email profile", "OIDC_ENTRA_KK_SECOND_FACTOR_ACR": "substantial high",
    ]

    func testProvidersAreReadFromTheEnvironment() throws {
        let providers = try OpenIDProvider.configured(in: env)
        XCTAssertEqual(providers.map(\.name), ["unilogin", "entra-kk"])
        let unilogin = providers[0], entra = providers[1]
        XCTAssertEqual(unilogin.issuer, "https://broker.unilogin.dk/auth/realms/broker", "no trailing slash")
        XCTAssertEqual(unilogin.scopes, ["openid", "email", "profile"])
        XCTAssertEqual(unilogin.label(in: .sv), "Unilogin")
        XCTAssertTrue(unilogin.approvesMunicipality)
        XCTAssertEqual(unilogin.municipality(fromClaim: "751"), MunicipalityKey(.dk, "751"))
        XCTAssertEqual(unilogin.municipality(fromClaim: "se:1281"), MunicipalityKey(.se, "1281"))
        XCTAssertNil(unilogin.municipality(fromClaim: "Aarhus"))
        XCTAssertEqual(entra.scopes, ["openid", "email", "profile"], "openid is always asked for")
        XCTAssertEqual(entra.label(in: .da), "Københavns Kommune")
        XCTAssertEqual(entra.label(in: .sv), "entra-kk", "without a label for the language or one for all")
        XCTAssertFalse(entra.approvesMunicipality)
        XCTAssertEqual(entra.secondFactorLevels, ["substantial", "high"])
        XCTAssertEqual(try OpenIDProvider.configured(in: [:]), [])
    }

    func testAMistakeNamesTheVariable() {
        func problem(_ changes: [String: String?]) -> String? {
            var env = self.env
            for (key, value) in changes { env[key] = value }
            do {
                _ = try OpenIDProvider.configured(in: env)
                return nil
            } catch {
                return String(describing: error)
            }
        }
        XCTAssertEqual(problem(["OIDC_UNILOGIN_CLIENT_SECRET": nil]), "OIDC_UNILOGIN_CLIENT_SECRET is missing")
        XCTAssertEqual(
            problem(["OIDC_UNILOGIN_ISSUER": "http://broker.example"]),
            "OIDC_UNILOGIN_ISSUER must be an https address (http only on this machine)")
        XCTAssertNil(problem(["OIDC_UNILOGIN_ISSUER": "http://127.0.0.1:9000"]))
        XCTAssertEqual(problem(["OIDC_UNILOGIN_COUNTRY": "de"]), "OIDC_UNILOGIN_COUNTRY must be dk, se, no or fi")
        XCTAssertEqual(
            problem(["OIDC_PROVIDERS": "uni login"]),
            "OIDC_PROVIDERS: \"uni login\" must be unique and of a-z, 0-9 and -")
        XCTAssertNotNil(problem(["OIDC_PROVIDERS": "unilogin,unilogin"]))
    }

    func testWhatAnIDTokenMustSay() {
        let provider = OpenIDProvider(name: "p", issuer: "https://idp.example", clientID: "c", clientSecret: "s")
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        let good = IdentityAssertion(
            issuer: "https://idp.example", subject: "u", audiences: ["c"], expires: now.addingTimeInterval(300),
            issuedAt: now, nonce: "n")
        XCTAssertNil(good.problem(for: provider, nonce: "n", now: now))
        func problem(_ change: (inout IdentityAssertion) -> Void) -> String? {
            var token = good
            change(&token)
            return token.problem(for: provider, nonce: "n", now: now)
        }
        XCTAssertEqual(problem { $0.issuer = "https://idp.example/" }, "issuer")
        XCTAssertEqual(problem { $0.audiences = ["other"] }, "audience")
        XCTAssertEqual(problem { $0.audiences = ["c", "other"] }, "audience", "several without azp")
        XCTAssertNil(problem { $0.audiences = ["c", "other"]; $0.authorizedParty = "c" })
        XCTAssertEqual(problem { $0.authorizedParty = "other" }, "audience")
        XCTAssertNil(problem { $0.expires = now.addingTimeInterval(-60) }, "within the leeway")
        XCTAssertEqual(problem { $0.expires = now.addingTimeInterval(-121) }, "expired")
        XCTAssertEqual(problem { $0.issuedAt = now.addingTimeInterval(300) }, "issued_at", "from the future")
        XCTAssertEqual(problem { $0.issuedAt = now.addingTimeInterval(-700) }, "issued_at", "too old to be new")
        XCTAssertEqual(problem { $0.nonce = nil }, "nonce")
        XCTAssertEqual(problem { $0.nonce = "m" }, "nonce")
        XCTAssertEqual(good.problem(for: provider, nonce: "", now: now), "nonce", "a flow without a nonce")
        XCTAssertEqual(problem { $0.subject = "" }, "subject")
    }

    func testTheProvidersSecondFactor() {
        let provider = OpenIDProvider(
            name: "p", issuer: "https://idp.example", clientID: "c", clientSecret: "s",
            secondFactorLevels: ["https://data.gov.dk/concept/core/nsis/loa/Substantial"])
        func proves(_ methods: [String], _ level: String? = nil) -> Bool {
            IdentityAssertion(
                issuer: "", subject: "", audiences: [], expires: Date(), issuedAt: Date(), nonce: nil,
                methods: methods, level: level
            ).provesSecondFactor(for: provider)
        }
        XCTAssertFalse(proves([]))
        XCTAssertFalse(proves(["pwd"]))
        XCTAssertFalse(proves(["pwd", "pin"]), "two things known are one kind")
        XCTAssertTrue(proves(["mfa"]))
        XCTAssertTrue(proves(["pwd", "otp"]))
        XCTAssertTrue(proves(["hwk", "face"]))
        XCTAssertTrue(proves([], "https://data.gov.dk/concept/core/nsis/loa/Substantial"))
        XCTAssertFalse(proves([], "https://data.gov.dk/concept/core/nsis/loa/Low"))
    }
}
