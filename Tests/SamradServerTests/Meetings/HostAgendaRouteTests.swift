import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The host municipality's coordinator shapes the agenda of the meeting it hosts (case 4: Lund
/// prepares the spring meeting; issue 26): the agenda and its materials, also while the meeting is
/// planned, and nothing else of it. Rights come from the coordinator role over the host, never from
/// a person record that says "Malmö", nor from coordinating another municipality.
extension MeetingRouteTests {
    func testTheHostsCoordinatorShapesTheAgendaAndNothingElse() async throws {
        let malmo = MunicipalityKey(.se, "1280")
        let coordinatorRole = RoleGrant(kind: .coordinator, municipality: malmo)
        let host = try await makeToken(
            app, for: try await makeUser(app, email: "samordnare@malmo.se", grants: [coordinatorRole]))
        let member = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "larare@malmo.se", grants: [RoleGrant(kind: .member, municipality: malmo)]))
        // A person who wrote "Malmö" on their own record holds no role over Malmö.
        let selfMade = try await person("Självutnämnd", "1280", .schoolChief)
        let claimant = try await makeToken(
            app, for: try await makeUser(app, email: "x@example.se", personID: selfMade.id))
        let id = meetingID(
            try await createMeeting(
                #""title":"Vårmöte i Malmö","startsAt":"2027-04-20T10:00","endsAt":"2027-04-20T16:00","#
                    + #""host":"se/1280""#))
        let agenda = "/api/v1/meetings/\(id)/agenda"
        let items = #"{"items":[{"title":"Välkommen till Malmö","durationMinutes":20},"#
            + #"{"title":"Skolbesök i Rosengård","durationMinutes":90,"speakerName":"Rektor"}]}"#

        // Planned: hidden from everyone else, open to the host's coordinator for the agenda.
        for token in [stockholmCoordinator!, member, claimant, outsider!] {
            let r = try await json(token, .PUT, agenda, items)
            XCTAssertEqual(r.status, .notFound, "a planned meeting is hidden: \(r.body.string)")
        }
        let shaped = try await json(host, .PUT, agenda, items)
        XCTAssertEqual(shaped.status, .ok, shaped.body.string)
        XCTAssertEqual((shaped.json["agenda"] as? [[String: Any]])?.count, 2)
        let pdf = Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)
        let material = try await multipart(
            host, "/api/v1/meetings/\(id)/materials", fields: ["title": "Program"], file: ("program.pdf", pdf))
        XCTAssertEqual(material.status, .created, material.body.string)

        // In the browser: the editor, and on the page only the way to it.
        try await makeUser(app, email: "samordnare2@malmo.se", grants: [coordinatorRole])
        let browser = Client(app)
        try await browser.signIn("samordnare2@malmo.se", "correct horse battery")
        let page = try await browser.get("/meetings/\(id)", headers: ["Accept-Language": "en"])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Your municipality hosts"), page.body.string)
        XCTAssertTrue(page.body.string.contains("/meetings/\(id)/agenda\""))
        XCTAssertFalse(page.body.string.contains("/meetings/\(id)/edit\""), "not the meeting itself")
        XCTAssertFalse(page.body.string.contains("/meetings/\(id)/attendance\""))
        let editor = try await browser.get("/meetings/\(id)/agenda")
        XCTAssertEqual(editor.status, .ok)
        let added = try await browser.post("/meetings/\(id)/agenda", form: ["title": "Fika", "durationMinutes": "15"])
        XCTAssertEqual(added.status, .seeOther, added.body.string)
        let count = try await AgendaItem.query(on: app.db).count()
        XCTAssertEqual(count, 3)

        // Nothing else of the meeting: its time and place, status, attendance, minutes.
        let forbidden: [(HTTPMethod, String, String?)] = [
            (
                .PUT, "/api/v1/meetings/\(id)",
                #"{"title":"Flyttat","startsAt":"2027-04-21T10:00","endsAt":"2027-04-21T16:00"}"#
            ),
            (.POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#),
            (.GET, "/api/v1/meetings/\(id)/attendees", nil),
            (.PUT, "/api/v1/meetings/\(id)/minutes", #"{"minutes":"x","decisions":[]}"#),
        ]
        for (method, path, body) in forbidden {
            let r = try await json(host, method, path, body)
            XCTAssertEqual(r.status, .forbidden, "\(method) \(path): \(r.body.string)")
        }
        let meeting = try await Meeting.find(UUID(uuidString: id), on: app.db)
        XCTAssertEqual(meeting?.status, "planned")

        // Published: others see it, but only the host shapes the agenda; cancelled, only those who run it.
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        for token in [stockholmCoordinator!, member, claimant] {
            let r = try await json(token, .PUT, agenda, items)
            XCTAssertEqual(r.status, .forbidden, r.body.string)
        }
        let again = try await json(host, .PUT, agenda, items)
        XCTAssertEqual(again.status, .ok)
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"cancelled"}"#)
        let cancelled = try await json(host, .PUT, agenda, items)
        XCTAssertEqual(cancelled.status, .forbidden, cancelled.body.string)
    }
}
