import Fluent
import Foundation
import SamradCore
import SQLKit

/// Materials a person wrote or is named in: exported; on erasure the material stays (it may be
/// published, with the consent given) with the pseudonym in place of the name, and is indexed again.
extension KnowledgeFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "knowledge", purpose: "knowledge", categories: [.identity, .contact,
            .contributions], retention: .untilErased)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let names = export.subject.names
        let sql = db.sql
        let find = SQLRaw(sql.isPostgres ? "strpos" : "instr")
        let mentions = names.map { name in
            SQLQueryString("\(find)(CAST(authors AS TEXT), \(bind: name)) > 0")
        }
        var condition = SQLQueryString("created_by = \(bind: export.subject.userID)")
        for mention in mentions { condition = condition + " OR " + mention }
        try await export.table(
            "knowledge_materials", "Materials in the knowledge bank you wrote or are named as an author of.",
            query: """
                SELECT title, kind, status, visibility, CAST(authors AS TEXT) AS authors, contact, summary, body,
                    submitted_at, published_at, created_at
                FROM knowledge_materials WHERE \(condition) ORDER BY created_at
                """, on: db)
        try await export.table(
            "material_feedback", "Feedback you gave on materials of your collaborations.",
            query: """
                SELECT m.title AS material, f.body, f.created_at FROM material_feedback f
                JOIN knowledge_materials m ON m.id = f.material_id
                WHERE f.author_id = \(bind: export.subject.userID) ORDER BY f.created_at
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        _ = try await erasure.replace(in: "material_feedback", columns: ["author_name", "body"], on: db)
        let columns = ["title", "summary", "body", "body_text", "contact", "authors"]
        guard try await erasure.replace(in: "knowledge_materials", columns: columns, on: db) > 0 else { return }
        let named = try await KnowledgeMaterial.query(on: db).group(.or) { either in
            either.filter(\.$title ~~ erasure.pseudonym).filter(\.$summary ~~ erasure.pseudonym)
                .filter(\.$body ~~ erasure.pseudonym)
        }.all()
        for material in named { try await KnowledgeSearch.index(material, on: db) }
    }
}
