import Foundation
@testable import SamradServer
import Vapor
import XCTest

/// With several instances each scheduled run is done by one: the lease decides, also when many ask
/// at once and when the holder dies.
final class JobLeaseTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func testOneInstanceTakesADueJobAndAnotherTakesItOverWhenTheLeaseRunsOut() async throws {
        let start = Date()
        let a = try await JobLease.take(.reminders, holder: "a", lease: 60, now: start, on: app.db)
        XCTAssertTrue(a, "a due job nobody holds")
        let b = try await JobLease.take(
            .reminders, holder: "b", lease: 60, now: start.addingTimeInterval(30), on: app.db)
        XCTAssertFalse(b, "held by a")
        // a dies without giving the lease back: after the lease, b takes the job over.
        let later = try await JobLease.take(
            .reminders, holder: "b", lease: 60, now: start.addingTimeInterval(61), on: app.db)
        XCTAssertTrue(later)
        // a, come back, cannot give back b's lease.
        try await JobLease.finish(.reminders, holder: "a", now: start.addingTimeInterval(62), on: app.db)
        let stillB = try await JobLease.take(
            .reminders, holder: "c", lease: 60, now: start.addingTimeInterval(63), on: app.db)
        XCTAssertFalse(stillB)
        // b finishes: the next run is an interval later, then anybody may take it.
        try await JobLease.finish(.reminders, holder: "b", now: start.addingTimeInterval(70), on: app.db)
        let early = try await JobLease.take(
            .reminders, holder: "c", lease: 60, now: start.addingTimeInterval(71), on: app.db)
        XCTAssertFalse(early, "not due before the interval")
        let due = try await JobLease.take(
            .reminders, holder: "c", lease: 60, now: start.addingTimeInterval(70 + ScheduledJob.reminders.interval),
            on: app.db)
        XCTAssertTrue(due)
    }

    func testManyAskingAtOnceOneRuns() async throws {
        let db = app.db
        let runs = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    try await JobLease.run(.reminders, holder: "instance-\(i)", lease: 60, on: db) {
                        try await Task.sleep(nanoseconds: 50_000_000)
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(runs, 1)
    }

    func testARunLongerThanItsLeaseKeepsIt() async throws {
        let db = app.db
        async let running = JobLease.run(.reminders, holder: "slow", lease: 0.6, on: db) {
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
        try await Task.sleep(nanoseconds: 1_200_000_000)
        let other = try await JobLease.take(.reminders, holder: "other", lease: 0.6, on: db)
        XCTAssertFalse(other, "the slow run renewed its lease")
        let ran = try await running
        XCTAssertTrue(ran)
        let renewedByGone = try await JobLease.renew(.reminders, holder: "slow", lease: 60, on: db)
        XCTAssertFalse(renewedByGone, "a finished run holds nothing")
    }
}
