import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Sign-in with an identity provider (OpenID Connect, code flow with PKCE) against a provider on
/// 127.0.0.1: the first sign-in makes an account linked by the subject, the same subject finds it
/// again, the token's signature, issuer, audience, time and nonce are checked, the state binds the
/// answer to the browser that asked, an existing account is linked only from its profile, the
/// provider's second factor counts, and keys may rotate.
final class OpenIDRouteTests: XCTestCase {
    var app: Application!
    var idp: FakeIdentityProvider!

    override func setUp() async throws {
        idp = try await FakeIdentityProvider.start()
        app = try await makeTestApp(openIDProviders: [idp.provider])
    }

    override func tearDown() async throws {
        try await app?.asyncShutdown()
        try await idp?.stop()
    }

    /// Starts at Samrad, signs in at the provider with these claims, comes back; the callback's answer.
    func signIn(
        _ client: Client, claims: [String: ClaimSet.Value], next: String = "/meetings"
    ) async throws -> XCTHTTPResponse {
        let started = try await client.get("/sign-in/oidc/test?next=\(next)")
        XCTAssertEqual(started.status, .seeOther)
        let location = try XCTUnwrap(started.headers.first(name: .location))
        XCTAssertTrue(location.hasPrefix(idp.issuer + "/authorize?"), location)
        return try await client.get(try idp.authorize(location, claims: claims))
    }

    func signedInName(_ client: Client) async throws -> String? {
        let me = try await client.get("/api/v1/me", headers: ["Accept": "application/json"])
        return me.status == .ok ? me.json["name"] as? String : nil
    }

