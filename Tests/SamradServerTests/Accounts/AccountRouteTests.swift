import Fluent
import SamradCore
import SQLKit
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

final class AccountRouteTests: XCTestCase {
    var app: Application!
    var outbox: String!

    override func setUp() async throws {
        outbox = NSTemporaryDirectory() + "samrad-outbox-\(UUID().uuidString)"
        app = try await makeTestApp(outboxDirectory: outbox)
    }
    override func tearDown() async throws {
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: outbox)
    }

    func testFirstRunCreatesTheAdministratorOnce() async throws {
        let linkValue = try await AccountPages.prepareFirstRun(on: app.db, baseURL: "http://127.0.0.1:8080")
        let link = try XCTUnwrap(linkValue)
        let path = String(link.dropFirst("http://127.0.0.1:8080".count))
        let client = Client(app)
        let v1 = try await client.get(path).status
        XCTAssertEqual(v1, .ok)
        let v2 = try await client.get("/setup/not-the-secret").status
        XCTAssertEqual(v2, .notFound)
        // A second instance starting prints its own link; both serve until the administrator is made.
        let otherValue = try await AccountPages.prepareFirstRun(on: app.db, baseURL: "http://127.0.0.1:8080")
        let otherLink = try XCTUnwrap(otherValue)
        let otherPath = String(otherLink.dropFirst("http://127.0.0.1:8080".count))
        let other = try await client.get(otherPath).status
        XCTAssertEqual(other, .ok)
        let stillFirst = try await client.get(path).status
        XCTAssertEqual(stillFirst, .ok)

        // Without the CSRF token the form is refused.
        let forged = try await client.post(
            path, form: ["name": "Ada", "email": "ada@example.dk", "password": "a long enough password"],
            withCSRF: false)
        XCTAssertEqual(forged.status, .forbidden)

        let bad = try await client.post(path, form: ["name": "", "email": "nope", "password": "short"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"name-error\""))
        XCTAssertTrue(bad.body.string.contains("id=\"email-error\""))
        XCTAssertTrue(bad.body.string.contains("value=\"nope\""), "the form keeps what was typed")
        XCTAssertTrue(bad.body.string.contains("id=\"password-error\""), "L3: the short password is named")
        // L3: bcrypt reads 72 bytes; a longer password is refused, not cut (æ, ø, å take two).
        let long = try await client.post(
            path, form: ["name": "Ada", "email": "ada@example.dk", "password": String(repeating: "æ", count: 37)])
        XCTAssertEqual(long.status, .unprocessableEntity)
        XCTAssertTrue(long.body.string.contains("Use at most 72 bytes"), long.body.string)
        XCTAssertEqual(
            Settings(storage: .sqliteInMemory, publicBaseURL: "http://x").bcryptCost, 12, "the production cost")
        let v3 = try await User.query(on: app.db).count()
        XCTAssertEqual(v3, 0)

        let done = try await client.post(
            path, form: ["name": "Ada Admin", "email": "Ada@Example.dk", "password": "a long enough password"])
        XCTAssertEqual(done.status, .seeOther)
        let v4 = try await client.get("/admin/accounts").status
        XCTAssertEqual(v4, .ok)
        let v5 = try await client.get(path).status
        XCTAssertEqual(v5, .notFound, "the link works once")
        let otherAfter = try await client.get(otherPath).status
        XCTAssertEqual(otherAfter, .notFound, "making the administrator ends the other links")
        let prepared = try await AccountPages.prepareFirstRun(on: app.db, baseURL: "x")
        XCTAssertNil(prepared)
        let entries = try await AuditEntry.query(on: app.db).all()
        XCTAssertEqual(entries.map(\.action), ["account:setup"])
    }

    func testPublicFormsAreLimitedPerAddressAndResetMailsPerAccount() async throws {
        try await makeUser(app, email: "ada@example.dk")
        let client = Client(app)
        for _ in 0..<PublicFormGuard.limit.maxPerAddress {
            let response = try await client.post("/password/forgot", form: ["email": "ada@example.dk"])
            XCTAssertEqual(response.status, .seeOther)
        }
        // However often it was asked for, the account got a few mails.
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "ada@example.dk").count()
        XCTAssertEqual(mails, PublicFormGuard.limit.maxResetsPerAccount)
        let refused = try await client.post("/password/forgot", form: ["email": "ada@example.dk"])
        XCTAssertEqual(refused.status, .tooManyRequests)
        XCTAssertTrue(refused.body.string.contains("Please wait 10 minutes"), refused.body.string)
        // Other forms are counted apart, and signed-in people are not counted.
        let other = try await client.post("/setup/not-a-link", form: [:])
        XCTAssertEqual(other.status, .notFound)
        let danish = try await client.post(
            "/password/forgot", form: ["email": "ada@example.dk"], headers: ["Accept-Language": "da"])
        XCTAssertTrue(danish.body.string.contains("Vent 10 minutter"))
    }

    func testSignInSignOutAndThrottle() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        let wrong = try await client.post("/sign-in", form: ["email": "kim@example.dk", "password": "wrong password"])
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertTrue(wrong.body.string.contains("The e-mail address or the password is wrong."))
        try await client.signIn("kim@example.dk", "correct horse battery")
        let v6 = try await client.get("/profile").status
        XCTAssertEqual(v6, .ok)
        let v7 = try await client.post("/sign-out", form: [:]).status
        XCTAssertEqual(v7, .seeOther)
        let signedOut = try await client.get("/profile")
        XCTAssertEqual(signedOut.status, .seeOther)
        XCTAssertEqual(signedOut.headers.first(name: .location), "/sign-in?next=%2Fprofile")

        for _ in 0..<5 {
            _ = try await client.post("/sign-in", form: ["email": "kim@example.dk", "password": "guess"])
        }
        let locked = try await client.post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(locked.status, .tooManyRequests, "even the right password waits while locked")
    }

    /// L1 and L2: the session cookie's flags; a planted session id is replaced at sign-in and is
    /// worth nothing; after signing out the old cookie opens nothing.
    func testSessionsAreRenewedAtSignInAndEndAtSignOut() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        _ = try await client.get("/")
        let planted = "planted-session-id-" + String(repeating: "x", count: 24)
        client.cookies["samrad_session"] = planted
        let signIn = try await client.post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(signIn.status, .seeOther)
        let cookie = try XCTUnwrap(signIn.headers[.setCookie].first { $0.hasPrefix("samrad_session=") })
        for flag in ["HttpOnly", "SameSite=Lax", "Expires=", "Path=/"] {
            XCTAssertTrue(cookie.contains(flag), "\(flag) in \(cookie)")
        }
        XCTAssertFalse(cookie.contains("Secure"), "plain http here")
        let session = try XCTUnwrap(client.cookies["samrad_session"])
        XCTAssertNotEqual(session, planted)
        let fixated = Client(app)
        fixated.cookies["samrad_session"] = planted
        do {
            let r = try await fixated.get("/profile");
            XCTAssertEqual(r.status, .seeOther, "the planted id opens nothing")
        }
        do { let r = try await client.get("/profile"); XCTAssertEqual(r.status, .ok) }
        _ = try await client.post("/sign-out", form: [:])
        let replay = Client(app)
        replay.cookies["samrad_session"] = session
        let after = try await replay.get("/profile")
        XCTAssertEqual(after.status, .seeOther, "the old cookie after sign-out")
        XCTAssertEqual(after.headers.first(name: .location), "/sign-in?next=%2Fprofile")
    }

    /// M10: a signed-in session keeps its own CSRF token, made anew at sign-in; a cookie planted by
    /// another host of the same site (and a form carrying it) does not pass.
    func testTheCSRFTokenIsTheSessionsOwn() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        _ = try await client.get("/")
        let before = client.csrf
        try await client.signIn("kim@example.dk", "correct horse battery")
        XCTAssertNotEqual(client.csrf, before, "renewed at sign-in")
        let sql = app.db.sql
        struct Row: Decodable { var data: String }
        let stored = try await sql.raw("SELECT data FROM web_sessions").first(decoding: Row.self)?.data ?? ""
        XCTAssertTrue(stored.contains(client.csrf), "the token is the session's")
        do {
            let r = try await client.post("/profile/tokens", form: ["name": "Rapport"]);
            XCTAssertEqual(r.status, .created)
        }
        // The attacker's cookie and the same value in the form.
        let planted = String(repeating: "p", count: 43)
        let own = client.csrf
        client.cookies["samrad_csrf"] = planted
        let forged = try await client.post(
            "/profile/tokens", form: ["name": "Forged", "_csrf": planted], withCSRF: false)
        XCTAssertEqual(forged.status, .forbidden)
        _ = try await client.get("/profile")
        XCTAssertEqual(client.csrf, own, "the next page hands the session's token back in the cookie")
        do {
            let r = try await client.post("/profile/tokens", form: ["name": "Rapport 2"]);
            XCTAssertEqual(r.status, .created)
        }
    }

    /// M11: guesses sent at once are all counted before any password is tried, so no more than the
    /// limit reach bcrypt; an address without an account is answered alike.
    func testGuessesAtOnceAreCountedBeforeTheyAreTried() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let app = app!
        let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for i in 0..<12 {
                group.addTask {
                    let client = Client(app)
                    return try await client.post(
                        "/sign-in", form: ["email": "kim@example.dk", "password": "guess number \(i)"]
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertLessThanOrEqual(statuses.filter { $0 == .unauthorized }.count, 5, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == .unauthorized || $0 == .tooManyRequests }.count, 12)
        let right = try await Client(app).post(
            "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
        XCTAssertEqual(right.status, .tooManyRequests, "still locked, also for the right password")
        let unknown = try await Client(app).post(
            "/sign-in", form: ["email": "nobody@example.dk", "password": "whatever it is"])
        XCTAssertEqual(unknown.status, .unauthorized)
        XCTAssertFalse(app.timingHash.isEmpty)
    }

    /// L18: two administrators taking each other's role at the same moment leave one.
    func testTheLastAdministratorStaysWhenTwoRevokeAtOnce() async throws {
        let ann = try await makeUser(app, email: "ann@example.dk", grants: [RoleGrant(kind: .administrator)])
        let bo = try await makeUser(app, email: "bo@example.dk", grants: [RoleGrant(kind: .administrator)])
        let roleOf = { (user: User) async throws -> UUID in
            try await RoleAssignment.query(on: self.app.db).filter(\.$userID == user.requireID()).first()!.requireID()
        }
        let (annRole, boRole) = (try await roleOf(ann), try await roleOf(bo))
        let first = Client(app), second = Client(app)
        try await first.signIn("ann@example.dk", "correct horse battery")
        try await second.signIn("bo@example.dk", "correct horse battery")
        async let a = first.post("/admin/accounts/\(bo.id!.uuidString)/roles/\(boRole.uuidString)/delete", form: [:])
        async let b = second.post("/admin/accounts/\(ann.id!.uuidString)/roles/\(annRole.uuidString)/delete", form: [:])
        let statuses = [try await a.status, try await b.status]
        XCTAssertTrue(statuses.allSatisfy { $0.code < 500 || $0 == .serviceUnavailable }, "\(statuses)")
        let left = try await RoleAssignment.query(on: app.db).filter(\.$kind == RoleKind.administrator.rawValue).count()
        XCTAssertGreaterThanOrEqual(left, 1, "\(statuses)")
    }

    /// M7: the server ends sessions (24 hours idle, 14 days in all) whatever the cookie says; a
    /// cookie that names no session makes no row; a session is not written on every request; the
    /// purge job clears ended ones.
    func testSessionsEndOnTheServer() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let sql = app.db.sql
        struct Count: Decodable { var n: Int }
        func sessions() async throws -> Int {
            try await sql.raw("SELECT COUNT(*) AS n FROM web_sessions").first(decoding: Count.self)?.n ?? -1
        }
        let stranger = Client(app)
        for i in 0..<5 {
            stranger.cookies["samrad_session"] = "made-up-session-\(i)-" + String(repeating: "y", count: 30)
            let r = try await stranger.get("/municipalities")
            XCTAssertEqual(r.status, .ok)
        }
        do { let n = try await sessions(); XCTAssertEqual(n, 0, "no row for a cookie that names no session") }

        let client = Client(app)
        try await client.signIn("kim@example.dk", "correct horse battery")
        do { let n = try await sessions(); XCTAssertEqual(n, 1) }
        struct Seen: Decodable { var last_seen_at: Date }
        let first = try await sql.raw("SELECT last_seen_at FROM web_sessions").first(decoding: Seen.self)!.last_seen_at
        for _ in 0..<3 { _ = try await client.get("/profile") }
        let later = try await sql.raw("SELECT last_seen_at FROM web_sessions").first(decoding: Seen.self)!.last_seen_at
        XCTAssertEqual(
            first.timeIntervalSince1970, later.timeIntervalSince1970, accuracy: 0.001, "not written on every request")
        // A day without a request: the session has ended.
        try await sql.raw("UPDATE web_sessions SET last_seen_at = \(bind: Date().addingTimeInterval(-25 * 3600))").run()
        do {
            let r = try await client.get("/profile")
            XCTAssertEqual(r.status, .seeOther)
            XCTAssertEqual(r.headers.first(name: .location), "/sign-in?next=%2Fprofile")
        }
        do { let n = try await sessions(); XCTAssertEqual(n, 0, "the ended session is gone") }
        // Fourteen days after sign-in, however busy.
        try await client.signIn("kim@example.dk", "correct horse battery")
        try await sql.raw("UPDATE web_sessions SET created_at = \(bind: Date().addingTimeInterval(-15 * 24 * 3600))")
            .run()
        do { let r = try await client.get("/profile"); XCTAssertEqual(r.status, .seeOther) }
        // The purge job.
        try await client.signIn("kim@example.dk", "correct horse battery")
        let other = Client(app)
        try await other.signIn("kim@example.dk", "correct horse battery")
        try await sql.raw(
            "UPDATE web_sessions SET last_seen_at = \(bind: Date().addingTimeInterval(-2 * 24 * 3600)) WHERE key = "
                + "\(bind: other.cookies["samrad_session"]!)"
        ).run()
        let purged = try await SessionStore.purge(app.settings.sessions, on: app.db)
        XCTAssertEqual(purged, 1)
        do { let n = try await sessions(); XCTAssertEqual(n, 1) }
        do { let r = try await client.get("/profile"); XCTAssertEqual(r.status, .ok, "the live one stays") }
    }

    func testOpenRedirectIsRefused() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        let response = try await client.post(
            "/sign-in",
            form: ["email": "kim@example.dk", "password": "correct horse battery", "next": "//evil.example"])
        XCTAssertEqual(response.headers.first(name: .location), "/")
        // M1: a tab or line break that the browser drops, or a backslash it reads as a slash.
        for next in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "/\\/evil.example"] {
            let signedIn = try await Client(app).post(
                "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery", "next": next])
            XCTAssertEqual(signedIn.status, .seeOther)
            XCTAssertEqual(signedIn.headers.first(name: .location), "/", next.debugDescription)
        }
        for query in [
            "/%09/evil.example", "/%0A/evil.example", "/%5C/evil.example", "%2F%2Fevil.example", "/%20/evil.example",
        ] {
            let chosen = try await client.get("/language/en?return=\(query)")
            XCTAssertEqual(chosen.status, .seeOther)
            XCTAssertEqual(chosen.headers.first(name: .location), "/", query)
            let form = try await Client(app).get("/sign-in?next=\(query)")
            XCTAssertFalse(form.body.string.contains("evil.example"), query)
        }
        let back = try await client.get("/language/da?return=/collaborations%3Fstatus%3Dopen")
        XCTAssertEqual(back.headers.first(name: .location), "/collaborations?status=open", "a local path is kept")
    }

    func testPasswordResetGoesThroughTheOutbox() async throws {
        try await makeUser(app, email: "kim@example.dk")
        // Signed in on another device before the reset: that session ends with it.
        let elsewhere = Client(app)
        try await elsewhere.signIn("kim@example.dk", "correct horse battery")
        let client = Client(app)
        let response = try await client.post("/password/forgot", form: ["email": "kim@example.dk"])
        XCTAssertEqual(response.status, .seeOther)
        // An unknown address gets the same answer and no e-mail.
        let v9 = try await client.post("/password/forgot", form: ["email": "nobody@example.dk"]).status
        XCTAssertEqual(v9, .seeOther)
        let v10 = try await OutboxMessage.query(on: app.db).count()
        XCTAssertEqual(v10, 1)

        let sent = try await OutboxDelivery.deliverDue(application: app, settings: app.settings)
        XCTAssertEqual(sent, 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox)
        XCTAssertEqual(files.count, 1)
        let eml = try String(contentsOfFile: outbox + "/" + files[0], encoding: .utf8)
        XCTAssertTrue(eml.contains("To: kim@example.dk"))
        let body = String(
            data: Data(
                base64Encoded: eml.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: ""))!,
            encoding: .utf8)!
        let link = try XCTUnwrap(
            body.components(separatedBy: .whitespacesAndNewlines).first { $0.contains("/password/reset/") })
        let path = String(link.dropFirst("http://127.0.0.1:8080".count))
        let v11 = try await client.get(path).status
        XCTAssertEqual(v11, .ok)
        let v12 = try await client.post(path, form: ["password": "a brand new passphrase"]).status
        XCTAssertEqual(v12, .seeOther)
        let v13 = try await client.get(path).status
        XCTAssertEqual(v13, .notFound)
        try await Client(app).signIn("kim@example.dk", "a brand new passphrase")
        let ended = try await elsewhere.get("/profile")
        XCTAssertEqual(ended.status, .seeOther, "the other device is signed out by the reset")
        let message = try await OutboxMessage.query(on: app.db).first()
        XCTAssertEqual(message?.status, "sent")
    }

    func testInvitationGivesTheRole() async throws {
        let admin = try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        _ = admin
        let client = Client(app)
        try await client.signIn("admin@example.dk", "correct horse battery")
        let bad = try await client.post(
            "/admin/invitations", form: ["email": "x", "kind": "coordinator", "municipality": "dk/9999"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"municipality-error\""))
        let ok = try await client.post(
            "/admin/invitations",
            form: ["email": "coord@aarhus.dk", "kind": "coordinator", "municipality": "dk/751", "language": "da"])
        XCTAssertEqual(ok.status, .seeOther)
        // Until accepted it stands among the waiting invitations; GET /admin/invitations leads there.
        let waiting = try await client.get("/admin/accounts", headers: ["Accept-Language": "en"])
        XCTAssertTrue(
            waiting.body.string.contains(
                "<th scope=\"row\">coord@aarhus.dk</th><td>Municipal coordinator · Aarhus</td>"),
            waiting.body.string)
        let list = try await client.get("/admin/invitations")
        XCTAssertEqual(list.headers.first(name: .location), "/admin/accounts#invitations")
        let messageValue = try await OutboxMessage.query(on: app.db).first()
        let message = try XCTUnwrap(messageValue)
        XCTAssertEqual(message.subject, "Du er inviteret til Samrad")
        let link = try XCTUnwrap(
            message.body.components(separatedBy: .whitespacesAndNewlines).first { $0.contains("/invitations/") })
        let invitee = Client(app)
        let path = String(link.dropFirst("http://127.0.0.1:8080".count))
        let v14 = try await invitee.post(path, form: ["name": "Coord", "password": "a good long password"]).status
        XCTAssertEqual(v14, .seeOther)
        let afterAccepting = try await client.get("/admin/accounts", headers: ["Accept-Language": "en"])
        XCTAssertTrue(
            afterAccepting.body.string.contains("No invitations are waiting."), "an accepted invitation leaves the list"
        )
        let me = try await invitee.get("/api/v1/me")
        XCTAssertEqual((me.json["roles"] as? [[String: Any]])?.first?["municipality"] as? String, "dk/751")

        // L19: an invitation to an address with an account never replaces its password; the
        // account's holder signs in and takes the role.
        _ = try await client.post(
            "/admin/invitations", form: ["email": "coord@aarhus.dk", "kind": "member", "municipality": "dk/461"])
        let second = try await OutboxMessage.query(on: app.db).sort(\.$createdAt, .descending).all().first {
            $0.body.contains("/invitations/") && $0.id != message.id
        }
        let secondLink = try XCTUnwrap(
            second?.body.components(separatedBy: .whitespacesAndNewlines).first { $0.contains("/invitations/") })
        let secondPath = String(secondLink.dropFirst("http://127.0.0.1:8080".count))
        let stranger = Client(app)
        let taken = try await stranger.post(secondPath, form: ["name": "Mallory", "password": "a password of my own"])
        XCTAssertEqual(taken.status, .conflict)
        let form = try await stranger.get(secondPath)
        XCTAssertTrue(form.body.string.contains("An account with this e-mail address exists"), form.body.string)
        XCTAssertFalse(form.body.string.contains("name=\"password\""))
        try await Client(app).signIn("coord@aarhus.dk", "a good long password")
        let accepted = try await invitee.post(secondPath, form: [:])
        XCTAssertEqual(accepted.status, .seeOther)
        let roles = try await invitee.get("/api/v1/me").json["roles"] as? [[String: Any]]
        XCTAssertEqual(roles?.compactMap { $0["municipality"] as? String }.sorted(), ["dk/461", "dk/751"])
    }

    func testAccessTokensAuthenticateAndRevoke() async throws {
        try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        try await client.signIn("kim@example.dk", "correct horse battery")
        let created = try await client.post("/profile/tokens", form: ["name": "Reporting script"])
        XCTAssertEqual(created.status, .created)
        let page = created.body.string
        let start = try XCTUnwrap(page.range(of: "<code id=\"new-token\">"))
        let token = String(page[start.upperBound...].prefix { $0 != "<" })
        XCTAssertTrue(token.hasPrefix("smr_"))

        do {
            let res = try await send(app, .GET, "/api/v1/me", headers: bearer(token))
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.json["email"] as? String, "kim@example.dk")
        }
        let storedValue = try await AccessToken.query(on: app.db).first()
        let stored = try XCTUnwrap(storedValue)
        XCTAssertNotEqual(stored.tokenHash, token, "only the hash is stored")
        let v15 = try await client.post("/profile/tokens/\(stored.id!.uuidString)/revoke", form: [:]).status
        XCTAssertEqual(v15, .seeOther)
        do {
            let res = try await send(app, .GET, "/api/v1/me", headers: bearer(token))
            XCTAssertEqual(res.status, .unauthorized)
            XCTAssertEqual(res.headers.contentType?.subType, "problem+json")
        }
    }

    func testAuditLogIsForAdministratorsOnly() async throws {
        let admin = try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        let member = try await makeUser(app, email: "member@example.dk")
        do { let res = try await send(app, .GET, "/api/v1/audit"); XCTAssertEqual(res.status, .unauthorized) }
        do {
            let res = try await send(
                app, .GET, "/api/v1/audit", headers: bearer(try await makeToken(app, for: member)));
            XCTAssertEqual(res.status, .forbidden)
        }
        do {
            let res = try await send(app, .GET, "/api/v1/audit", headers: bearer(try await makeToken(app, for: admin)));
            XCTAssertEqual(res.status, .ok)
        }
        let client = Client(app)
        try await client.signIn("member@example.dk", "correct horse battery")
        let v16 = try await client.get("/admin/audit").status
        XCTAssertEqual(v16, .forbidden)
        let v17 = try await client.get("/admin/outbox").status
        XCTAssertEqual(v17, .forbidden)
    }

    func testLanguagePickerAndSetting() async throws {
        let client = Client(app)
        let v18 = try await client.get("/", headers: ["Accept-Language": "sv"]).body.string.contains(
            "<html lang=\"sv\">")
        XCTAssertTrue(v18)
        let picked = try await client.get("/language/da?return=%2Fmunicipalities")
        XCTAssertEqual(picked.headers.first(name: .location), "/municipalities")
        let v19 = try await client.get("/", headers: ["Accept-Language": "sv"]).body.string.contains(
            "<html lang=\"da\">")
        XCTAssertTrue(v19)
        let v20 = try await client.get("/language/de").status
        XCTAssertEqual(v20, .notFound)
        let v21 = try await client.get("/language/en?return=https://evil.example").headers.first(name: .location)
        XCTAssertEqual(v21, "/")

        // The picker changes this browser, not the account: another device keeps the account's language.
        let account = try await makeUser(app, email: "sprog@example.dk")
        account.language = "da"
        try await account.save(on: app.db)
        let member = Client(app)
        try await member.signIn("sprog@example.dk", "correct horse battery")
        let chosen = try await member.get("/language/sv")
        XCTAssertEqual(chosen.status, .seeOther)
        let phone = try await member.get("/")
        XCTAssertEqual(phone.headers.first(name: .contentLanguage), "sv")
        let rows = try await User.query(on: app.db).filter(\.$email == "sprog@example.dk").all()
        XCTAssertEqual(rows.map(\.language), ["da"])
        let desktop = Client(app)
        try await desktop.signIn("sprog@example.dk", "correct horse battery")
        let other = try await desktop.get("/")
        XCTAssertEqual(other.headers.first(name: .contentLanguage), "da")
    }

    func testAdministratorGivesAndRemovesRoles() async throws {
        let admin = try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        let kim = try await makeUser(app, email: "kim@example.dk")
        let client = Client(app)
        try await client.signIn("admin@example.dk", "correct horse battery")
        let page = try await client.get("/admin/accounts")
        XCTAssertTrue(page.body.string.contains("id=\"municipality-\(kim.id!.uuidString)\""))
        let granted = try await client.post(
            "/admin/accounts/\(kim.id!.uuidString)/roles", form: ["kind": "coordinator", "municipality": "dk/101"])
        XCTAssertEqual(granted.status, .seeOther)
        let missing = try await client.post("/admin/accounts/\(kim.id!.uuidString)/roles", form: ["kind": "organiser"])
        XCTAssertEqual(missing.status, .unprocessableEntity)
        let roles = try await RoleAssignment.query(on: app.db).filter(\.$userID == kim.id!).all()
        XCTAssertEqual(
            roles.compactMap(\.grant), [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))])

        let member = Client(app)
        try await member.signIn("kim@example.dk", "correct horse battery")
        let forbidden = try await member.post(
            "/admin/accounts/\(kim.id!.uuidString)/roles", form: ["kind": "administrator"])
        XCTAssertEqual(forbidden.status, .forbidden)

        let revoked = try await client.post(
            "/admin/accounts/\(kim.id!.uuidString)/roles/\(roles[0].id!.uuidString)/delete", form: [:])
        XCTAssertEqual(revoked.status, .seeOther)
        let adminRole = try await RoleAssignment.query(on: app.db).filter(\.$userID == admin.id!).first()
        let last = try await client.post(
            "/admin/accounts/\(admin.id!.uuidString)/roles/\(adminRole!.id!.uuidString)/delete", form: [:])
        XCTAssertEqual(last.status, .conflict, "the last administrator keeps the role")
        let actions = try await AuditEntry.query(on: app.db).sort(\.$at).all().map(\.action)
        XCTAssertEqual(actions, ["role:grant", "role:revoke"])
        let audit = try await client.get("/admin/audit", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(audit.body.string.contains("Gav en roll"))
    }

    func testSessionCallsToTheAPINeedTheCSRFHeader() async throws {
        try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        let client = Client(app)
        try await client.signIn("admin@example.dk", "correct horse battery")
        let body = ByteBuffer(string: #"{"name":"SKR","kind":"association"}"#)
        let without = try await client.send(
            .POST, "/api/v1/organisations", headers: ["Content-Type": "application/json"], body: body)
        XCTAssertEqual(without.status, .forbidden)
        let with = try await client.send(
            .POST, "/api/v1/organisations", headers: ["Content-Type": "application/json", "X-CSRF-Token": client.csrf],
            body: body)
        XCTAssertEqual(with.status, .created)
    }

    func testMigrationsRevertAndApplyAgain() async throws {
        try await app.autoRevert()
        try await app.autoMigrate()
        let imported = try await DirectoryImport.run(on: app.db, files: app.resources, logger: app.logger)
        XCTAssertTrue(imported.imported)
        XCTAssertEqual(imported.municipalities, 1054)
    }
}
