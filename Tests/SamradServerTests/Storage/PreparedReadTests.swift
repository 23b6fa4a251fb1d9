import Fluent
import Foundation
@testable import SamradServer
import SQLKit
import Vapor
import XCTest

/// The reads every request makes are prepared once per PostgreSQL connection and give the same rows
/// as the ordinary statement; on SQLite they are ordinary statements with binds.
final class PreparedReadTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    private struct Pair: PreparedRead {
        static let sql = "SELECT name FROM organisations WHERE name = $1 OR name = $2 ORDER BY name"
        var values: [String]
    }

    func testEachNumberedValueBecomesABindInOrder() throws {
        let query = app.db.sql.serialize(Pair(values: ["KL", "SKR"]).sqlQuery)
        XCTAssertEqual(query.binds.count, 2)
        XCTAssertEqual(query.binds.map { "\($0)" }, ["KL", "SKR"])
        let placeholders = [1, 2].map { app.db.sql.serialize(app.db.sql.dialect.bindPlaceholder(at: $0)).sql }
        XCTAssertEqual(
            query.sql,
            "SELECT name FROM organisations WHERE name = \(placeholders[0]) OR name = \(placeholders[1]) ORDER BY name")
    }

    func testAPreparedReadGivesTheRowsOfTheStatementAndIsPreparedOncePerConnection() async throws {
        for name in ["KL", "SKR", "BKF"] {
            try await Organisation(name: name, kind: .association, country: .dk).create(on: app.db)
        }
        let names = try await app.db.rows(Pair(values: ["SKR", "KL"])).map {
            try $0.decode(column: "name", as: String.self)
        }
        XCTAssertEqual(names, ["KL", "SKR"])

        let version = try await DataVersion.current(on: app.db)
        let plain = try await app.db.sql.raw("SELECT number FROM data_versions WHERE id = 1").first()
        XCTAssertEqual(version.number, try plain?.decode(column: "number", as: Int64.self))

        guard app.db.sql.isPostgres else { return }
        let prepared = try await app.db.withConnection { db in
            db.eventLoop.makeFutureWithTask {
                for _ in 0..<3 { _ = try await DataVersion.current(on: db) }
                return try await db.sql.raw("SELECT name, statement FROM pg_prepared_statements").all().map {
                    try $0.decode(column: "statement", as: String.self)
                }
            }
        }.get()
        XCTAssertEqual(prepared.filter { $0 == DataVersion.Read.sql }.count, 1, "\(prepared)")
    }
}
