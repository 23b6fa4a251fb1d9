import Fluent
@testable import SamradServer
import XCTest

/// The features plug themselves in; these pin what the composition root makes of them.
final class FeatureTests: XCTestCase {
    func testMigrationsKeepTheirOneOrderAcrossFeatures() {
        let names = SamradApp.migrations.map(\.name)
        let last = names.compactMap(MigrationOrder.number).max() ?? 0
        XCTAssertGreaterThanOrEqual(last, 22)
        let numbered = (1...last).map { n in names.first { MigrationOrder.number($0) == n } }
        XCTAssertFalse(numbered.contains(nil), "every number from M001 to the last is there once: \(names)")
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names.compactMap(MigrationOrder.number), Array(1...last))
        // Fluent's session table comes after the accounts and before M017, which empties it.
        let sessions = names.firstIndex { MigrationOrder.number($0) == nil }!
        XCTAssertEqual(names[sessions - 1], "M002Accounts")
        XCTAssertEqual(names[sessions + 1], "M003People")
    }

    func testAnUnnumberedMigrationFollowsTheOneBeforeItInItsFeature() {
        struct Named: Migration {
            var name: String
            func prepare(on database: any Database) -> EventLoopFuture<Void> {
                database.eventLoop.makeSucceededVoidFuture()
            }
            func revert(on database: any Database) -> EventLoopFuture<Void> {
                database.eventLoop.makeSucceededVoidFuture()
            }
        }
        struct One: Feature { var migrations: [any Migration] { [Named(name: "M003C"), Named(name: "extra")] } }
        struct Two: Feature { var migrations: [any Migration] { [Named(name: "M001A"), Named(name: "M004D")] } }
        XCTAssertEqual(MigrationOrder.ordered([One(), Two()]).map(\.name), ["M001A", "M003C", "extra", "M004D"])
    }

    func testEveryFeatureIsListedOnceAndTheRemindersShareOneLease() {
        let names = SamradApp.features.map { String(describing: type(of: $0)) }
        XCTAssertEqual(Set(names).count, names.count)
        let tasks = SamradApp.features.flatMap(\.scheduled)
        XCTAssertEqual(
            tasks.filter { $0.lease == .reminders }.count, 6,
            "invitations, meetings, questionnaires, meeting evaluations, commitments coming due, notice digests")
        XCTAssertEqual(tasks.filter { $0.lease == .sessionPurge }.count, 1)
        XCTAssertEqual(tasks.filter { $0.lease == nil }.count, 1, "newsletters claim their rows themselves")
    }
}
