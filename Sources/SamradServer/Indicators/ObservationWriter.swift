import Fluent
import Foundation
import SamradCore
import SQLKit

/// Writes observations in bulk: a value already there for the same indicator, unit, year and scope
/// is replaced, so importing a corrected file again changes the values, not the count. The caller
/// holds the transaction, so a failure leaves nothing half written.
enum ObservationWriter {
    /// Rows per statement: nine binds a row stays under SQLite's 32,766 and PostgreSQL's 65,535.
    static let rowsPerStatement = 3_000

    static func write(_ observations: [Observation], scope: String, importID: UUID?, on db: any Database,
                      progress: (Int) -> Void = { _ in }) async throws {
        let sql = db as! any SQLDatabase
        var written = 0
        for chunk in observations.chunked(rowsPerStatement) {
            var insert = sql.insert(into: "observations")
                .columns("indicator", "level", "country", "unit_code", "year", "scope", "value", "status", "pupils", "import_id")
            for o in chunk {
                insert = insert.values(SQLBind(o.indicator), SQLBind(o.unit.level.rawValue), SQLBind(o.unit.country.rawValue), SQLBind(o.unit.code),
                                       SQLBind(o.year), SQLBind(scope), SQLBind(o.value), SQLBind(o.status.rawValue), SQLBind(o.pupils), SQLBind(importID))
            }
            try await insert.onConflict(with: ["indicator", "level", "country", "unit_code", "year", "scope"]) { conflict in
                conflict.set(excludedValueOf: "value").set(excludedValueOf: "status").set(excludedValueOf: "pupils").set(excludedValueOf: "import_id")
            }.run()
            written += chunk.count
            progress(written)
        }
    }
}
