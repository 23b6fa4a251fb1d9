import Fluent
import Foundation
import SamradCore

/// Clusters a person facilitates: exported; the facilitator stays as the pseudonymised record.
extension ClustersFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "clusters", purpose: "clusters", categories: [.identity, .roles],
            retention: .afterCollaboration)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        guard let id = export.subject.personID else { return }
        try await export.table(
            "clusters_facilitated", "Clusters you facilitate.",
            query: """
                SELECT c.title AS collaboration, k.name AS cluster FROM clusters k
                JOIN collaborations c ON c.id = k.collaboration_id WHERE k.facilitator_id = \(bind: id)
                """, on: db)
    }
}
