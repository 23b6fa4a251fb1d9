import Fluent
import Foundation
import SamradCore
import SQLKit

/// Seats and roles in collaborations: a seat stays with the pseudonymised record on erasure (the
/// registration holds), roles and personal invitation links go.
extension CollaborationsFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "collaborations", purpose: "collaborations",
            categories: [.identity, .contact, .participation, .roles], retention: .afterCollaboration)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        if let id = export.subject.personID {
            try await export.table(
                "seats", "The seats you hold in collaborations, for your municipality.",
                query: """
                    SELECT c.title AS collaboration, r.municipality_country, r.municipality_code, s.position,
                        r.status AS registration, r.created_at
                    FROM registration_seats s JOIN registrations r ON r.id = s.registration_id
                    JOIN collaborations c ON c.id = r.collaboration_id WHERE s.person_id = \(bind: id)
                    ORDER BY r.created_at
                    """, on: db)
            try await export.table(
                "collaboration_roles", "Your roles in collaborations (organiser, facilitator, researcher).",
                query: """
                    SELECT c.title AS collaboration, x.role FROM collaboration_roles x
                    JOIN collaborations c ON c.id = x.collaboration_id WHERE x.person_id = \(bind: id)
                    """, on: db)
        }
        if let user = export.subject.userID {
            try await export.table(
                "registrations_made", "Registrations you made for a municipality.",
                query: """
                    SELECT c.title AS collaboration, r.municipality_country, r.municipality_code, r.status,
                        r.created_at
                    FROM registrations r JOIN collaborations c ON c.id = r.collaboration_id
                    WHERE r.registered_by = \(bind: user) ORDER BY r.created_at
                    """, on: db)
        }
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let sql = db.sql
        if let id = erasure.subject.personID {
            try await sql.raw("DELETE FROM collaboration_roles WHERE person_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM invitation_links WHERE person_id = \(bind: id)").run()
        }
        if let user = erasure.subject.userID {
            try await sql.raw("UPDATE registrations SET registered_by = NULL WHERE registered_by = \(bind: user)")
                .run()
        }
    }

    /// Past its months, a concluded collaboration keeps its registrations and seats (what was agreed
    /// and paid) but no personal links, nor the list of addresses its invitations reached.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let ids = run.expiredCollaborations
        guard !ids.isEmpty else { return [:] }
        let sql = db.sql
        let links = try await sql.raw(
            "DELETE FROM invitation_links WHERE collaboration_id IN (\(binds: ids)) RETURNING id").all().count
        let reached = try await sql.raw("""
            UPDATE invitations SET reached = NULL WHERE collaboration_id IN (\(binds: ids)) AND reached IS NOT NULL
            RETURNING id
            """).all().count
        return ["invitation_links": links, "invitations.reached": reached]
    }
}
