import Fluent
import SamradCore
import SQLKit
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// A person's sessions: a changed password or a removed role ends the other sessions; the profile lists
/// where the person is signed in and ends one or all others, never another person's; the installation's
/// idle time decides when a session ends.
final class SessionRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app?.asyncShutdown() }

    func signedIn(
        _ email: String, _ password: String = "correct horse battery", agent: String? = nil
    )
        async throws -> Client
    {
        let client = Client(app)
        if let agent {
            _ = try await client.get("/")
            let response = try await client.post(
                "/sign-in", form: ["email": email, "password": password], headers: ["User-Agent": agent])
            XCTAssertEqual(response.status, .seeOther)
        } else {
            try await client.signIn(email, password)
        }
        return client
    }

    func isSignedIn(_ client: Client) async throws -> Bool {
        try await client.get("/profile").status == .ok
    }

    func testChangingThePasswordEndsTheOtherSessions() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let here = try await signedIn("kim@example.dk")
        let phone = try await signedIn("kim@example.dk")
        let wrong = try await here.post(
            "/profile/password", form: ["current_password": "not my password", "new_password": "a brand new sentence"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.string.contains("id=\"current_password-error\""), "the field is named")
        let short = try await here.post(
            "/profile/password", form: ["current_password": "correct horse battery", "new_password": "short"])
        XCTAssertEqual(short.status, .unprocessableEntity)
        XCTAssertTrue(short.body.string.contains("id=\"new_password-error\""))
        let phoneStillIn = try await isSignedIn(phone)
        XCTAssertTrue(phoneStillIn, "refused changes end nothing")

        let changed = try await here.post(
            "/profile/password",
            form: ["current_password": "correct horse battery", "new_password": "a brand new sentence"])
        XCTAssertEqual(changed.status, .seeOther)
        let page = try await here.get("/profile")
        XCTAssertEqual(page.status, .ok, "this session stays")
        XCTAssertTrue(page.body.string.collapsingWhitespace.contains("1 other session has ended"))
        let phoneAfter = try await isSignedIn(phone)
        XCTAssertFalse(phoneAfter, "the other session has ended")
        let old = try await Client(app).post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(old.status, .unauthorized)
        _ = try await signedIn("kim@example.dk", "a brand new sentence")
    }

    func testTheProfileListsAndEndsOnlyTheOwnSessions() async throws {
        try await makeUser(app, email: "kim@example.dk")
        try await makeUser(app, email: "lee@example.dk")
        let here = try await signedIn(
            "kim@example.dk", agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36")
        let phone = try await signedIn(
            "kim@example.dk", agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1")
        let tablet = try await signedIn("kim@example.dk", agent: "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0")
        let lee = try await signedIn("lee@example.dk")

        let page = try await here.get("/profile").body.string.collapsingWhitespace
        XCTAssertTrue(page.contains("Chrome · Linux"), page)
        XCTAssertTrue(page.contains("Safari · iPhone"))
        XCTAssertTrue(page.contains("Firefox · Windows"))
        XCTAssertTrue(page.contains("this one"))
        XCTAssertTrue(page.contains("Sign out everywhere else"))
        let phoneKey = try XCTUnwrap(phone.cookies["samrad_session"])
        XCTAssertFalse(page.contains(phoneKey), "a session's key never appears in a page")
        let leePage = try await lee.get("/profile").body.string
        XCTAssertFalse(leePage.contains("Chrome · Linux"), "another person's sessions are not listed")

        // Lee cannot end Kim's session, even knowing its name.
        let phoneName = SessionStore.publicName(ofKey: phoneKey)
        let refused = try await lee.post("/profile/sessions/\(phoneName)/end", form: [:])
        XCTAssertEqual(refused.status, .notFound)
        let phoneIn = try await isSignedIn(phone)
        XCTAssertTrue(phoneIn)
        // Kim ends the phone's session from here.
        let ended = try await here.post("/profile/sessions/\(phoneName)/end", form: [:])
        XCTAssertEqual(ended.status, .seeOther)
        let phoneOut = try await isSignedIn(phone)
        XCTAssertFalse(phoneOut)
        // Everywhere else: the tablet ends, this session and Lee's stay.
        let others = try await here.post("/profile/sessions/end-others", form: [:])
        XCTAssertEqual(others.status, .seeOther)
        let tabletIn = try await isSignedIn(tablet), hereIn = try await isSignedIn(here)
        let leeIn = try await isSignedIn(lee)
        XCTAssertFalse(tabletIn)
        XCTAssertTrue(hereIn)
        XCTAssertTrue(leeIn)
        // Ending this session signs out here.
        let hereKey = try XCTUnwrap(here.cookies["samrad_session"])
        let out = try await here.post("/profile/sessions/\(SessionStore.publicName(ofKey: hereKey))/end", form: [:])
        XCTAssertEqual(out.headers.first(name: .location), "/sign-in")
        let hereAfter = try await isSignedIn(here)
        XCTAssertFalse(hereAfter)
        // A visitor has no sessions to end.
        let visitor = try await Client(app).post("/profile/sessions/end-others", form: [:])
        XCTAssertEqual(visitor.status, .unauthorized)
    }

    func testARemovedRoleEndsThePersonsSessions() async throws {
        try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        let kim = try await makeUser(
            app, email: "kim@aarhus.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))])
        let admin = try await signedIn("admin@example.dk")
        let kimHere = try await signedIn("kim@aarhus.dk")
        let kimID = try kim.requireID()
        let found = try await RoleAssignment.query(on: app.db).filter(\.$userID == kimID).first()
        let role = try XCTUnwrap(found)
        let revoked = try await admin.post(
            "/admin/accounts/\(kim.requireID().uuidString)/roles/\(role.requireID().uuidString)/delete", form: [:])
        XCTAssertEqual(revoked.status, .seeOther)
        let kimIn = try await isSignedIn(kimHere)
        XCTAssertFalse(kimIn, "the person signs in again with the rights left")
        let adminIn = try await isSignedIn(admin)
        XCTAssertTrue(adminIn, "the administrator's own session stays")
    }

    func testTheInstallationsIdleTimeEndsSessions() async throws {
        try await app.asyncShutdown()
        app = try await makeTestApp(sessions: SessionTerms(lifetimeHours: "8", idleMinutes: "30"))
        try await makeUser(app, email: "kim@example.dk")
        let client = try await signedIn("kim@example.dk")
        let sql = app.db.sql
        try await sql.raw("UPDATE web_sessions SET last_seen_at = \(bind: Date().addingTimeInterval(-20 * 60))").run()
        let stillIn = try await isSignedIn(client)
        XCTAssertTrue(stillIn, "20 minutes idle is within 30")
        try await sql.raw("UPDATE web_sessions SET last_seen_at = \(bind: Date().addingTimeInterval(-31 * 60))").run()
        let idleOut = try await isSignedIn(client)
        XCTAssertFalse(idleOut, "31 minutes idle ends it")
        let again = try await signedIn("kim@example.dk")
        try await sql.raw("UPDATE web_sessions SET created_at = \(bind: Date().addingTimeInterval(-9 * 3600))").run()
        let lifetimeOut = try await isSignedIn(again)
        XCTAssertFalse(lifetimeOut, "9 hours after sign-in is past the 8-hour lifetime")
    }
}
