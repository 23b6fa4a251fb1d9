import Fluent
import Foundation

/// Collaborations by id, for other features' exports that name the collaboration a row belongs to.
struct CollaborationNames {
    let byID: [UUID: Collaboration]

    /// Read once per export.
    static func of(_ export: MunicipalityExport, on db: any Database) async throws -> CollaborationNames {
        try await export.shared("collaborations") {
            CollaborationNames(
                byID: Dictionary(
                    uniqueKeysWithValues: try await Collaboration.query(on: db).all()
                        .map { ($0.id!, $0) }))
        }
    }

    func slug(_ id: UUID) -> String { byID[id]?.slug ?? id.uuidString.lowercased() }
    func title(_ id: UUID) -> String { byID[id]?.title ?? "" }
}
