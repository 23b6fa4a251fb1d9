import Fluent
import SamradCore
import SQLKit
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Two-step sign-in (RFC 6238): set up on the profile with a code from the key, then asked for after the
/// password; a code is taken once and only near its time; recovery codes work once each; wrong codes count
/// towards the throttle; an installation can hold back administrators' and organisers' roles until it is used.
final class TwoFactorRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app?.asyncShutdown() }

    func code(_ secret: String, stepsFromNow offset: Int64 = 0) -> String {
        TwoFactor.code(secret: secret, step: TwoStepSignIn.step(at: Date()) + offset)!
    }

    /// Sets up two-step sign-in on the profile; returns the key and the recovery codes.
    func turnOn(_ client: Client) async throws -> (String, [String]) {
        let started = try await client.post("/profile/two-factor/start", form: [:])
        XCTAssertEqual(started.status, .ok)
        let page = started.body.string
        let grouped = try XCTUnwrap(page.firstMatch(of: /id="two-factor-key">([A-Z2-7 ]+)</)?.1)
        let secret = grouped.replacingOccurrences(of: " ", with: "")
        XCTAssertEqual(secret.count, 32, "160 bits in Base32")
        XCTAssertTrue(page.contains("otpauth://totp/Samrad:"), "an address the app can open")
        let wrong = try await client.post("/profile/two-factor/confirm", form: ["code": "000000"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.string.contains("id=\"code-error\""))
        let confirmed = try await client.post("/profile/two-factor/confirm", form: ["code": code(secret)])
        XCTAssertEqual(confirmed.status, .created)
        let codes = confirmed.body.string.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map {
            String($0.1)
        }
        XCTAssertEqual(codes.count, 10)
        return (secret, codes)
    }

    func passwordStep(_ email: String, _ password: String = "correct horse battery") async throws -> Client {
        let client = Client(app)
        let response = try await client.post("/sign-in", form: ["email": email, "password": password])
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/sign-in/code")
        let between = try await client.get("/profile")
        XCTAssertEqual(between.status, .seeOther, "not signed in between the password and the code")
        return client
    }

    /// RFC 6238's SHA-1 test vectors (the last six of their eight digits).
    func testCodesFollowRFC6238() {
        let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  // "12345678901234567890"
        XCTAssertEqual(
            TwoFactor.code(secret: key, step: TwoStepSignIn.step(at: Date(timeIntervalSince1970: 59))), "287082")
        XCTAssertEqual(
            TwoFactor.code(secret: key, step: TwoStepSignIn.step(at: Date(timeIntervalSince1970: 1_111_111_109))),
            "081804")
        XCTAssertEqual(
            TwoFactor.code(secret: key, step: TwoStepSignIn.step(at: Date(timeIntervalSince1970: 2_000_000_000))),
            "279037")
        XCTAssertNil(TwoFactor.code(secret: "not base32!", step: 1))
    }

    func testSetUpThenSignInWithACodeOnceAndRecoveryCodesOnce() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        try await client.signIn("kim@example.dk", "correct horse battery")
        let (secret, recovery) = try await turnOn(client)
        let stored = try await User.query(on: app.db).filter(\.$email == "kim@example.dk").first()
        XCTAssertEqual(stored?.totpSecret, secret)
        let hashes = try await app.db.sql.raw("SELECT code_hash FROM recovery_codes").all()
        XCTAssertEqual(hashes.count, 10)
        let profile = try await client.get("/profile").body.string.collapsingWhitespace
        XCTAssertTrue(profile.contains("You have 10 unused recovery codes."))
        XCTAssertFalse(profile.contains(recovery[0]), "recovery codes are shown only once")

        // A code from a minute and a half ago is refused; so is the one used to confirm (same step).
        let second = try await passwordStep("kim@example.dk")
        let old = try await second.post("/sign-in/code", form: ["code": code(secret, stepsFromNow: -3)])
        XCTAssertEqual(old.status, .unauthorized)
        XCTAssertTrue(old.body.string.contains("id=\"code-error\""))
        let replayed = try await second.post("/sign-in/code", form: ["code": code(secret)])
        XCTAssertEqual(replayed.status, .unauthorized, "the confirming code was taken")
        let next = try await second.post("/sign-in/code", form: ["code": code(secret, stepsFromNow: 1)])
        XCTAssertEqual(next.status, .seeOther)
        let signedIn = try await second.get("/profile")
        XCTAssertEqual(signedIn.status, .ok)
        // The same code in another sign-in: taken.
        let third = try await passwordStep("kim@example.dk")
        let again = try await third.post("/sign-in/code", form: ["code": code(secret, stepsFromNow: 1)])
        XCTAssertEqual(again.status, .unauthorized)
        // A recovery code, typed loosely, works once.
        let loose = recovery[0].uppercased().replacingOccurrences(of: "-", with: " ")
        let rescued = try await third.post("/sign-in/code", form: ["code": loose])
        XCTAssertEqual(rescued.status, .seeOther)
        let notice = try await third.get("/").body.string.collapsingWhitespace
        XCTAssertTrue(notice.contains("You signed in with a recovery code. You have 9 left."))
        let fourth = try await passwordStep("kim@example.dk")
        let reused = try await fourth.post("/sign-in/code", form: ["code": recovery[0]])
        XCTAssertEqual(reused.status, .unauthorized)
        // Without a pending password step there is nothing to send a code to.
        let stranger = try await Client(app).post("/sign-in/code", form: ["code": code(secret, stepsFromNow: 1)])
        XCTAssertEqual(stranger.headers.first(name: .location), "/sign-in")
    }

    func testWrongCodesCountTowardsTheThrottle() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        try await client.signIn("kim@example.dk", "correct horse battery")
        let (secret, _) = try await turnOn(client)
        let guesser = try await passwordStep("kim@example.dk")
        var statuses: [HTTPStatus] = []
        for guess in ["111111", "222222", "333333", "444444", "555555", "666666"] {
            statuses.append(try await guesser.post("/sign-in/code", form: ["code": guess]).status)
        }
        XCTAssertEqual(statuses.last, .tooManyRequests, "\(statuses)")
        // The right password does not reset the count: the account stays locked, also for the
        // password step, and without that step no code is asked for.
        let again = Client(app)
        let password = try await again.post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(password.status, .tooManyRequests)
        let locked = try await again.post("/sign-in/code", form: ["code": code(secret, stepsFromNow: 1)])
        XCTAssertEqual(locked.headers.first(name: .location), "/sign-in")
    }

    func testTurningItOffAsksForThePassword() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        try await client.signIn("kim@example.dk", "correct horse battery")
        _ = try await turnOn(client)
        let wrong = try await client.post("/profile/two-factor/off", form: ["password": "not it"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.string.contains("id=\"off_password-error\""))
        let off = try await client.post("/profile/two-factor/off", form: ["password": "correct horse battery"])
        XCTAssertEqual(off.status, .seeOther)
        let plain = try await Client(app).post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(plain.headers.first(name: .location), "/", "no code asked for any more")
        let codes = try await app.db.sql.raw("SELECT id FROM recovery_codes").all()
        XCTAssertTrue(codes.isEmpty)
    }

    func testAnInstallationHoldsBackAdministratorsRolesUntilTheSecondStep() async throws {
        try await app.asyncShutdown()
        app = try await makeTestApp(requiresTwoFactorForRoles: true)
        try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        try await makeUser(
            app, email: "coord@aarhus.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))])
        let admin = Client(app)
        try await admin.signIn("admin@example.dk", "correct horse battery")
        let held = try await admin.get("/admin/accounts")
        XCTAssertEqual(held.status, .forbidden, "the role waits for the second step")
        let profile = try await admin.get("/profile").body.string.collapsingWhitespace
        XCTAssertTrue(profile.contains("asks for two-step sign-in before your administrator or organiser roles"))
        let (secret, _) = try await turnOn(admin)
        let now = try await admin.get("/admin/accounts")
        XCTAssertEqual(now.status, .ok, "this session has shown the second factor")
        let later = try await passwordStep("admin@example.dk")
        let done = try await later.post("/sign-in/code", form: ["code": code(secret, stepsFromNow: 1)])
        XCTAssertEqual(done.status, .seeOther)
        let again = try await later.get("/admin/accounts")
        XCTAssertEqual(again.status, .ok)
        // A coordinator's rights over a municipality do not wait.
        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let access = try await coordinator.get("/municipalities/dk/751/access")
        XCTAssertEqual(access.status, .ok)
    }
}
