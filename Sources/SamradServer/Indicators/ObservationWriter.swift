import Fluent
import Foundation
import SamradCore
import SQLiteKit
import SQLKit

/// Writes observations in bulk: a value already there for the same indicator, unit, year and scope
/// is replaced, so importing a corrected file again changes the values, not the count. The caller
/// holds the transaction, so a failure leaves nothing half written.
enum ObservationWriter {
    /// Rows per statement on SQLite: ten binds a row stays under its 32,766.
    static let rowsPerStatement = 3_000
    static let columns = [
        "indicator", "level", "country", "unit_code", "year", "scope", "value", "status", "pupils", "import_id",
    ]

    /// `keeping`: imports whose values stay (the shipped official statistics): a file's value for
    /// the same indicator, unit and year is not written over them.
    static func write(
        _ observations: [Observation], scope: String, importID: UUID?, keeping: [UUID] = [], on db: any Database,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        if let lite = db.sqlite {
            try await writeSQLite(
                observations, scope: scope, importID: importID, keeping: keeping, on: lite, progress: progress)
            return
        }
        let guarded: SQLQueryString =
            keeping.isEmpty
            ? ""
            : """
             WHERE observations.import_id IS NULL OR observations.import_id NOT IN
                 (\(binds: keeping.map { $0 as any Encodable & Sendable }))
            """
        // On PostgreSQL a chunk goes as one array per column, unnested into rows: ten binds per
        // statement instead of ten per row. Arrays hold no nulls here, so a missing value travels
        // as NaN and an unknown pupil count as -1.
        let sql = db.sql
        var written = 0
        for chunk in observations.chunked(50_000) {
            let rows = Array(chunk)
            try await sql.raw(
                """
                INSERT INTO observations (indicator, level, country, unit_code, year, scope, value, status, pupils,
                    import_id)
                SELECT t.i, t.l, t.c, t.u, t.y, \(bind: scope), NULLIF(t.v, 'NaN'::float8), t.s, NULLIF(t.p, -1),
                    \(bind: importID)
                FROM unnest(\(bind: rows.map(\.indicator))::text[], \(bind: rows.map(\.unit.level.rawValue))::text[],
                    \(bind: rows.map(\.unit.country.rawValue))::text[],
                            \(bind: rows.map(\.unit.code))::text[], \(bind: rows.map(\.year))::bigint[],
                                \(bind: rows.map { $0.value ?? .nan })::float8[],
                            \(bind: rows.map(\.status.rawValue))::text[],
                                \(bind: rows.map { $0.pupils ?? -1 })::bigint[]) AS t(i, l, c, u, y, v, s, p)
                ON CONFLICT (indicator, level, country, unit_code, year, scope)
                DO UPDATE SET value = excluded.value, status = excluded.status, pupils = excluded.pupils, import_id =
                    excluded.import_id\(guarded)
                """
            ).run()
            written += rows.count
            progress(written)
        }
    }

    /// On SQLite the values go to the connection as they are: encoding ten million binds through
    /// SQLKit's Encodable path cost more than SQLite's own work (measured: 18 s for a million rows).
    static func writeSQLite(
        _ observations: [Observation], scope: String, importID: UUID?, keeping: [UUID], on lite: any SQLiteDatabase,
        progress: @escaping @Sendable (Int) -> Void
    ) async throws {
        // Import ids are written here as text, and compared as text.
        let kept = keeping.map { "'\($0.uuidString)'" }.joined(separator: ",")
        func statement(_ rows: Int) -> String {
            let row = "(?,?,?,?,?,?,?,?,?,?)"
            return "INSERT INTO observations (\(columns.joined(separator: ","))) VALUES "
                + Array(repeating: row, count: rows).joined(separator: ",")
                + " ON CONFLICT (indicator, level, country, unit_code, year, scope) DO UPDATE SET value = "
                    + "excluded.value, status = excluded.status,"
                + " pupils = excluded.pupils, import_id = excluded.import_id"
                + (kept.isEmpty
                    ? ""
                    : " WHERE observations.import_id IS NULL"
                        + " OR observations.import_id NOT IN (\(kept))")
        }
        let full = statement(rowsPerStatement)
        let scopeData = SQLiteData.text(scope)
        let importData = importID.map { SQLiteData.text($0.uuidString) } ?? .null
        try await lite.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var written = 0
                for chunk in observations.chunked(rowsPerStatement) {
                    var binds: [SQLiteData] = []
                    binds.reserveCapacity(chunk.count * columns.count)
                    for o in chunk {
                        binds.append(.text(o.indicator))
                        binds.append(.text(o.unit.level.rawValue))
                        binds.append(.text(o.unit.country.rawValue))
                        binds.append(.text(o.unit.code))
                        binds.append(.integer(o.year))
                        binds.append(scopeData)
                        binds.append(o.value.map { .float($0) } ?? .null)
                        binds.append(.text(o.status.rawValue))
                        binds.append(o.pupils.map { .integer($0) } ?? .null)
                        binds.append(importData)
                    }
                    _ = try await connection.query(
                        chunk.count == rowsPerStatement ? full : statement(chunk.count), binds)
                    written += chunk.count
                    progress(written)
                }
            }
        }.get()
    }
}

extension ObservationWriter {
    /// How many values carry this import's id: those it wrote, not those it had to leave.
    static func written(by importID: UUID, on db: any Database) async throws -> Int {
        struct Count: Decodable { var n: Int }
        let sql = db.sql
        let id: any Encodable & Sendable = db.sqlite != nil ? importID.uuidString : importID
        return try await sql.raw("SELECT COUNT(*) AS n FROM observations WHERE import_id = \(bind: id)")
            .first(decoding: Count.self)?.n ?? 0
    }

    /// The shipped data set's imports, whose values a file does not replace.
    static func shippedImports(on db: any Database) async throws -> [UUID] {
        try await ObservationImportRecord.query(on: db).filter(\.$format == "shipped").all(\.$id)
    }
}
