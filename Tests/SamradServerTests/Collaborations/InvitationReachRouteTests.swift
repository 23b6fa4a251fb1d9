import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// An invitation always reaches the municipality: the people in the chosen positions, its
/// coordinators, and its official mailbox when no one else is known; the board and the page after
/// sending say plainly who was not reached.
final class InvitationReachRouteTests: XCTestCase {
    var app: Application!
    var kl: Organisation!
    var organiser: String!, admin: String!, coordinator: String!

    override func setUp() async throws {
        app = try await makeTestApp()
        kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "anne@kl.dk",
                grants: [RoleGrant(kind: .organiser, organisationID: kl.id)]))
        admin = try await makeToken(
            app, for: try await makeUser(app, email: "root@samrad.dk", grants: [RoleGrant(kind: .administrator)]))
        coordinator = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "hanne@aarhus.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))]))
        let chair = Person()
        chair.name = "Jens Chair"
        chair.email = "chair@aarhus.dk"
        chair.position = Position.committeeChair.rawValue
        chair.municipalityCountry = "dk"
        chair.municipalityCode = "751"
        chair.isExample = false
        try await chair.create(on: app.db)
    }

    override func tearDown() async throws { try await app.asyncShutdown() }

    func json(
        _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
    ) async throws -> XCTHTTPResponse {
        try await sendJSON(app, token, method, path, body)
    }

    func openTrack() async throws -> String {
        let body = """
            {"title":"Politisk del 2027","kind":"political_forum","organiserID":"\(kl.id!.uuidString)",
                "timeZone":"Europe/Copenhagen",
             "deadline":"2030-05-09T12:00","seats":[{"position":"committee_chair","count":1,"required":true}],
                 "priceKind":"free"}
            """
        let created = try await json(organiser, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = try XCTUnwrap(created.json["slug"] as? String)
        _ = try await json(organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        return slug
    }

    func testPositionsCoordinatorsAndTheMailboxAreReachedAndNobodyIsNamed() async throws {
        // Odense is known only by its official mailbox; København not at all.
        let refused = try await json(
            coordinator, .PUT, "/api/v1/municipalities/dk/461/mailbox", #"{"email":"post@odense.dk"}"#)
        XCTAssertEqual(refused.status, .forbidden, "administrators keep the mailboxes")
        let bad = try await json(admin, .PUT, "/api/v1/municipalities/dk/461/mailbox", #"{"email":"not an address"}"#)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual((bad.json["errors"] as? [[String: String]])?.first?["field"], "email")
        let kept = try await json(admin, .PUT, "/api/v1/municipalities/dk/461/mailbox", #"{"email":"Post@Odense.dk "}"#)
        XCTAssertEqual(kept.status, .ok, kept.body.string)
        XCTAssertEqual(kept.json["email"] as? String, "post@odense.dk")

        let slug = try await openTrack()
        let sent = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751, dk/461, dk/101","positions":["committee_chair"]}"#)
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        XCTAssertEqual(sent.json["municipalities"] as? Int, 3)
        XCTAssertEqual(sent.json["recipients"] as? Int, 3, "Aarhus' chair and coordinator, Odense's mailbox")
        XCTAssertEqual(sent.json["reached"] as? Int, 2)
        XCTAssertEqual(sent.json["throughMailbox"] as? Int, 1)
        XCTAssertEqual(sent.json["withoutRecipient"] as? [String], ["København"])

        let coordinatorMail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "hanne@aarhus.dk")
            .first()
        XCTAssertTrue(
            coordinatorMail?.body.contains("koordinator for Aarhus") ?? false, coordinatorMail?.body ?? "no mail")
        let mailboxMail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "post@odense.dk").first()
        let body = try XCTUnwrap(mailboxMail?.body)
        XCTAssertTrue(body.hasPrefix("Kære Odense"), body)
        XCTAssertTrue(body.contains("officielle postkasse"), body)

        // Whoever reads the mailbox answers for Odense without an account, and for Odense only.
        let start = try XCTUnwrap(body.range(of: "/registration-links/"))
        let key = String(body[start.upperBound...].prefix { !$0.isWhitespace })
        let reader = Client(app)
        let opened = try await reader.get("/registration-links/\(key)")
        XCTAssertEqual(opened.headers.first(name: .location), "/collaborations/\(slug)/registrations/dk/461")
        let page = try await reader.get(
            "/collaborations/\(slug)/registrations/dk/461", headers: ["Accept-Language": "en"])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Decline"), "the mailbox's reader may answer")
        let declined = try await reader.post("/collaborations/\(slug)/registrations/dk/461/decline", form: [:])
        XCTAssertEqual(declined.status, .seeOther, declined.body.string)
        let elsewhere = try await reader.post("/collaborations/\(slug)/registrations/dk/751/decline", form: [:])
        XCTAssertEqual(elsewhere.status, .unauthorized, "the pass is for Odense; elsewhere the reader is a visitor")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "registration:decline").first()
        XCTAssertEqual(audit?.actorName, "invitation link (the municipality's mailbox)")

        let board = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/board")
        XCTAssertEqual((board.json["counts"] as? [String: Any])?["notReached"] as? Int, 1)
        let items = try XCTUnwrap(board.json["items"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: items.map { ($0["name"] as! String, $0) })
        XCTAssertEqual(byName["København"]?["reach"] as? String, "nobody")
        XCTAssertNil(byName["København"]?["invitedAt"], "nobody was told, so nobody was invited when")
        let aarhus = try XCTUnwrap(byName["Aarhus"]?["reached"] as? [[String: String]])
        XCTAssertEqual(
            Set(aarhus.map { "\($0["name"]!) \($0["channel"]!)" }), ["Jens Chair position", "Hanne coordinator"])
        XCTAssertEqual((byName["Odense"]?["reached"] as? [[String: String]])?.first?["channel"], "mailbox")

        let web = Client(app)
        try await web.signIn("anne@kl.dk", "correct horse battery")
        let nobody = try await web.get("/collaborations/\(slug)/board?reach=nobody", headers: ["Accept-Language": "en"])
        XCTAssertTrue(nobody.body.string.contains("1 invited municipality was not reached."))
        XCTAssertTrue(nobody.body.string.contains("København"))
        XCTAssertFalse(nobody.body.string.contains(">Aarhus<"), "the filter shows only those not reached")
        XCTAssertTrue(nobody.body.string.contains("/people/new?municipality=dk/101"), "a way to add someone")
        XCTAssertTrue(nobody.body.string.contains(#"<strong class="tag tag-warning">Nobody to reach</strong>"#))
        XCTAssertTrue(nobody.body.string.contains(#"class="visually-hidden"> – København</span></a>"#))
        let all = try await web.get("/collaborations/\(slug)/board", headers: ["Accept-Language": "en"])
        XCTAssertTrue(all.body.string.contains(">Aarhus</a></th>"))
        XCTAssertTrue(all.body.string.contains("Hanne ("), "who was reached, with how")
        let csv = try await web.get("/collaborations/\(slug)/registrations.csv")
        XCTAssertTrue(
            csv.body.string.contains("dk,101,København,Region Hovedstaden,not_answered,,,nobody,"), csv.body.string)

        // Sending again from the page: not a success while a municipality is not reached.
        let again = try await web.post(
            "/collaborations/\(slug)/invitations",
            form: ["scope": "list", "list": "dk/751 dk/101", "positions[]": "committee_chair"],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(again.status, .ok)
        let html = again.body.string
        XCTAssertTrue(html.contains("class=\"attention\""), html)
        XCTAssertTrue(html.contains("1 municipality was not reached"))
        XCTAssertTrue(html.contains("1 of 2 municipalities reached"))
        XCTAssertTrue(html.contains("2 e-mails are on their way"))
        XCTAssertTrue(html.contains("?reach=nobody"))
        XCTAssertFalse(html.contains("Every invited municipality was reached."))
        let whole = try await web.post(
            "/collaborations/\(slug)/invitations",
            form: ["scope": "list", "list": "dk/751", "positions[]": "committee_chair"],
            headers: ["Accept-Language": "da"])
        XCTAssertTrue(whole.body.string.contains("Alle inviterede kommuner er nået."))
        XCTAssertTrue(whole.body.string.contains("1 af 1 kommune nået"))
    }

    func testMailboxesComeFromASpreadsheetCheckedWholeAndAreKeptOnThePage() async throws {
        let csv = "\u{FEFF}kommunekode;postkasse\n751;post@aarhus.dk\n999;post@nowhere.dk\n461;ikke-en-adresse\n"
        var headers = bearer(admin)
        headers.contentType = HTTPMediaType(type: "text", subType: "csv")
        headers.replaceOrAdd(name: .acceptLanguage, value: "en")
        let refused = try await send(
            app, .POST, "/api/v1/municipalities/mailboxes?country=dk", headers: headers,
            body: ByteBuffer(string: csv))
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let fields = (refused.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }
        XCTAssertEqual(fields, ["line 3", "line 4"])
        XCTAssertTrue(refused.body.string.contains("Line 3, column kommunekode: no municipality has the code 999."))
        let none = try await MunicipalityMailbox.query(on: app.db).count()
        XCTAssertEqual(none, 0, "nothing is written while a line is wrong")

        let good = "municipality,email\n751,post@aarhus.dk\n461,post@odense.dk\n"
        let first = try await send(
            app, .POST, "/api/v1/municipalities/mailboxes?country=dk", headers: headers,
            body: ByteBuffer(string: good))
        XCTAssertEqual(first.status, .ok, first.body.string)
        XCTAssertEqual(first.json["created"] as? Int, 2)
        let second = try await send(
            app, .POST, "/api/v1/municipalities/mailboxes?country=dk", headers: headers,
            body: ByteBuffer(string: good))
        XCTAssertEqual(second.json["unchanged"] as? Int, 2, "a second run changes nothing")
        var coordinatorHeaders = bearer(coordinator)
        coordinatorHeaders.contentType = HTTPMediaType(type: "text", subType: "csv")
        let notAdmin = try await send(
            app, .POST, "/api/v1/municipalities/mailboxes?country=dk", headers: coordinatorHeaders,
            body: ByteBuffer(string: good))
        XCTAssertEqual(notAdmin.status, .forbidden)
        let list = try await json(admin, .GET, "/api/v1/municipalities/mailboxes?country=dk")
        XCTAssertEqual(
            (list.jsonArray.compactMap { $0["email"] as? String }).sorted(), ["post@aarhus.dk", "post@odense.dk"])

        // The page: one field per municipality; a wrong one names the municipality and nothing is saved.
        _ = try await makeUser(app, email: "admin2@samrad.dk", grants: [RoleGrant(kind: .administrator)])
        let web = Client(app)
        try await web.signIn("admin2@samrad.dk", "correct horse battery")
        let page = try await web.get("/admin/mailboxes?country=dk", headers: ["Accept-Language": "en"])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("2 of 98 municipalities have an official mailbox."))
        XCTAssertTrue(page.body.string.contains(#"value="post@aarhus.dk""#))
        let wrong = try await web.post(
            "/admin/mailboxes", form: ["country": "dk", "m_101": "kk@kk.dk", "m_147": "nope"],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.string.contains("The mailbox of Frederiksberg is not an e-mail address."))
        let stillTwo = try await MunicipalityMailbox.query(on: app.db).count()
        XCTAssertEqual(stillTwo, 2)
        let saved = try await web.post(
            "/admin/mailboxes", form: ["country": "dk", "m_101": "kk@kk.dk", "m_751": ""],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(saved.status, .ok)
        XCTAssertTrue(saved.body.string.contains("1 mailbox added"))
        XCTAssertTrue(saved.body.string.contains("1 mailbox removed"))
        let stored = try await OfficialMailboxes.of(
            [MunicipalityKey(.dk, "101"), MunicipalityKey(.dk, "751")], on: app.db)
        XCTAssertEqual(stored, [MunicipalityKey(.dk, "101"): "kk@kk.dk"])
        let coordinatorWeb = Client(app)
        try await coordinatorWeb.signIn("hanne@aarhus.dk", "correct horse battery")
        let forbidden = try await coordinatorWeb.get("/admin/mailboxes")
        XCTAssertEqual(forbidden.status, .forbidden)
    }

    /// The account invitation says which role, and for which organisation or municipality.
    func testTheAccountInvitationNamesTheRoleAndWhereItIsFor() async throws {
        _ = try await makeUser(app, email: "admin3@samrad.dk", grants: [RoleGrant(kind: .administrator)])
        let web = Client(app)
        try await web.signIn("admin3@samrad.dk", "correct horse battery")
        let sent = try await web.post(
            "/admin/invitations",
            form: [
                "email": "ny@kl.dk", "kind": "organiser",
                "organisationID": kl.id!.uuidString, "language": "da",
            ])
        XCTAssertEqual(sent.status, .seeOther, sent.body.string)
        let coordinator = try await web.post(
            "/admin/invitations",
            form: [
                "email": "ny@aarhus.dk", "kind": "coordinator",
                "municipality": "dk/751", "language": "en",
            ])
        XCTAssertEqual(coordinator.status, .seeOther, coordinator.body.string)
        let toKL = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "ny@kl.dk").first()
        XCTAssertTrue(toKL?.body.contains("Du bliver arrangør for KL") ?? false, toKL?.body ?? "no mail")
        let toAarhus = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "ny@aarhus.dk").first()
        XCTAssertTrue(
            toAarhus?.body.contains("You will be coordinator for Aarhus") ?? false, toAarhus?.body ?? "no mail")
    }

    /// P5/P6: the front page is a place to start for each person.
    func testTheStartPageShowsEachPersonWhatToDoNext() async throws {
        let slug = try await openTrack()
        _ = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751, dk/461","positions":["committee_chair"]}"#)
        let visitor = try await send(app, .GET, "/", headers: ["Accept-Language": "en"])
        XCTAssertTrue(visitor.body.string.contains("Open for registration"))
        XCTAssertTrue(visitor.body.string.contains(#"<a href="/collaborations/\#(slug)">Politisk del 2027</a>"#))
        XCTAssertTrue(visitor.body.string.contains("it works without an account"), "how to sign in, and the link")

        let coordinatorWeb = Client(app)
        try await coordinatorWeb.signIn("hanne@aarhus.dk", "correct horse battery")
        let home = try await coordinatorWeb.get("/", headers: ["Accept-Language": "en"]).body.string
        XCTAssertTrue(home.contains("What Aarhus needs to do"), home)
        XCTAssertTrue(home.contains(#"<a href="/collaborations/\#(slug)/registrations/dk/751">Politisk del 2027</a>"#))
        XCTAssertTrue(home.contains("answer by 9 May 2030"))
        // The municipality's own page says the same to its coordinator, and nothing to others.
        let own = try await coordinatorWeb.get("/municipalities/dk/751", headers: ["Accept-Language": "en"]).body.string
        XCTAssertTrue(
            own.contains("What Aarhus needs to do") && own.contains("/collaborations/\(slug)/registrations/dk/751"), own
        )
        let odense = try await coordinatorWeb.get("/municipalities/dk/461", headers: ["Accept-Language": "en"]).body
            .string
        XCTAssertFalse(odense.contains("needs to do"), "another municipality's tasks are not Hanne's")
        XCTAssertFalse(home.contains("Your collaborations"), "a coordinator organises nothing")
        XCTAssertTrue(home.contains(#"aria-current="page""#) == false, "the front page is no menu section")
        _ = try await json(coordinator, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/751/decline")
        let after = try await coordinatorWeb.get("/", headers: ["Accept-Language": "en"]).body.string
        XCTAssertTrue(
            after.contains("Aarhus has no open invitations, questionnaires or coming meetings right now."), after)

        let organiserWeb = Client(app)
        try await organiserWeb.signIn("anne@kl.dk", "correct horse battery")
        let organised = try await organiserWeb.get("/", headers: ["Accept-Language": "en"]).body.string
            .collapsingWhitespace
        XCTAssertTrue(organised.contains("Your collaborations"))
        XCTAssertTrue(organised.contains(#"<a href="/collaborations/\#(slug)/board">Politisk del 2027</a>"#))
        XCTAssertTrue(organised.contains("0 of 2 invited municipalities registered"), organised)
        XCTAssertFalse(organised.contains("What Aarhus needs to do"))
    }
}
