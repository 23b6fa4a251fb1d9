import Fluent
import Foundation
import Vapor
@testable import SamradServer
import XCTest

/// Models read from plain rows (`PlainRead`) are the models Fluent reads: every stored property is
/// listed, every value comes back the same, and the model saves as an update afterwards.
final class PlainReadTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func testEveryStoredPropertyIsListed() {
        func check<M: PlainRead>(_ model: M) {
            let stored = model.properties.compactMap { $0 as? any AnyDatabaseProperty }.map { ObjectIdentifier($0) }
            let listed = model.columns.map { ObjectIdentifier($0) }
            XCTAssertEqual(Set(listed), Set(stored), "\(M.self): columns must name each stored property")
            XCTAssertEqual(listed.count, stored.count, "\(M.self): each once")
        }
        check(Meeting())
        check(Collaboration())
        check(Commitment())
        check(Cluster())
        check(Attendance())
        check(Person())
        check(AgendaItem())
        check(Material())
    }

    func testAPlainReadEqualsFluentsAndSavesAsAnUpdate() async throws {
        let network = try await makeNetwork(app, registered: ["0180", "1280"], description: "Om *skolan*")
        let meeting = Meeting()
        meeting.collaborationID = network.collaboration.id!
        meeting.title = "Vårmöte i Lund"
        meeting.description = "Dagordning"
        meeting.kind = "hybrid"
        meeting.status = "published"
        meeting.startsAt = Date(timeIntervalSince1970: 1_800_000_000)
        meeting.endsAt = Date(timeIntervalSince1970: 1_800_007_200)
        meeting.timeZone = "Europe/Stockholm"
        meeting.venueName = "Stadshuset"
        meeting.onlineURL = "https://meet.example.se/x"
        meeting.hostCountry = "se"
        meeting.hostCode = "1281"
        meeting.capacity = 40
        meeting.audience = "positions"
        meeting.audiencePositions = ["school_chief", "politician"]
        meeting.registrationDeadline = Date(timeIntervalSince1970: 1_799_000_000)
        meeting.sequence = 3
        meeting.attendanceSequence = 7
        meeting.minutes = "Protokoll"
        meeting.decisions = ["Beslut 1"]
        try await meeting.create(on: app.db)

        let plainMeeting = try await Meeting.plain(meeting.id!, on: app.db)
        let fluentMeeting = try await Meeting.find(meeting.id!, on: app.db)
        let plainCollaboration = try await Collaboration.plain(
            where: "slug", is: network.collaboration.slug, on: app.db)
        let fluentCollaboration = try await Collaboration.find(network.collaboration.id!, on: app.db)
        let pairs: [(any PlainRead, any PlainRead)] = [
            (try XCTUnwrap(plainMeeting), try XCTUnwrap(fluentMeeting)),
            (try XCTUnwrap(plainCollaboration), try XCTUnwrap(fluentCollaboration)),
        ]
        for (plain, fluent) in pairs {
            let plainValues = plain.columns.map { String(describing: $0.anyValue) }
            let fluentValues = fluent.columns.map { String(describing: $0.anyValue) }
            XCTAssertEqual(plainValues, fluentValues)
            XCTAssertFalse(plain.hasChanges, "read, not changed")
        }
        let missing = try await Meeting.plain(UUID(), on: app.db)
        XCTAssertNil(missing)

        let again = try await Meeting.plain(meeting.id!, on: app.db)
        let read = try XCTUnwrap(again)
        XCTAssertEqual(read.audiencePositions, ["school_chief", "politician"])
        XCTAssertEqual(read.startsAt, meeting.startsAt)
        read.title = "Vårmöte i Lund, nytt rum"
        try await read.save(on: app.db)
        let meetings = try await Meeting.query(on: app.db).all()
        XCTAssertEqual(meetings.map { $0.title }, ["Vårmöte i Lund, nytt rum"], "an update, not a second meeting")
        XCTAssertEqual(meetings.first?.venueName, "Stadshuset")
    }
}
