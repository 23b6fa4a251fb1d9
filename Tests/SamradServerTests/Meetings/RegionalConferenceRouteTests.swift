import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// A regional conference invites the chosen positions of one country or region only, with a quota
/// per municipality (issue 26, case 2): Skåne's school leaders are invited and may register,
/// Stockholm's are not.
extension MeetingRouteTests {
    func testARegionalConferenceInvitesTheChosenPositionsOfItsRegionOnly() async throws {
        let path = "/api/v1/collaborations/\(slug)/meetings"
        let base = #""title":"Regional konferens Skåne","kind":"conference","startsAt":"2028-03-10T09:00","#
            + #""endsAt":"2028-03-10T16:00","venueName":"Malmö Live""#
        // An area that does not exist, and an area for an audience that is not open, are named.
        let unknown = try await json(
            organiser, .POST, path,
            "{\(base),\"audience\":\"open\",\"audiencePositions\":[\"school_leader\"],\"audienceArea\":\"se/99\"}")
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(unknown), ["audienceArea"])
        let seats = try await json(
            organiser, .POST, path, "{\(base),\"audience\":\"seats\",\"audienceArea\":\"se/12\"}")
        XCTAssertEqual(fieldErrors(seats), ["audienceArea"])

        let malmo = try await person("Rektor Malmö", "1280", .schoolLeader)
        let helsingborg = try await person("Rektor Helsingborg", "1283", .schoolLeader)
        let stockholm = try await person("Rektor Stockholm", "0180", .schoolLeader)
        let created = try await createMeeting(
            "\(base),\"audience\":\"open\",\"audiencePositions\":[\"school_leader\"],\"audienceArea\":\"se/12\","
                + "\"quota\":1")
        XCTAssertEqual(created["audienceArea"] as? String, "se/12")
        let id = meetingID(created)
        let published = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)

        let invited = Set(
            try await OutboxMessage.query(on: app.db).filter(\.$subject ~~ "Regional konferens Skåne").all()
                .map(\.recipient))
        XCTAssertTrue(invited.contains(malmo.email!) && invited.contains(helsingborg.email!), "\(invited)")
        XCTAssertFalse(invited.contains(stockholm.email!), "Stockholm is not in Skåne")
        XCTAssertFalse(invited.contains("skolchef.1280@example.se"), "school leaders only")

        let page = try await Client(app).get("/meetings/\(id)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("Open to: School leader in Skåne län"), page.body.string)

        // Stockholm's school leader may not register; Malmö's may, once (the quota).
        try await makeUser(app, email: stockholm.email!)
        let fromStockholm = Client(app)
        try await fromStockholm.signIn(stockholm.email!, "correct horse battery")
        let refused = try await fromStockholm.get("/meetings/\(id)", headers: ["Accept-Language": "en"])
        XCTAssertFalse(refused.body.string.contains(#"id="register""#), "no button")
        _ = try await fromStockholm.post("/meetings/\(id)/register", form: [:])
        let fromMalmo = Client(app)
        try await makeUser(app, email: malmo.email!)
        try await fromMalmo.signIn(malmo.email!, "correct horse battery")
        let open = try await fromMalmo.get("/meetings/\(id)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(open.body.string.contains(#"id="register""#), open.body.string)
        let registered = try await fromMalmo.post("/meetings/\(id)/register", form: [:])
        XCTAssertEqual(registered.status, .seeOther)
        let attendances = try await Attendance.query(on: app.db).filter(\.$meetingID == UUID(uuidString: id)!).all()
        XCTAssertEqual(attendances.map(\.personID), [malmo.id!])
        let secondFromMalmo = try await person("Biträdande rektor Malmö", "1280", .schoolLeader)
        let second = try await makeToken(app, for: try await makeUser(app, email: secondFromMalmo.email!))
        let quota = try await json(second, .POST, "/api/v1/meetings/\(id)/attendees", "{}")
        XCTAssertEqual(quota.status, .conflict, "one per municipality: \(quota.body.string)")
    }
}