    func testTheFirstSignInMakesAnAccountAndTheSameSubjectFindsItAgain() async throws {
        let page = try await Client(app).get("/sign-in")
        XCTAssertTrue(page.body.string.contains("href=\"/sign-in/oidc/test\""))
        XCTAssertTrue(page.body.string.contains("Sign in with Test ID"))
        let danish = try await Client(app).get("/sign-in", headers: ["Accept-Language": "da"])
        XCTAssertTrue(danish.body.string.contains("Log ind med Test-ID"))

        let first = Client(app)
        let came = try await signIn(
            first, claims: idp.claims(subject: "u-1", ["email": .text("Lee@Aarhus.dk"), "name": .text("Lee Holm")]))
        XCTAssertEqual(came.status, .seeOther, came.body.string)
        XCTAssertEqual(came.headers.first(name: .location), "/meetings")
        let name = try await signedInName(first)
        XCTAssertEqual(name, "Lee Holm")
        let found = try await User.query(on: app.db).filter(\.$email == "lee@aarhus.dk").first()
        let user = try XCTUnwrap(found)
        XCTAssertNil(user.passwordHash)
        let links = try await IdentityLink.query(on: app.db).all()
        XCTAssertEqual(links.map(\.subject), ["u-1"])
        XCTAssertEqual(idp.state.withLockedValue { $0.verifierMismatches }, 0, "the PKCE verifier matched")

        // Later, with another address at the provider: the subject decides, not the address.
        let again = Client(app)
        let back = try await signIn(again, claims: idp.claims(subject: "u-1", ["email": .text("lee@new.dk")]))
        XCTAssertEqual(back.status, .seeOther)
        let users = try await User.query(on: app.db).count()
        XCTAssertEqual(users, 1)
        let sameName = try await signedInName(again)
        XCTAssertEqual(sameName, "Lee Holm")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "account:created_by_provider").count()
        XCTAssertEqual(audit, 1)
    }

    func testWhatTheTokenMustSay() async throws {
        let now = Date().timeIntervalSince1970
        let cases: [(String, [String: ClaimSet.Value])] = [
            ("another nonce", ["nonce": .text("not the one sent")]),
            ("another audience", ["aud": .text("someone-else")]),
            ("two audiences without this client as azp", ["aud": .list(["samrad-test", "other"])]),
            ("another issuer", ["iss": .text("https://evil.example")]),
            ("expired", ["exp": .number(now - 600)]),
            ("issued long ago", ["iat": .number(now - 3600)]),
        ]
        for (what, extra) in cases {
            let client = Client(app)
            let came = try await signIn(
                client, claims: idp.claims(subject: "u-2", extra.merging(["email": .text("kim@kk.dk")]) { a, _ in a }))
            XCTAssertEqual(came.status, .badRequest, what)
            XCTAssertTrue(came.body.string.contains("could not be accepted"), what)
            let name = try await signedInName(client)
            XCTAssertNil(name, what)
        }
        let users = try await User.query(on: app.db).count()
        XCTAssertEqual(users, 0, "no account from a refused token")
        // Several audiences are fine when the token was issued to this client.
        let fine = try await signIn(
            Client(app),
            claims: idp.claims(
                subject: "u-2",
                ["aud": .list(["samrad-test", "other"]), "azp": .text("samrad-test"), "email": .text("kim@kk.dk")]))
        XCTAssertEqual(fine.status, .seeOther)
    }

    func testTheAnswerBelongsToTheBrowserThatAsked() async throws {
        let asker = Client(app)
        let started = try await asker.get("/sign-in/oidc/test")
        let location = try XCTUnwrap(started.headers.first(name: .location))
        let callback = try idp.authorize(location, claims: idp.claims(subject: "u-3", ["email": .text("a@b.dk")]))
        // Another browser (a planted link) gets nothing from it.
        let other = try await Client(app).get(callback)
        XCTAssertEqual(other.status, .badRequest)
        XCTAssertTrue(other.body.string.contains("another browser"))
        // A wrong state is refused, and the flow is used up.
        let forged = try await asker.get(callback.replacingOccurrences(of: "state=", with: "state=x"))
        XCTAssertEqual(forged.status, .badRequest)
        let late = try await asker.get(callback)
        XCTAssertEqual(late.status, .badRequest, "one answer per flow")
        XCTAssertEqual(idp.state.withLockedValue { $0.exchanged }, 0, "no code was exchanged")
        // Turned down at the provider.
        let declined = try await asker.get("/sign-in/oidc/test")
        let state = try XCTUnwrap(
            URLComponents(string: declined.headers.first(name: .location) ?? "")?.queryItems?.first {
                $0.name == "state"
            }?.value)
        let cancelled = try await asker.get("/sign-in/oidc/test/callback?error=access_denied&state=\(state)")
        XCTAssertEqual(cancelled.headers.first(name: .location), "/sign-in")
        let notice = try await asker.get("/sign-in").body.string
        XCTAssertTrue(notice.contains("Signing in with Test ID was cancelled."))
        // An unknown provider is not there.
        let unknown = try await Client(app).get("/sign-in/oidc/nobody")
        XCTAssertEqual(unknown.status, .notFound)
    }

    func testAnExistingAccountIsLinkedFromItsProfileNotByItsAddress() async throws {
        try await makeUser(app, email: "kim@aarhus.dk")
        let stranger = try await signIn(
            Client(app),
            claims: idp.claims(subject: "u-4", ["email": .text("kim@aarhus.dk"), "email_verified": .flag(true)]))
        XCTAssertEqual(stranger.status, .forbidden)
        XCTAssertTrue(stranger.body.string.contains("An account with your e-mail address exists already"))
        let links = try await IdentityLink.query(on: app.db).count()
        XCTAssertEqual(links, 0)

        // Kim signs in with the password and links the provider from the profile.
        let kim = Client(app)
        try await kim.signIn("kim@aarhus.dk", "correct horse battery")
        let profile = try await kim.get("/profile").body.string
        XCTAssertTrue(profile.contains("action=\"/profile/sign-in-providers/test/link\""))
        let leaving = try await kim.post("/profile/sign-in-providers/test/link", form: [:])
        XCTAssertEqual(leaving.status, .seeOther)
        let callback = try idp.authorize(
            try XCTUnwrap(leaving.headers.first(name: .location)),
            claims: idp.claims(subject: "u-4", ["email": .text("kim@aarhus.dk")]))
        let linked = try await kim.get(callback)
        XCTAssertEqual(linked.headers.first(name: .location), "/profile")
        let shown = try await kim.get("/profile").body.string
        XCTAssertTrue(shown.contains("Test ID is linked to your account."))
        XCTAssertTrue(shown.contains("action=\"/profile/sign-in-providers/test/unlink\""))
        // Now the provider signs Kim in.
        let later = Client(app)
        _ = try await signIn(later, claims: idp.claims(subject: "u-4"))
        let name = try await signedInName(later)
        let kimsName = try await User.query(on: app.db).filter(\.$email == "kim@aarhus.dk").first()?.name
        XCTAssertEqual(name, kimsName)

        // Lee cannot link Kim's identity to Lee's account.
        try await makeUser(app, email: "lee@aarhus.dk")
        let lee = Client(app)
        try await lee.signIn("lee@aarhus.dk", "correct horse battery")
        let leeLeaving = try await lee.post("/profile/sign-in-providers/test/link", form: [:])
        let leeCallback = try idp.authorize(
            try XCTUnwrap(leeLeaving.headers.first(name: .location)), claims: idp.claims(subject: "u-4"))
        _ = try await lee.get(leeCallback)
        let leePage = try await lee.get("/profile").body.string
        XCTAssertTrue(leePage.contains("linked to another account"))
        let kimsLinks = try await IdentityLink.query(on: app.db).filter(\.$subject == "u-4").count()
        XCTAssertEqual(kimsLinks, 1)

        // Unlinking leaves the password; an account without a password keeps its last way in.
        let unlinked = try await kim.post("/profile/sign-in-providers/test/unlink", form: [:])
        XCTAssertEqual(unlinked.status, .seeOther)
        let left = try await IdentityLink.query(on: app.db).filter(\.$subject == "u-4").count()
        XCTAssertEqual(left, 0)
        let onlyWay = Client(app)
        _ = try await signIn(onlyWay, claims: idp.claims(subject: "u-5", ["email": .text("new@kk.dk")]))
        _ = try await onlyWay.post("/profile/sign-in-providers/test/unlink", form: [:])
        let kept = try await IdentityLink.query(on: app.db).filter(\.$subject == "u-5").count()
        XCTAssertEqual(kept, 1)
        let message = try await onlyWay.get("/profile").body.string
        XCTAssertTrue(message.contains("That is your only way to sign in."))
    }

    func testDetailsMissingFromTheTokenComeFromUserinfoAboutTheSameSubject() async throws {
        idp.state.withLockedValue {
            $0.userinfo = ["sub": .text("u-6"), "email": .text("sam@lund.se"), "given_name": .text("Sam"),
                           "family_name": .text("Berg")]
        }
        let sam = Client(app)
        _ = try await signIn(sam, claims: idp.claims(subject: "u-6"))
        let name = try await signedInName(sam)
        XCTAssertEqual(name, "Sam Berg")
        // Userinfo about someone else is not used: without an address no account is made.
        idp.state.withLockedValue { $0.userinfo = ["sub": .text("someone"), "email": .text("x@lund.se")] }
        let other = try await signIn(Client(app), claims: idp.claims(subject: "u-7"))
        XCTAssertEqual(other.status, .forbidden)
        XCTAssertTrue(other.body.string.contains("gave no e-mail address"))
    }

    func testANewSigningKeyIsFetchedWhenATokenNamesIt() async throws {
        _ = try await signIn(Client(app), claims: idp.claims(subject: "u-8", ["email": .text("a@kk.dk")]))
        let reads = idp.state.withLockedValue { $0.keyReads }
        idp.rotateKey()
        let after = try await signIn(Client(app), claims: idp.claims(subject: "u-8"))
        XCTAssertEqual(after.status, .seeOther)
        XCTAssertEqual(idp.state.withLockedValue { $0.keyReads }, reads + 1)
    }

    func testTheProvidersSecondFactorCountsForRolesThatNeedOne() async throws {
        try await app.asyncShutdown()
        app = try await makeTestApp(requiresTwoFactorForRoles: true, openIDProviders: [idp.provider])
        let admin = try await makeUser(app, email: "admin@kl.dk", grants: [RoleGrant(kind: .administrator)])
        try await IdentityLink(userID: admin.requireID(), provider: "test", subject: "adm").create(on: app.db)
        let once = Client(app)
        _ = try await signIn(once, claims: idp.claims(subject: "adm", ["amr": .list(["pwd"])]))
        let withheld = try await once.get("/admin/accounts")
        XCTAssertNotEqual(withheld.status, .ok, "a password at the provider is one factor")
        for extra: [String: ClaimSet.Value] in [
            ["amr": .list(["pwd", "otp"])], ["amr": .list(["mfa"])], ["acr": .text("substantial")],
        ] {
            let twice = Client(app)
            _ = try await signIn(twice, claims: idp.claims(subject: "adm", extra))
            let page = try await twice.get("/admin/accounts")
            XCTAssertEqual(page.status, .ok, "\(extra)")
        }
    }

    func testPasswordsCanBeLeftToAdministrators() async throws {
        try await app.asyncShutdown()
        app = try await makeTestApp(openIDProviders: [idp.provider], passwordSignIn: .administrators)
        try await makeUser(app, email: "admin@kl.dk", grants: [RoleGrant(kind: .administrator)])
        try await makeUser(app, email: "kim@aarhus.dk")
        let page = try await Client(app).get("/sign-in").body.string
        XCTAssertTrue(page.contains("Password (administrators only)"))
        let kim = try await Client(app).post(
            "/sign-in", form: ["email": "kim@aarhus.dk", "password": "correct horse battery"])
        XCTAssertEqual(kim.status, .forbidden)
        XCTAssertTrue(kim.body.string.contains("Passwords are for administrators only"))
        let wrong = try await Client(app).post("/sign-in", form: ["email": "kim@aarhus.dk", "password": "guess"])
        XCTAssertEqual(wrong.status, .unauthorized, "a wrong password says only that")
        let admin = Client(app)
        try await admin.signIn("admin@kl.dk", "correct horse battery")
    }

    func testThePersonRecordIsFoundOnlyByAnAddressTheProviderVouchesFor() async throws {
        for address in ["chair@aarhus.dk", "teacher@aarhus.dk"] {
            let person = Person()
            person.name = address
            person.email = address
            person.position = Position.teacher.rawValue
            person.municipalityCountry = "dk"
            person.municipalityCode = "751"
            person.isExample = false
            try await person.create(on: app.db)
        }
        _ = try await signIn(Client(app), claims: idp.claims(subject: "u-9", ["email": .text("chair@aarhus.dk")]))
        _ = try await signIn(
            Client(app),
            claims: idp.claims(subject: "u-10", ["email": .text("teacher@aarhus.dk"), "email_verified": .flag(true)]))
        let unverified = try await User.query(on: app.db).filter(\.$email == "chair@aarhus.dk").first()
        XCTAssertNil(unverified?.personID, "an address the provider did not verify finds no person")
        let verified = try await User.query(on: app.db).filter(\.$email == "teacher@aarhus.dk").first()
        XCTAssertNotNil(verified?.personID)
    }
}
