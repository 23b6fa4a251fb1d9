import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Notices people choose (issue 26): a changed meeting, the minutes out, a commitment coming due;
/// each at once, in the Monday digest, or not at all, as each person chose for themselves.
extension MeetingRouteTests {
    func testEachPersonIsToldOfChangesMinutesAndCommitmentsAsTheyChose() async throws {
        let id = meetingID(
            try await createMeeting(
                #""title":"Nätverksmöte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00""#))
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let (atOnce, weekly, never) = (people["Skolchef 0180"]!, people["Skolchef 1280"]!, people["Skolchef 1283"]!)
        for chief in [atOnce, weekly, never] {
            let r = try await json(
                organiser, .POST, "/api/v1/meetings/\(id)/attendees", #"{"personID":"\#(chief.id!.uuidString)"}"#)
            XCTAssertEqual(r.status, .created, r.body.string)
        }
        // Each chooses for themselves; an account without a person record has nothing to choose.
        let weeklyToken = try await makeToken(
            app, for: try await makeUser(app, email: "chef@malmo.se", personID: weekly.id))
        let neverToken = try await makeToken(
            app, for: try await makeUser(app, email: "chef@lund.se", personID: never.id))
        let standard = try await json(weeklyToken, .GET, "/api/v1/profile/notices")
        XCTAssertEqual(standard.json["commitmentDue"] as? String, "weekly")
        XCTAssertEqual(standard.json["minutes"] as? String, "immediately")
        let wrong = try await json(weeklyToken, .PUT, "/api/v1/profile/notices", #"{"minutes":"daily"}"#)
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(wrong), ["minutes"])
        let chosen = try await json(
            weeklyToken, .PUT, "/api/v1/profile/notices", #"{"minutes":"weekly","meetingChanged":"weekly"}"#)
        XCTAssertEqual(chosen.json["meetingChanged"] as? String, "weekly")
        XCTAssertEqual(chosen.json["commitmentDue"] as? String, "weekly", "a topic not given keeps its choice")
        _ = try await json(
            neverToken, .PUT, "/api/v1/profile/notices",
            #"{"minutes":"never","meetingChanged":"never","commitmentDue":"never"}"#)
        let nobody = try await json(outsider, .GET, "/api/v1/profile/notices")
        XCTAssertEqual(nobody.status, .notFound)
        let visitor = try await json(nil, .GET, "/api/v1/profile/notices")
        XCTAssertEqual(visitor.status, .unauthorized)

        func mails(_ person: Person, _ prefix: String) async throws -> [OutboxMessage] {
            try await OutboxMessage.query(on: app.db).filter(\.$recipient == person.email!).all().filter {
                $0.subject.hasPrefix(prefix)
            }
        }
        // The meeting moves: at once for one, kept for Monday for another, nothing for the third.
        let moved = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)",
            #"{"title":"Nätverksmöte","startsAt":"2027-05-28T13:00","endsAt":"2027-05-28T16:00"}"#)
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        var count = try await mails(atOnce, "Ändrat").count
        XCTAssertEqual(count, 1)
        count = try await mails(weekly, "Ändrat").count + mails(never, "Ändrat").count
        XCTAssertEqual(count, 0)
        let waiting = try await PersonalNotice.query(on: app.db).filter(\.$sentAt == nil).all()
        XCTAssertEqual(waiting.map(\.personID), [weekly.id!])
        XCTAssertTrue(waiting[0].line.hasPrefix("Nätverksmöte har ändrats: nu "), waiting[0].line)
        let due = try XCTUnwrap(waiting[0].digestDue)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Stockholm")!
        XCTAssertEqual(calendar.component(.weekday, from: due), 2, "Monday")
        XCTAssertEqual(calendar.component(.hour, from: due), 7)

        // The minutes: told the first time they are written, not at each correction.
        for text in [#"# Referat\nVi talade om återkoppling."#, #"# Referat\nVi talade om bedömning."#] {
            let r = try await json(organiser, .PUT, "/api/v1/meetings/\(id)/minutes", #"{"minutes":"\#(text)"}"#)
            XCTAssertEqual(r.status, .ok, r.body.string)
        }
        let minutes = try await mails(atOnce, "Protokoll: Nätverksmöte")
        XCTAssertEqual(minutes.count, 1)
        XCTAssertTrue(minutes[0].body.contains("/meetings/\(id)"))
        count = try await mails(never, "Protokoll").count
        XCTAssertEqual(count, 0)

        // A commitment of Malmö due in three days: its seat holder hears of it once, in the digest.
        let inThreeDays = DateText.isoDay(Date().addingTimeInterval(3 * 86_400), zone: "Europe/Copenhagen")
        let commitment = try await json(
            organiser, .POST, "/api/v1/meetings/\(id)/commitments",
            #"{"municipality":"se/1280","text":"Pröva exit tickets","owner":"Rektor","dueDate":"\#(inThreeDays)"}"#)
        XCTAssertEqual(commitment.status, .created, commitment.body.string)
        var brought = try await CommitmentNotices.sendDue(application: app)
        XCTAssertEqual(brought, 1)
        brought = try await CommitmentNotices.sendDue(application: app)
        XCTAssertEqual(brought, 0, "once")

        // The weekly user's page says what waits; the digest goes on Monday with all three, once.
        _ = try await makeUser(app, email: "web@malmo.se", personID: weekly.id)
        let web = Client(app)
        try await web.signIn("web@malmo.se", "correct horse battery")
        let page = try await web.get("/profile/notices", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("3 notices are waiting for your Monday e-mail."), page.body.string)
        XCTAssertTrue(page.body.string.contains(#"id="meetingChanged-weekly" name="meetingChanged""#))
        let early = try await NoticeDigests.sendDue(application: app, now: due.addingTimeInterval(-60))
        XCTAssertEqual(early, 0)
        let sent = try await NoticeDigests.sendDue(application: app, now: due.addingTimeInterval(8 * 86_400))
        XCTAssertEqual(sent, 1)
        let digest = try await mails(weekly, "Samrad denna vecka: 3 aviseringar")
        XCTAssertEqual(digest.count, 1)
        XCTAssertTrue(digest[0].body.contains("Pröva exit tickets (Malmö) ska vara klart"), digest[0].body)
        XCTAssertTrue(digest[0].body.contains("Protokollet från Nätverksmöte"))
        let again = try await NoticeDigests.sendDue(application: app, now: due.addingTimeInterval(9 * 86_400))
        XCTAssertEqual(again, 0)
        let saved = try await web.post(
            "/profile/notices", form: ["minutes": "never", "meetingChanged": "immediately", "commitmentDue": "weekly"])
        XCTAssertEqual(saved.status, .seeOther)
        let stored = try await PersonalNotices.choices(of: [weekly.id!], on: app.db)[weekly.id!]
        XCTAssertEqual(stored, NoticeChoices(minutes: .never, meetingChanged: .immediately, commitmentDue: .weekly))
    }
}
