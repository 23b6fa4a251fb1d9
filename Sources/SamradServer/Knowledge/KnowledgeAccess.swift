import Fluent
import Foundation
import SamradCore
import Vapor

/// A material with what deciding about it needs; every knowledge route starts here, so
/// `KnowledgePolicy` is asked in one way. Materials the reader may not see are not found.
struct KnowledgeAccess {
    var material: KnowledgeMaterial
    var reader: CollaborationReader

    var mayEdit: Bool { KnowledgePolicy.mayEdit(reader, material.standing) }
    var isEditor: Bool { KnowledgePolicy.isEditor(reader, material.standing) }
    var isOwner: Bool { KnowledgePolicy.isOwner(reader, material.standing) }
    func mayTake(_ step: EditorialStatus.Step) -> Bool { KnowledgePolicy.mayTake(step, reader, material.standing) }

    static func load(_ request: Request) async throws -> KnowledgeAccess {
        guard let slug = request.parameters.get("slug"),
            let material = try await KnowledgeMaterial.query(on: request.db).filter(\.$slug == slug).first()
        else {
            throw SamradError.notFound("knowledge.error.not_found")
        }
        let reader = try await request.collaborationReader()
        guard KnowledgePolicy.mayView(reader, material.standing) else {
            throw SamradError.notFound("knowledge.error.not_found")
        }
        return KnowledgeAccess(material: material, reader: reader)
    }
}
