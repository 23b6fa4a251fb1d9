import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The notices each person chooses: minutes out, a meeting changed, a commitment due; at once, in
/// the Monday digest, or not at all. Meetings tell through `PersonalNotices`; the commitments coming
/// due and the digests are sent by the scheduled rounds.
struct NoticesFeature: Feature {
    var routes: [any RouteCollection] { [NoticeChoicesPages()] }
    var migrations: [any Migration] { [M038PersonalNotices()] }
    var scheduled: [ScheduledTask] {
        [
            ScheduledTask(under: .reminders) { app in _ = try await CommitmentNotices.sendDue(application: app) },
            ScheduledTask(under: .reminders) { app in _ = try await NoticeDigests.sendDue(application: app) },
        ]
    }

    var processing: [ProcessingActivity] {
        [
            ProcessingActivity(
                feature: "notices", purpose: "notices", categories: [.contact, .messages], retention: .afterSending)
        ]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        guard let id = export.subject.personID else { return }
        try await export.table(
            "notice_choices", "What you chose to be told of, and how.",
            query: """
                SELECT minutes, meeting_changed, commitment_due, updated_at FROM notice_choices
                WHERE person_id = \(bind: id)
                """, on: db)
        try await export.table(
            "notices", "Notices sent to you or waiting for your weekly digest.",
            query: """
                SELECT topic, line, link, created_at, digest_due, sent_at FROM personal_notices
                WHERE person_id = \(bind: id) ORDER BY created_at
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        guard let id = erasure.subject.personID else { return }
        try await db.sql.raw("DELETE FROM personal_notices WHERE person_id = \(bind: id)").run()
        try await db.sql.raw("DELETE FROM notice_choices WHERE person_id = \(bind: id)").run()
    }

    /// Sent notices are kept as long as sent e-mails: they say only that one was sent.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let cutoff = run.now.addingTimeInterval(-Double(run.terms.outboxDays) * 86_400)
        let rows = try await db.sql.raw(
            "DELETE FROM personal_notices WHERE sent_at IS NOT NULL AND sent_at < \(bind: cutoff) RETURNING id"
        ).all()
        return ["personal_notices": rows.count]
    }
}
