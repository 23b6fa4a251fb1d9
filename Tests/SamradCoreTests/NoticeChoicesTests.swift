import XCTest

@testable import SamradCore

final class NoticeChoicesTests: XCTestCase {
    func testTheDigestIsDueTheNextMondayAtSevenInThePersonsCountry() {
        let stockholm = TimeZone(identifier: "Europe/Stockholm")!
        let wednesday = ISO8601DateFormatter().date(from: "2026-12-09T10:00:00Z")!
        XCTAssertEqual(
            WeeklyDigest.due(after: wednesday, zone: stockholm),
            ISO8601DateFormatter().date(from: "2026-12-14T06:00:00Z"))
        let mondayEarly = ISO8601DateFormatter().date(from: "2026-12-14T05:30:00Z")!
        XCTAssertEqual(
            WeeklyDigest.due(after: mondayEarly, zone: stockholm),
            ISO8601DateFormatter().date(from: "2026-12-14T06:00:00Z"))
        let mondayLate = ISO8601DateFormatter().date(from: "2026-12-14T08:00:00Z")!
        XCTAssertEqual(
            WeeklyDigest.due(after: mondayLate, zone: stockholm),
            ISO8601DateFormatter().date(from: "2026-12-21T06:00:00Z"))
        // Summer time: 7 in Stockholm is 5 UTC.
        let june = ISO8601DateFormatter().date(from: "2027-06-02T10:00:00Z")!
        XCTAssertEqual(
            WeeklyDigest.due(after: june, zone: stockholm), ISO8601DateFormatter().date(from: "2027-06-07T05:00:00Z"))
    }

    func testChoicesAreReadPerTopicAndKeepWhatIsNotGiven() throws {
        let read = try NoticeChoices.read(["minutes": "weekly"], current: .standard)
        XCTAssertEqual(read, NoticeChoices(minutes: .weekly, meetingChanged: .immediately, commitmentDue: .weekly))
        let wrong = ["meetingChanged": "daily", "commitmentDue": ""]
        XCTAssertThrowsError(try NoticeChoices.read(wrong, current: .standard)) { error in
            XCTAssertEqual((error as? SamradError)?.fieldErrors.map(\.field), ["meetingChanged", "commitmentDue"])
        }
    }
}
