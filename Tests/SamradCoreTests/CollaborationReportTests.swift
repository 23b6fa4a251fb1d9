import Foundation
import SamradCore
import XCTest

final class CollaborationReportTests: XCTestCase {
    func testAYearIsReadInTheCollaborationsZoneAndABadYearIsNamed() throws {
        XCTAssertEqual(try ReportPeriod.parse(nil), .whole)
        XCTAssertEqual(try ReportPeriod.parse(" "), .whole)
        XCTAssertEqual(try ReportPeriod.parse("2015"), .year(2015))
        for bad in ["tjugo", "15", "3000", "2015.5"] {
            XCTAssertThrowsError(try ReportPeriod.parse(bad)) { error in
                XCTAssertEqual((error as? SamradError)?.fieldErrors.map(\.field), ["year"], bad)
            }
        }
        // 23:30 UTC on New Year's Eve is already the new year in Copenhagen, where the meeting was.
        let copenhagen = TimeZone(identifier: "Europe/Copenhagen")!
        let lateNight = ISO8601DateFormatter().date(from: "2015-12-31T23:30:00Z")!
        XCTAssertTrue(ReportPeriod.year(2016).contains(lateNight, zone: copenhagen))
        XCTAssertFalse(ReportPeriod.year(2015).contains(lateNight, zone: copenhagen))
        XCTAssertTrue(ReportPeriod.whole.contains(lateNight, zone: copenhagen))
        XCTAssertTrue(ReportPeriod.year(2015).contains(day: "2015-06-01"))
        XCTAssertFalse(ReportPeriod.year(2015).contains(day: "2016-01-01"))
    }

    func testTheYearsOfferedRunFromThePeriodOrTheMeetings() {
        XCTAssertEqual(
            ReportPeriod.years(periodStart: "2014-05-01", periodEnd: "2015-12-31", meetingYears: []), [2015, 2014])
        XCTAssertEqual(
            ReportPeriod.years(periodStart: "2014-05-01", periodEnd: nil, meetingYears: [2016, 2014]),
            [2016, 2015, 2014])
        XCTAssertEqual(ReportPeriod.years(periodStart: nil, periodEnd: nil, meetingYears: []), [])
    }

    func testAttendanceAndCommitmentsAreCountedAsTheReportSaysThem() {
        let total = AttendanceTally(registered: 3, checkedIn: 2) + AttendanceTally(registered: 1, checkedIn: 1)
        XCTAssertEqual(total, AttendanceTally(registered: 4, checkedIn: 3))
        XCTAssertEqual(total.rate, 0.75)
        XCTAssertNil(AttendanceTally().rate, "no share of nobody")
        var kept = CommitmentTally()
        kept.add(done: true, dueDate: "2015-01-01", today: "2015-06-01")
        kept.add(done: false, dueDate: "2015-05-31", today: "2015-06-01")
        kept.add(done: false, dueDate: "2015-06-01", today: "2015-06-01")
        kept.add(done: false, dueDate: nil, today: "2015-06-01")
        XCTAssertEqual([kept.total, kept.done, kept.open, kept.overdue], [4, 1, 3, 1], "due today is not yet overdue")
        let both = kept + kept
        XCTAssertEqual([both.total, both.done, both.open, both.overdue], [8, 2, 6, 2])
    }
}
