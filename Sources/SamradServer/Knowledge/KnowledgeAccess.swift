import Fluent
import Foundation
import SamradCore
import Vapor

/// A material with what deciding about it needs; every knowledge route starts here, so
/// `KnowledgePolicy` is asked in one way. Materials the reader may not see are not found.
struct KnowledgeAccess {
    var material: KnowledgeMaterial
    var reader: KnowledgeReader

    var mayEdit: Bool { KnowledgePolicy.mayEdit(reader, material.standing) }
    var isEditor: Bool { KnowledgePolicy.isEditor(reader, material.standing) }
    var isOwner: Bool { KnowledgePolicy.isOwner(reader, material.standing) }
    func mayTake(_ step: EditorialStatus.Step) -> Bool { KnowledgePolicy.mayTake(step, reader, material.standing) }

    static func load(_ request: Request) async throws -> KnowledgeAccess {
        guard let slug = request.parameters.get("slug"),
              let material = try await KnowledgeMaterial.query(on: request.db).filter(\.$slug == slug).first() else {
            throw SamradError.notFound("knowledge.error.not_found")
        }
        let reader = try await reader(request)
        guard KnowledgePolicy.mayView(reader, material.standing) else { throw SamradError.notFound("knowledge.error.not_found") }
        return KnowledgeAccess(material: material, reader: reader)
    }

    /// The collaborations the actor belongs to and edits, read once per request.
    static func reader(_ request: Request) async throws -> KnowledgeReader {
        if let cached = request.storage[ReaderKey.self] { return cached }
        let actor = request.actor
        var member = Set<UUID>()
        var editor = Set<UUID>()
        if actor.isSignedIn {
            let organisations = actor.grants.filter { $0.kind == .organiser }.compactMap(\.organisationID)
            if !organisations.isEmpty {
                editor = Set(try await Collaboration.query(on: request.db).filter(\.$organiserID ~~ organisations).all(\.$id))
            }
            member = editor
            // People of a registered municipality, and its coordinators.
            var municipalities = Set(actor.grants.compactMap { $0.kind == .coordinator ? $0.municipality : nil })
            if let own = try await ClusterPages.ownMunicipality(request) { municipalities.insert(own) }
            for key in municipalities {
                member.formUnion(try await Registration.query(on: request.db).filter(\.$municipalityCountry == key.country.rawValue)
                    .filter(\.$municipalityCode == key.code).filter(\.$status == RegistrationStatus.registered.rawValue).all(\.$collaborationID))
            }
            if let person = actor.personID {
                member.formUnion(try await CollaborationRole.query(on: request.db).filter(\.$personID == person).all(\.$collaborationID))
            }
        }
        let reader = KnowledgeReader(actor: actor, memberOf: member, editorOf: editor)
        request.storage[ReaderKey.self] = reader
        return reader
    }

    struct ReaderKey: StorageKey { typealias Value = KnowledgeReader }
}
