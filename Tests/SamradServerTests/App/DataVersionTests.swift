import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest

/// The data version that labels conditional answers: every table but the technical ones carries
/// its triggers (also tables added later), a change to content moves it once per transaction, a
/// renewed lease does not.
final class DataVersionTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func testEveryTableButTheTechnicalOnesCarriesTheTriggers() async throws {
        let sql = app.db.sql
        let tables = try await DataVersion.versionedTables(sql)
        XCTAssertTrue(tables.contains("meetings"))
        XCTAssertTrue(tables.contains("people"))
        XCTAssertFalse(tables.contains("web_sessions"))
        XCTAssertFalse(tables.contains { $0.contains("_fts_") }, "full-text indexes follow their tables")
        let triggers = Set(try await DataVersion.triggers(sql))
        for table in tables {
            if sql.isPostgres {
                XCTAssertTrue(triggers.contains("samrad_version_\(table)"), table)
            } else {
                for operation in ["insert", "update", "delete"] {
                    XCTAssertTrue(triggers.contains("samrad_version_\(table)_\(operation)"), "\(table) \(operation)")
                }
            }
        }
        XCTAssertFalse(triggers.contains { $0.hasPrefix("samrad_version_web_sessions") })

        // A table that comes later gets them at the next start; installing twice adds nothing.
        try await sql.raw("CREATE TABLE later_table (id INTEGER PRIMARY KEY, name TEXT)").run()
        try await DataVersion.install(on: app.db)
        try await DataVersion.install(on: app.db)
        let before = try await DataVersion.current(on: app.db)
        try await sql.raw("INSERT INTO later_table (id, name) VALUES (1, 'Lund')").run()
        let after = try await DataVersion.current(on: app.db)
        XCTAssertEqual(after.number, before.number + 1)
    }

    func testAChangeMovesTheVersionOnceAndALeaseDoesNot() async throws {
        let sql = app.db.sql
        let start = try await DataVersion.current(on: app.db)
        try await sql.raw("""
            INSERT INTO job_leases (name, next_run_at) VALUES ('outbox', \(bind: Date()))
            """).run()
        let afterLease = try await DataVersion.current(on: app.db)
        XCTAssertEqual(afterLease.number, start.number, "a lease is not content")

        // Three organisations in one transaction: one step on PostgreSQL, one per row on SQLite;
        // either way the number grows and the time is now.
        try await app.db.transaction { db in
            for name in ["KL", "SKR", "BKF"] {
                let organisation = Organisation()
                organisation.name = name
                organisation.kind = "association"
                organisation.isExample = false
                try await organisation.create(on: db)
            }
        }
        let afterChange = try await DataVersion.current(on: app.db)
        XCTAssertEqual(afterChange.number, start.number + (sql.isPostgres ? 1 : 3))
        XCTAssertEqual(afterChange.changedAt, Date().timeIntervalSince1970, accuracy: 60)
    }

    func testLastModifiedNeverPromisesASecondNotYetOver() {
        let stamp = DataVersion.Stamp(number: 7, changedAt: 1_000.4)
        func lastModified(at now: Double) -> Double {
            ConditionalGET.lastModified(stamp, now: Date(timeIntervalSince1970: now)).timeIntervalSince1970
        }
        XCTAssertEqual(lastModified(at: 1_000.9), 1_000, "still in the second of the change")
        XCTAssertEqual(lastModified(at: 1_005), 1_001)
        let date = ConditionalGET.httpDate(Date(timeIntervalSince1970: 1_796_515_200))
        XCTAssertEqual(date, "Sun, 06 Dec 2026 00:00:00 GMT")
    }

    func testKeptAnswersStayWithinTheirBytesAndGoWithANewVersion() {
        let kept = KeptAnswers(maxBytes: 8_000)
        func answer(_ bytes: Int) -> KeptAnswers.Answer {
            KeptAnswers.Answer(body: ByteBuffer(repeating: 0x41, count: bytes), headers: [:])
        }
        kept.keep("\"5-a\"", version: 5, answer(900))
        kept.keep("\"5-b\"", version: 5, answer(900))
        XCTAssertEqual(kept.count, 2)
        kept.keep("\"5-huge\"", version: 5, answer(2_000))
        XCTAssertNil(kept.answer("\"5-huge\""), "one answer takes at most an eighth")
        for index in 0..<20 { kept.keep("\"5-\(index)\"", version: 5, answer(900)) }
        XCTAssertLessThanOrEqual(kept.count, 8)
        XCTAssertNil(kept.answer("\"5-a\""), "the oldest went first")
        XCTAssertNotNil(kept.answer("\"5-19\""))
        kept.keep("\"4-old\"", version: 4, answer(10))
        XCTAssertNil(kept.answer("\"4-old\""), "an answer read before the last change is not kept")
        kept.keep("\"6-a\"", version: 6, answer(10))
        XCTAssertEqual(kept.count, 1, "a newer version clears the older answers")
    }

    /// After a burst, what glibc keeps in its arenas goes back to the system (issue 25's memory aim).
    func testFreedMemoryIsGivenBack() {
        #if os(Linux)
            XCTAssertTrue(ScheduledWork.givesBackFreedMemory, "malloc_trim found")
        #endif
        ScheduledWork.giveBackFreedMemory()
    }
}
