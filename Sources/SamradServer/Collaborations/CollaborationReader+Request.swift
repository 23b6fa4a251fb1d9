import Fluent
import Foundation
import SamradCore
import Vapor

extension Request {
    /// The collaborations the actor belongs to and runs, read once per request.
    func collaborationReader() async throws -> CollaborationReader {
        if let cached = storage[ReaderKey.self] { return cached }
        let actor = self.actor
        var member = Set<UUID>()
        var editor = Set<UUID>()
        if actor.isSignedIn {
            let organisations = actor.grants.filter { $0.kind == .organiser }.compactMap(\.organisationID)
            if !organisations.isEmpty {
                editor = Set(try await Collaboration.query(on: db).filter(\.$organiserID ~~ organisations).all(\.$id))
            }
            member = editor
            // Members and coordinators of a registered municipality (roles, never the person record).
            for key in actor.municipalities {
                member.formUnion(
                    try await Registration.query(on: db).filter(\.$municipalityCountry == key.country.rawValue)
                        .filter(\.$municipalityCode == key.code).filter(
                            \.$status == RegistrationStatus.registered.rawValue
                        ).all(\.$collaborationID))
            }
            if let person = actor.personID {
                member.formUnion(
                    try await CollaborationRole.query(on: db).filter(\.$personID == person).all(\.$collaborationID))
            }
        }
        let reader = CollaborationReader(actor: actor, memberOf: member, editorOf: editor)
        storage[ReaderKey.self] = reader
        return reader
    }

    private struct ReaderKey: StorageKey { typealias Value = CollaborationReader }
}
