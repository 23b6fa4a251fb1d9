import Fluent
import Foundation
import SamradCore
import SQLKit

/// Newsletters received and unsubscriptions: exported; deleted on erasure.
extension NewslettersFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "newsletters", purpose: "newsletters", categories: [.contact, .messages],
            retention: .afterCollaboration)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let emails = export.subject.lowercasedEmails
        try await export.table(
            "newsletters_received", "Newsletters sent to you.",
            query: """
                SELECT n.subject, n.sent_at, d.email FROM newsletter_deliveries d
                JOIN newsletters n ON n.id = d.newsletter_id
                WHERE d.person_id = \(bind: export.subject.personID) OR lower(d.email) IN (\(binds: emails))
                ORDER BY n.sent_at
                """, on: db)
        try await export.table(
            "newsletter_unsubscriptions", "Newsletters you unsubscribed from.",
            query: """
                SELECT c.title AS collaboration, u.email, u.created_at FROM newsletter_unsubscriptions u
                JOIN collaborations c ON c.id = u.collaboration_id WHERE lower(u.email) IN (\(binds: emails))
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let sql = db.sql
        let emails = erasure.subject.lowercasedEmails
        try await sql.raw("""
            DELETE FROM newsletter_deliveries WHERE person_id = \(bind: erasure.subject.personID)
                OR lower(email) IN (\(binds: emails))
            """).run()
        try await sql.raw("DELETE FROM newsletter_unsubscriptions WHERE lower(email) IN (\(binds: emails))").run()
    }

    /// Past a concluded collaboration's months: to whom its newsletters went, and who left its list.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let ids = run.expiredCollaborations
        guard !ids.isEmpty else { return [:] }
        let sql = db.sql
        let deliveries = try await sql.raw("""
            DELETE FROM newsletter_deliveries
            WHERE newsletter_id IN (SELECT id FROM newsletters WHERE collaboration_id IN (\(binds: ids))) RETURNING id
            """).all().count
        let unsubscriptions = try await sql.raw(
            "DELETE FROM newsletter_unsubscriptions WHERE collaboration_id IN (\(binds: ids)) RETURNING id").all().count
        return ["newsletter_deliveries": deliveries, "newsletter_unsubscriptions": unsubscriptions]
    }
}
