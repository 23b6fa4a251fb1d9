import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// Case 1's newsletters: the organiser writes to the committee chairs of the political track,
/// previews the mail, sends it through the outbox once per address (also when the send is resumed),
/// and a chair unsubscribes with one click; the archive and its feed show what is public.
final class NewsletterRouteTests: XCTestCase {
    var app: Application!
    var kl: Organisation!
    var political: Collaboration!
    var professional: Collaboration!
    var people: [String: Person] = [:]

    override func setUp() async throws {
        app = try await makeTestApp()
        kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let organiser = try await makeUser(
            app, email: "konsulent@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let token = try await makeToken(app, for: organiser)
        var collaborations: [Collaboration] = []
        for title in ["Politisk del", "Fagligt samarbejde om økonomi"] {
            let body = """
                {"title":"\(title)","description":"Case 1","kind":"standing_network",
                    "organiserID":"\(kl.id!.uuidString)",
                 "timeZone":"Europe/Copenhagen","periodStart":"2027-01-01","periodEnd":"2029-12-31",
                     "deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
                """
            let created = try await sendJSON(app, token, .POST, "/api/v1/collaborations", body)
            XCTAssertEqual(created.status, .created, created.body.string)
            let opened = try await sendJSON(
                app, token, .POST, "/api/v1/collaborations/\(created.json["slug"] as! String)/status",
                #"{"status":"open"}"#)
            XCTAssertEqual(opened.status, .ok, opened.body.string)
            collaborations.append(
                try await Collaboration.query(on: app.db).filter(\.$slug == created.json["slug"] as! String).first()!)
        }
        political = collaborations[0]
        professional = collaborations[1]
        // Aarhus and Odense in the political track with their chairs and a member; Kolding's chair in the
        // professional one.
        let seats: [(Collaboration, String, [(String, Position)])] = [
            (political, "751", [("Anne Aarhus", .committeeChair), ("Mads Aarhus", .committeeMember)]),
            (political, "461", [("Ole Odense", .committeeChair)]),
            (professional, "621", [("Karen Kolding", .committeeChair)]),
        ]
        for (index, (c, code, holders)) in seats.enumerated() {
            let registration = Registration()
            registration.collaborationID = c.id!
            registration.municipalityCountry = "dk"
            registration.municipalityCode = code
            registration.status = RegistrationStatus.registered.rawValue
            registration.sequence = index + 1
            try await registration.create(on: app.db)
            for (name, position) in holders {
                let p = Person()
                p.name = name
                p.email = name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.dk"
                p.position = position.rawValue
                p.municipalityCountry = "dk"
                p.municipalityCode = code
                p.isExample = false
                try await p.create(on: app.db)
                people[name] = p
                let seat = RegistrationSeat()
                seat.registrationID = registration.id!
                seat.position = position.rawValue
                seat.personID = p.id!
                try await seat.create(on: app.db)
            }
        }
        try await makeUser(
            app, email: "anne.aarhus@example.dk",
            grants: [RoleGrant(kind: .member, municipality: MunicipalityKey(.dk, "751"))],
            personID: people["Anne Aarhus"]!.id)
        try await makeUser(
            app, email: "koordinator@aarhus.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))])
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func client(_ email: String?) async throws -> Client {
        let client = Client(app)
        if let email { try await client.signIn(email, "correct horse battery") }
        return client
    }

    func form(
        _ subject: String, positions: [String] = ["committee_chair"], archive: String = "public", body: String? = nil
    ) -> String {
        var fields = [
            ("subject", subject), ("body", body ?? "Kære formand\n\nVi ses **27. maj**. <script>alert(1)</script>"),
            ("language", "da"),
            ("archive", archive), ("municipalities", ""), ("collaborations[]", political.id!.uuidString.lowercased()),
        ]
        fields += positions.map { ("positions[]", $0) }
        return fields.map { "\($0.0.urlEncoded)=\($0.1.urlEncoded)" }.joined(separator: "&")
    }

    func post(_ client: Client, _ path: String, _ body: String) async throws -> XCTHTTPResponse {
        if client.cookies["samrad_csrf"] == nil { try await client.get("/") }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await client.send(
            .POST, path, headers: headers, body: ByteBuffer(string: body + "&_csrf=\(client.csrf)"))
    }

    func testANewsletterToThePoliticalTracksChairsIsPreviewedSentOnceAndUnsubscribedFrom() async throws {
        let organiser = try await client("konsulent@kl.dk")
        let path = "/collaborations/\(political.slug)/newsletters"
        // Only those who run the collaboration write newsletters.
        do {
            let r = try await post(try await client("koordinator@aarhus.dk"), path, form("Nej"));
            XCTAssertEqual(r.status, .forbidden)
        }
        // A malformed link is named; nothing is written.
        do {
            let r = try await post(organiser, path, form("Maj", body: "Se [programmet](www.kl.dk/program)"))
            XCTAssertEqual(r.status, .unprocessableEntity)
            XCTAssertTrue(r.body.string.contains("programmet"))
            let n = try await Newsletter.query(on: app.db).count()
            XCTAssertEqual(n, 0)
        }
        // An audience nobody matches is refused at sending.
        let empty = try await post(organiser, path, form("Til borgmestrene", positions: ["mayor"]))
        XCTAssertEqual(empty.status, .seeOther, empty.body.string)
        do {
            let r = try await organiser.post(empty.headers.first(name: .location)! + "/send", form: ["when": "now"])
            XCTAssertEqual(r.status, .unprocessableEntity)
            XCTAssertTrue(r.body.string.contains("Nobody matches the audience"), r.body.string)
        }

        let created = try await post(organiser, path, form("Nyhedsbrev maj 2027"))
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        let href = created.headers.first(name: .location)!
        // The preview: the mail as HTML (no script), as text, and its two recipients.
        let preview = try await organiser.get(href)
        let frame = try await organiser.get("\(href)/mail-preview")
        XCTAssertTrue(frame.body.string.contains("<strong>27. maj</strong>"))
        XCTAssertFalse(frame.body.string.contains("<script>alert"))
        XCTAssertTrue(frame.headers.first(name: "Content-Security-Policy")?.contains("sandbox") ?? false)
        do {
            let r = try await (try await client("anne.aarhus@example.dk")).get("\(href)/mail-preview");
            XCTAssertEqual(r.status, .notFound)
        }
        XCTAssertFalse(preview.body.string.contains("<script>alert"))
        XCTAssertTrue(preview.body.string.contains("2 recipients"), preview.body.string)
        XCTAssertTrue(
            preview.body.string.contains("anne.aarhus@example.dk")
                && preview.body.string.contains("ole.odense@example.dk"))
        XCTAssertFalse(preview.body.string.contains("mads.aarhus@example.dk"), "a member, not a chair")
        // A draft is the organiser's: others neither see nor change it.
        do { let r = try await (try await client(nil)).get(href); XCTAssertEqual(r.status, .notFound) }
        let coordinator = try await client("koordinator@aarhus.dk")
        for (path, method) in [
            ("\(href)/edit", HTTPMethod.GET), ("\(href)/send", .POST), ("\(href)/cancel", .POST),
            ("\(href)/delete", .POST),
        ] {
            let r =
                method == .GET
                ? try await coordinator.get(path) : try await coordinator.post(path, form: ["when": "now"])
            XCTAssertEqual(r.status, .notFound, path)
        }

        // A time in the past is refused; now is taken.
        do {
            let r = try await organiser.post("\(href)/send", form: ["when": "later", "at": "2020-01-01 09:00"]);
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
        do {
            let r = try await organiser.post("\(href)/send", form: ["when": "now"]);
            XCTAssertEqual(r.status, .seeOther, r.body.string)
        }
        do { let n = try await NewsletterSending.sendDue(application: app); XCTAssertEqual(n, 1) }
        do { let n = try await NewsletterSending.sendDue(application: app); XCTAssertEqual(n, 0, "once") }
        let messages = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Nyhedsbrev maj 2027").all()
        XCTAssertEqual(messages.map(\.recipient).sorted(), ["anne.aarhus@example.dk", "ole.odense@example.dk"])
        let anne = messages.first { $0.recipient == "anne.aarhus@example.dk" }!
        XCTAssertTrue(anne.htmlBody?.contains("<strong>27. maj</strong>") ?? false)
        XCTAssertTrue(anne.extraHeaders?.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click") ?? false)
        let link = try XCTUnwrap(
            anne.body.split(separator: "\n").first { $0.contains("/newsletters/unsubscribe/") }.flatMap {
                $0.split(separator: " ").last
            }.map(String.init))
        XCTAssertTrue(anne.extraHeaders?.contains("List-Unsubscribe: <\(link)>") ?? false)

        // A send that stopped halfway is resumed without a second copy.
        let sent = try await Newsletter.query(on: app.db).filter(\.$subject == "Nyhedsbrev maj 2027").first()!
        XCTAssertEqual(sent.recipientCount, 2)
        sent.status = NewsletterStatus.sending.rawValue
        sent.claimedUntil = Date().addingTimeInterval(-1)
        try await sent.save(on: app.db)
        do { let n = try await NewsletterSending.sendDue(application: app); XCTAssertEqual(n, 1) }
        do {
            let n = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Nyhedsbrev maj 2027").count();
            XCTAssertEqual(n, 2)
        }

        // The archive and the feed show it to everybody; it can no longer be changed.
        let visitor = try await client(nil)
        do { let r = try await visitor.get(path); XCTAssertTrue(r.body.string.contains("Nyhedsbrev maj 2027")) }
        do {
            let r = try await visitor.get(href); XCTAssertEqual(r.status, .ok);
            XCTAssertFalse(r.body.string.contains("anne.aarhus@example.dk"), "no recipients for readers")
        }
        do {
            let r = try await visitor.get("\(path).atom");
            XCTAssertTrue(r.body.string.contains("<title>Nyhedsbrev maj 2027</title>"))
        }
        do {
            let r = try await organiser.post("\(href)/send", form: ["when": "now"]); XCTAssertEqual(r.status, .conflict)
        }

        // One click from the mail program unsubscribes (no session, no form token).
        let unsubscribePath = String(link.dropFirst(app.settings.publicBaseURL.count))
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        do {
            let r = try await app.testable().sendRequest(
                .POST, unsubscribePath, headers: headers, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            XCTAssertEqual(r.status, .ok)
        }
        do {
            let r = try await visitor.post("/newsletters/unsubscribe/not-a-token", form: [:], withCSRF: false);
            XCTAssertEqual(r.status, .notFound)
        }
        // The next newsletter goes to Ole only; a members-only one is not in the public archive.
        let second = try await post(organiser, path, form("Nyhedsbrev juni 2027", archive: "members"))
        let secondHref = second.headers.first(name: .location)!
        do {
            let r = try await organiser.get(secondHref);
            XCTAssertTrue(
                r.body.string.contains("1 recipients") || r.body.string.contains("1 recipient"), r.body.string)
        }
        do {
            let r = try await organiser.post("\(secondHref)/send", form: ["when": "now"]);
            XCTAssertEqual(r.status, .seeOther)
        }
        try await NewsletterSending.sendDue(application: app)
        do {
            let to = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Nyhedsbrev juni 2027").all().map(
                \.recipient)
            XCTAssertEqual(to, ["ole.odense@example.dk"])
        }
        // L4: the archive and its feed answer, then what they must not show.
        do {
            let r = try await visitor.get(path); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("<h1")); XCTAssertFalse(r.body.string.contains("juni 2027"))
        }
        do {
            let r = try await visitor.get("\(path).atom")
            XCTAssertEqual(r.status, .ok); XCTAssertTrue(r.body.string.contains("<feed"));
            XCTAssertFalse(r.body.string.contains("juni 2027"))
        }
        do { let r = try await visitor.get(secondHref); XCTAssertEqual(r.status, .notFound) }

        // Anne manages her subscriptions on her profile and subscribes again.
        let anneClient = try await client("anne.aarhus@example.dk")
        do {
            let r = try await anneClient.get(secondHref);
            XCTAssertEqual(r.status, .ok, "a member reads the members' archive")
        }
        let profile = try await anneClient.get("/profile/newsletters")
        XCTAssertTrue(profile.body.string.contains("Politisk del"))
        XCTAssertTrue(profile.body.string.contains("unsubscribed"), profile.body.string)
        do {
            let r = try await anneClient.post(
                "/profile/newsletters/\(political.id!.uuidString.lowercased())", form: ["subscribed": "yes"])
            XCTAssertEqual(r.status, .seeOther)
            let n = try await NewsletterUnsubscription.query(on: app.db).count()
            XCTAssertEqual(n, 0)
        }
    }
}
