import Fluent
import Foundation
import SamradCore
import SQLKit

/// E-mails to the person: listed in the export, deleted on erasure; sent ones leave after the
/// installation's days.
extension MailFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "mail", purpose: "mail", categories: [.contact, .messages],
            retention: .afterSending)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let emails = export.subject.lowercasedEmails
        guard !emails.isEmpty else { return }
        try await export.table(
            "emails", "E-mails Samrad sent or will send you.",
            query: """
                SELECT recipient, subject, status, created_at, sent_at FROM outbox_messages
                WHERE lower(recipient) IN (\(binds: emails)) ORDER BY created_at
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let emails = erasure.subject.lowercasedEmails
        guard !emails.isEmpty else { return }
        try await db.sql.raw("DELETE FROM outbox_messages WHERE lower(recipient) IN (\(binds: emails))").run()
    }

    /// Sent and failed e-mails keep no text (`OutboxMessage.redact`); after the set days the row goes.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let cutoff = run.now.addingTimeInterval(-Double(run.terms.outboxDays) * 86_400)
        let rows = try await db.sql.raw("""
            DELETE FROM outbox_messages WHERE status IN ('sent', 'failed')
                AND COALESCE(sent_at, created_at) < \(bind: cutoff) RETURNING id
            """).all()
        return ["outbox_messages": rows.count]
    }
}
