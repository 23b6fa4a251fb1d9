import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Online and hybrid meetings (issue 26; seed-coverage review, finding 6): the join link and the
/// dial-in reach those registered to come and those who run the meeting — on the page, in the
/// meeting's JSON and `.ics`, in their own feed and in their e-mails — and nobody else: not a
/// visitor, not the public feeds, not the invitation, not a member of another municipality, not the
/// coordinator of an invited one, not the waiting list.
extension MeetingRouteTests {
    static let joinLink = "https://teams.example.se/l/meetup-join/secret-7f3a"
    static let dialIn = "+46 8 123 456 78, konferens-id 4711"

    func publishedHybridMeeting(capacity: Int? = nil) async throws -> String {
        let created = try await createMeeting(
            #""title":"Hybridmöte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"SKR","#
                + #""mode":"hybrid","onlineURL":"\#(Self.joinLink)","dialIn":"\#(Self.dialIn)""#
                + (capacity.map { #","capacity":\#($0)"# } ?? ""))
        let id = meetingID(created)
        let published = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)
        return id
    }

    /// Calendar text folds its lines at 75 octets; a link folded in two is still there.
    func unfolded(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: "\n ", with: "")
    }

    func assertNoJoinLink(_ folded: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = unfolded(folded)
        XCTAssertFalse(text.contains("secret-7f3a"), "join link: \(message)", file: file, line: line)
        XCTAssertFalse(text.contains("123 456 78"), "dial-in: \(message)", file: file, line: line)
    }

    func testTheJoinLinkReachesOnlyThoseRegisteredAndThoseWhoRunTheMeeting() async throws {
        let id = try await publishedHybridMeeting(capacity: 1)

        // Nobody registered yet: the public sees that it is hybrid, never how to get in.
        let visitor = Client(app)
        let page = try await visitor.get("/meetings/\(id)", headers: ["Accept-Language": "en"]).body.string
        assertNoJoinLink(page, "the public page")
        XCTAssertTrue(page.contains("Hybrid (in the room or online)"), page)
        XCTAssertTrue(page.contains("The link goes to registered participants"))
        XCTAssertTrue(page.contains("SKR, also online"), "where, without the link")
        assertNoJoinLink(try await visitor.get("/meetings/\(id)/calendar.ics").body.string, "the public .ics")
        assertNoJoinLink(try await visitor.get("/collaborations/\(slug)/calendar.ics").body.string, "the public feed")
        let publicJSON = try await json(nil, .GET, "/api/v1/meetings/\(id)")
        XCTAssertEqual(publicJSON.status, .ok)
        XCTAssertEqual(publicJSON.json["mode"] as? String, "hybrid")
        assertNoJoinLink(publicJSON.body.string, "the public JSON")
        assertNoJoinLink(
            try await json(nil, .GET, "/api/v1/collaborations/\(slug)/meetings").body.string, "the meeting list")
        let invitations = try await OutboxMessage.query(on: app.db).filter(\.$subject ~~ "Hybridmöte").all()
        XCTAssertEqual(invitations.count, 14)
        for mail in invitations { assertNoJoinLink(mail.body + (mail.attachment ?? ""), "an invitation") }
        for token in [outsider!, stockholmCoordinator!] {
            assertNoJoinLink(
                try await json(token, .GET, "/api/v1/meetings/\(id)").body.string,
                "a coordinator who has not registered, of another or of an invited municipality")
        }

        // Those who run it see it.
        let forOrganiser = try await json(organiser, .GET, "/api/v1/meetings/\(id)")
        XCTAssertEqual(forOrganiser.json["onlineURL"] as? String, Self.joinLink)
        XCTAssertEqual(forOrganiser.json["dialIn"] as? String, Self.dialIn)

        // Stockholm's school chief signs in and registers: the link is theirs now, everywhere.
        try await makeUser(app, email: "skolchef.0180@example.se")
        let chief = Client(app)
        try await chief.signIn("skolchef.0180@example.se", "correct horse battery")
        let before = try await chief.get("/meetings/\(id)").body.string
        assertNoJoinLink(before, "invited but not yet registered")
        let registered = try await chief.post("/meetings/\(id)/register", form: [:])
        XCTAssertEqual(registered.status, .seeOther)
        let after = try await chief.get("/meetings/\(id)").body.string
        XCTAssertTrue(after.contains(#"href="\#(Self.joinLink)""#), after)
        XCTAssertTrue(after.contains(Self.dialIn))
        let ics = try await chief.get("/meetings/\(id)/calendar.ics").body.string
        XCTAssertTrue(unfolded(ics).contains("secret-7f3a"), ics)
        let confirmation = try await OutboxMessage.query(on: app.db)
            .filter(\.$recipient == "skolchef.0180@example.se").filter(\.$subject ~~ "Anmäld").first()
        let mail = try XCTUnwrap(confirmation)
        XCTAssertTrue(mail.body.contains("Delta digitalt: \(Self.joinLink)"), mail.body)
        XCTAssertTrue(mail.body.contains(Self.dialIn))
        XCTAssertTrue(unfolded(mail.attachment ?? "").contains("secret-7f3a"), "the calendar entry of the e-mail")
        let feedMade = try await chief.post("/me/calendar-feed", form: [:])
        XCTAssertEqual(feedMade.status, .seeOther)
        let mine = try await chief.get("/me/meetings").body.string
        let feedPath = try XCTUnwrap(
            mine.range(of: #"/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression).map { String(mine[$0]) })
        let ownFeed = unfolded(try await send(app, .GET, feedPath).body.string)
        XCTAssertTrue(ownFeed.contains("secret-7f3a"), "the own feed")
        // The visitor's kept page did not become the registered person's, nor the other way round.
        assertNoJoinLink(try await visitor.get("/meetings/\(id)").body.string, "the public page after a registration")

        // The meeting is full: the next one waits, and waiting does not let them in.
        try await makeUser(app, email: "skolchef.1480@example.se")
        let waiting = Client(app)
        try await waiting.signIn("skolchef.1480@example.se", "correct horse battery")
        let queued = try await waiting.post("/meetings/\(id)/register", form: [:])
        XCTAssertEqual(queued.status, .seeOther)
        let status = try await Attendance.query(on: app.db).filter(\.$personID == people["Skolchef 1480"]!.id!).first()
        XCTAssertEqual(status?.status, "waitlisted")
        assertNoJoinLink(try await waiting.get("/meetings/\(id)").body.string, "the waiting list's page")
        let notice = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "skolchef.1480@example.se")
            .filter(\.$subject ~~ "Väntelista").first()
        let waitlisted = try XCTUnwrap(notice)
        assertNoJoinLink(waitlisted.body + (waitlisted.attachment ?? ""), "the waiting-list notice")

        // The chief cancels: the one waiting moves up and gets the link with the news.
        let cancelled = try await chief.post("/meetings/\(id)/cancel", form: [:])
        XCTAssertEqual(cancelled.status, .seeOther)
        assertNoJoinLink(try await chief.get("/meetings/\(id)").body.string, "a cancelled registration")
        let promoted = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "skolchef.1480@example.se")
            .filter(\.$subject ~~ "Du har fått en plats").first()
        XCTAssertTrue(try XCTUnwrap(promoted).body.contains(Self.joinLink), promoted?.body ?? "")
        let promotedPage = try await waiting.get("/meetings/\(id)").body.string
        XCTAssertTrue(promotedPage.contains(Self.joinLink))
    }

    func testModesAreCheckedAndCheckInTellsOnlineFromTheRoom() async throws {
        let path = "/api/v1/collaborations/\(slug)/meetings"
        let times = #""startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00""#
        let linkInRoom = try await json(
            organiser, .POST, path,
            #"{"title":"Möte",\#(times),"mode":"in_person","onlineURL":"\#(Self.joinLink)","dialIn":"123"}"#)
        XCTAssertEqual(linkInRoom.status, .unprocessableEntity)
        XCTAssertEqual(Set(fieldErrors(linkInRoom)), ["onlineURL", "dialIn"])
        let unknown = try await json(organiser, .POST, path, #"{"title":"Möte",\#(times),"mode":"zoom"}"#)
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(unknown), ["mode"])
        let meetings = try await Meeting.query(on: app.db).count()
        XCTAssertEqual(meetings, 0, "nothing half written")
        // Without a mode: a link alone makes it online, a link and a place hybrid.
        let online = try await createMeeting(#""title":"Webbinarium",\#(times),"onlineURL":"\#(Self.joinLink)""#)
        XCTAssertEqual(online["mode"] as? String, "online")
        let onlineID = meetingID(online)
        let plainID = meetingID(try await createMeeting(#""title":"Fysiskt",\#(times),"venueName":"SKR""#))

        let hybridID = try await publishedHybridMeeting()
        for id in [onlineID, plainID] {
            _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        }
        let chief = people["Skolchef 0180"]!.id!.uuidString
        for id in [hybridID, onlineID, plainID] {
            let r = try await json(organiser, .POST, "/api/v1/meetings/\(id)/attendees", #"{"personID":"\#(chief)"}"#)
            XCTAssertEqual(r.status, .created, r.body.string)
        }
        // In person: nobody is online.
        let inRoomOnline = try await json(
            organiser, .POST, "/api/v1/meetings/\(plainID)/attendees/\(chief)/check-in", #"{"online":true}"#)
        XCTAssertEqual(inRoomOnline.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(inRoomOnline), ["online"])
        // Online: everyone is.
        let webinar = try await json(organiser, .POST, "/api/v1/meetings/\(onlineID)/attendees/\(chief)/check-in", "{}")
        XCTAssertEqual(webinar.json["checkedInOnline"] as? Bool, true)
        // Hybrid: the desk says which; the attendance page offers both.
        let desk = Client(app)
        try await desk.signIn("samordnare@skr.se", "correct horse battery")
        let list = try await desk.get("/meetings/\(hybridID)/attendance", headers: ["Accept-Language": "en"])
        XCTAssertTrue(list.body.string.contains(#"name="place" value="room""#), list.body.string)
        XCTAssertTrue(list.body.string.contains(#"name="place" value="online""#))
        let checked = try await desk.post(
            "/meetings/\(hybridID)/attendance/\(chief)/check-in", form: ["arrived": "yes", "place": "online"])
        XCTAssertEqual(checked.status, .seeOther)
        let after = try await desk.get("/meetings/\(hybridID)/attendance", headers: ["Accept-Language": "en"])
        XCTAssertTrue(after.body.string.contains(", online"), after.body.string)
        let attendees = try await json(organiser, .GET, "/api/v1/meetings/\(hybridID)/attendees")
        let row = (attendees.json["attendees"] as? [[String: Any]])?.first
        XCTAssertEqual(row?["checkedInOnline"] as? Bool, true)
        let csv = try await desk.get("/meetings/\(hybridID)/attendance/export.csv")
        XCTAssertTrue(csv.body.string.contains("checked_in_online"), csv.body.string)
    }
}
