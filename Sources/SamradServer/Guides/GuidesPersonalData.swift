import Fluent
import Foundation
import SamradCore
import SQLKit

/// Local dialogues a person recorded or took part in: exported; names in them give way to the
/// pseudonym on erasure (done by the erasure's sweep over every text).
extension GuidesFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "guides", purpose: "dialogues", categories: [.identity, .contributions],
            retention: .untilErased)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let sql = db.sql
        let find = SQLRaw(sql.isPostgres ? "strpos" : "instr")
        var condition = SQLQueryString("d.created_by = \(bind: export.subject.userID)")
        for name in export.subject.names {
            condition = condition + SQLQueryString(" OR \(find)(CAST(d.participants AS TEXT), \(bind: name)) > 0")
        }
        try await export.table(
            "local_dialogues", "Local dialogues you recorded or are named as a participant of.",
            query: """
                SELECT g.title AS guide, d.municipality_country, d.municipality_code, d.held_on, d.committee,
                    CAST(d.participants AS TEXT) AS participants, d.created_at
                FROM local_dialogues d JOIN discussion_guides g ON g.id = d.guide_id WHERE \(condition)
                ORDER BY d.held_on
                """, on: db)
    }
}
