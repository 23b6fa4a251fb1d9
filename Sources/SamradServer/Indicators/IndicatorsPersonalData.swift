import Fluent
import Foundation
import SamradCore
import SQLKit

/// Imports a person ran and their saved column mappings: exported; uploads and mappings go with
/// the account (cascade), the import log keeps its counts without them.
extension IndicatorsFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "indicators", purpose: "indicators", categories: [.contributions],
            retention: .untilErased)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        guard let user = export.subject.userID else { return }
        try await export.table(
            "indicator_imports", "Files of figures you imported.",
            query: """
                SELECT file_name, format, country, level, status, rows, imported, rejected, created_at
                FROM observation_imports WHERE user_id = \(bind: user) ORDER BY created_at
                """, on: db)
    }
}
