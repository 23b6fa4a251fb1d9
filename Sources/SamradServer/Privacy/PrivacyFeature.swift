import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Personal data under control and the statements a public body must publish: a person's export
/// and erasure, the retention job, the privacy notice, the record of processing and the
/// accessibility statement. Every feature answers for its own tables
/// (`Feature.exportPerson`, `erase`, `applyRetention`, `processing`); the audit log is the kit's,
/// so this feature answers for it.
struct PrivacyFeature: Feature {
    var routes: [any RouteCollection] { [PersonalDataPages(), PrivacyNoticePages(), AccessibilityPages()] }
    var migrations: [any Migration] { [M025Privacy()] }
    var scheduled: [ScheduledTask] {
        [ScheduledTask(under: .retention) { app in try await RetentionJob.run(features: app.features, on: app.db) }]
    }

    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "audit", purpose: "audit", categories: [.identity, .contact, .audit],
            retention: .days(RetentionTerms.standard.auditDays))]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let subjects = [export.subject.personID, export.subject.userID].compactMap { $0?.uuidString }
        try await export.table(
            "audit_entries", "Changes you made, and changes made to your person record or account.",
            query: """
                SELECT at, actor_name AS actor, action, subject_type, summary FROM audit_entries
                WHERE actor_user_id = \(bind: export.subject.userID) OR subject_id IN (\(binds: subjects))
                ORDER BY at
                """, on: db)
    }

    /// Audit entries past the installation's days, and the job's own records after a year.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let sql = db.sql
        let cutoff = run.now.addingTimeInterval(-Double(run.terms.auditDays) * 86_400)
        let audit = try await sql.raw("DELETE FROM audit_entries WHERE at < \(bind: cutoff) RETURNING id").all().count
        let runs = try await sql.raw(
            "DELETE FROM retention_runs WHERE ran_at < \(bind: run.now.addingTimeInterval(-366 * 86_400)) RETURNING id"
        ).all().count
        return ["audit_entries": audit, "retention_runs": runs]
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        guard let user = erasure.subject.userID else { return }
        try await db.sql.raw("UPDATE audit_entries SET actor_user_id = NULL WHERE actor_user_id = \(bind: user)")
            .run()
    }
}
