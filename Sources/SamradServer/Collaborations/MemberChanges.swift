import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationMembers: changes (each audited).
extension CollaborationMembers {
    static func addPartner(_ c: Collaboration, organisationID: UUID?, request: Request) async throws {
        guard let organisationID, let organisation = try await Organisation.find(organisationID, on: request.db) else {
            throw SamradError.invalid([FieldError(field: "organisationID", "validation.organisation")])
        }
        if organisationID == c.organiserID {
            throw SamradError.invalid([FieldError(field: "organisationID", "members.partner_is_organiser")])
        }
        let id = try c.requireID()
        if try await CollaborationPartner.query(on: request.db).filter(\.$collaborationID == id).filter(
            \.$organisationID == organisationID
        ).count() > 0 {
            throw SamradError(.conflict, "members.partner_twice", [organisation.name])
        }
        try await refusingTwice(SamradError(.conflict, "members.partner_twice", [organisation.name])) {
            try await request.db.transaction { db in
                let partner = CollaborationPartner()
                partner.collaborationID = id
                partner.organisationID = organisationID
                try await partner.create(on: db)
                try await Audit.record(
                    "collaboration:partner_add", subject: "collaboration", id: id.uuidString,
                    summary: "\(c.slug): \(organisation.name)", by: request, on: db)
            }
        }
    }

    /// The check before an insert can race with an identical insert; the unique index then refuses
    /// the second, which gets the same answer as if the check had seen the first.
    static func refusingTwice(_ conflict: SamradError, _ insert: () async throws -> Void) async throws {
        do { try await insert() } catch let error as any DatabaseError where error.isConstraintFailure {
            throw conflict
        }
    }

    static func removePartner(_ c: Collaboration, organisationID: UUID?, request: Request) async throws {
        let id = try c.requireID()
        guard let organisationID,
            let partner = try await CollaborationPartner.query(on: request.db).filter(\.$collaborationID == id)
                .filter(\.$organisationID == organisationID).first()
        else { throw SamradError.notFound("members.not_found") }
        try await request.db.transaction { db in
            try await partner.delete(on: db)
            try await Audit.record(
                "collaboration:partner_remove", subject: "collaboration", id: id.uuidString,
                summary: "\(c.slug): \(organisationID.uuidString)", by: request, on: db)
        }
    }

    static func addRole(
        _ c: Collaboration, personID: UUID?, role: String?, request: Request
    ) async throws -> CollaborationRole {
        var v = Validation()
        let role = v.oneOf("role", role, as: CollaborationRole.Role.self)
        let found: Person? = if let personID { try await Person.find(personID, on: request.db) } else { nil }
        if found == nil { v.add("personID", "members.person_unknown") }
        try v.check()
        let person = found
        let id = try c.requireID()
        if try await CollaborationRole.query(on: request.db).filter(\.$collaborationID == id).filter(
            \.$personID == personID!
        )
        .filter(\.$role == role!.rawValue).count() > 0 {
            throw SamradError(.conflict, "members.role_twice", [person!.name])
        }
        let record = CollaborationRole()
        record.collaborationID = id
        record.personID = personID!
        record.role = role!.rawValue
        try await refusingTwice(SamradError(.conflict, "members.role_twice", [person!.name])) {
            try await request.db.transaction { db in
                try await record.create(on: db)
                try await Audit.record(
                    "collaboration:role_add", subject: "collaboration", id: id.uuidString,
                    summary: "\(c.slug): \(person!.name), \(role!.rawValue)", by: request, on: db)
            }
        }
        return record
    }

    static func removeRole(_ c: Collaboration, roleID: UUID?, request: Request) async throws {
        let id = try c.requireID()
        guard let roleID, let record = try await CollaborationRole.find(roleID, on: request.db),
            record.collaborationID == id
        else {
            throw SamradError.notFound("members.not_found")
        }
        try await request.db.transaction { db in
            try await record.delete(on: db)
            try await Audit.record(
                "collaboration:role_remove", subject: "collaboration", id: id.uuidString,
                summary: "\(c.slug): \(record.personID.uuidString), \(record.role)", by: request, on: db)
        }
    }
}
