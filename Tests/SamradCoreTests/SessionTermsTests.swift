import Foundation
import XCTest

@testable import SamradCore

final class SessionTermsTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func testASessionEndsWhenIdleOrTooOld() {
        let terms = SessionTerms(lifetime: 8 * 3600, idleTimeout: 30 * 60)
        XCTAssertTrue(terms.isLive(createdAt: start, lastSeenAt: start, now: start.addingTimeInterval(29 * 60)))
        XCTAssertFalse(terms.isLive(createdAt: start, lastSeenAt: start, now: start.addingTimeInterval(30 * 60)))
        let busy = start.addingTimeInterval(8 * 3600 - 60)
        XCTAssertTrue(terms.isLive(createdAt: start, lastSeenAt: busy, now: busy.addingTimeInterval(30)))
        XCTAssertFalse(terms.isLive(createdAt: start, lastSeenAt: busy, now: busy.addingTimeInterval(90)), "lifetime")
    }

    func testTheInstallationsSettings() {
        XCTAssertEqual(SessionTerms(lifetimeHours: nil, idleMinutes: nil), .standard)
        XCTAssertEqual(
            SessionTerms(lifetimeHours: "12", idleMinutes: "45"),
            SessionTerms(lifetime: 12 * 3600, idleTimeout: 45 * 60))
        XCTAssertEqual(SessionTerms(lifetimeHours: "soon", idleMinutes: "-5"), .standard, "unreadable values")
        XCTAssertEqual(
            SessionTerms(lifetimeHours: "1", idleMinutes: "600"), SessionTerms(lifetime: 3600, idleTimeout: 3600),
            "never idle longer than the whole lifetime")
    }
}
