import Foundation
import Vapor

/// The server's scheduled work, one round every few seconds: each feature's due work under the job
/// lease (so one instance does it), then the outbox delivers what is due, the new mails included.
final class ScheduledWork: LifecycleHandler, @unchecked Sendable {
    let settings: Settings
    private var task: Task<Void, Never>?

    init(settings: Settings) {
        self.settings = settings
    }

    func didBootAsync(_ application: Application) async throws {
        let settings = self.settings
        task = Task { [weak application] in
            while !Task.isCancelled {
                guard let application else { return }
                do {
                    // Whichever instance holds the lease sends the reminders, into the outbox first,
                    // so this round delivers them too.
                    try await JobLease.run(.reminders, holder: settings.instanceName, lease: settings.jobLease,
                                           on: application.db) {
                        try await Reminders.sendDue(application: application)
                        try await MeetingNotices.sendDueReminders(application: application)
                        try await QuestionnaireSending.sendDueReminders(application: application)
                    }
                    try await JobLease.run(.sessionPurge, holder: settings.instanceName, lease: settings.jobLease,
                                           on: application.db) {
                        try await SessionStore.purge(on: application.db)
                    }
                    // Newsletters due go into the outbox first, so this round starts delivering them.
                    try await NewsletterSending.sendDue(application: application)
                    _ = try await OutboxDelivery.deliverDue(application: application, settings: settings)
                } catch {
                    application.logger.warning("Scheduled round failed: \(String(describing: error))")
                }
                try? await Task.sleep(nanoseconds: UInt64(settings.outboxInterval * 1_000_000_000))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
    }
}
