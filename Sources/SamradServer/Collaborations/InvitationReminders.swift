import Fluent
import Foundation
import SamradCore
import Vapor

/// Reminders at the collaboration's offsets before the deadline, to invited municipalities that
/// have not answered. Run in the scheduled round (`CollaborationsFeature`); each offset is sent once.
enum InvitationReminders {
    @discardableResult
    static func sendDue(application: Application, now: Date = Date()) async throws -> Int {
        let db = application.db
        let open = try await Collaboration.query(on: db).filter(\.$status == CollaborationStatus.open.rawValue)
            .filter(\.$deadline > now).all()
        var sent = 0
        let context = MailContext(application)
        for collaboration in open {
            guard let deadline = collaboration.deadline else { continue }
            let schedule = ReminderSchedule(daysBeforeDeadline: collaboration.reminderDays)
            let id = try collaboration.requireID()
            let invitations = try await Invitation.query(on: db).filter(\.$collaborationID == id).all()
            let answered = Set(
                try await Registration.query(on: db).filter(\.$collaborationID == id).all().map(\.municipality))
            for invitation in invitations where !answered.contains(invitation.municipality) {
                let due = schedule.due(deadline: deadline, now: now, sent: Set(invitation.remindersSent))
                guard !due.isEmpty, let municipality = context.directory[invitation.municipality] else { continue }
                try await db.transaction { tx in
                    let reach = try await Invitations.recipients(
                        of: [municipality.key], positions: invitation.positions, on: tx)
                    // One reminder per round even when several offsets came due (e.g. after downtime).
                    for recipient in reach[municipality.key] ?? [] {
                        try await Invitations.mail(
                            collaboration, to: recipient, municipality: municipality, kind: "reminder",
                            context: context, on: tx)
                    }
                    invitation.remindersSent = Array(Set(invitation.remindersSent + due)).sorted(by: >)
                    try await invitation.save(on: tx)
                }
                sent += 1
            }
        }
        return sent
    }
}
