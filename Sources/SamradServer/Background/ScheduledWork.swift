import Foundation
import Vapor

#if canImport(Glibc)
    import Glibc
#endif

/// The server's scheduled work, one round every few seconds: the features' tasks (`Feature.scheduled`)
/// grouped by job, each job under its lease (so one instance does it), then the tasks every instance
/// runs, then the outbox delivers what is due, the new mails included.
final class ScheduledWork: LifecycleHandler, @unchecked Sendable {
    let settings: Settings
    let tasks: [ScheduledTask]
    private var task: Task<Void, Never>?

    init(settings: Settings, tasks: [ScheduledTask]) {
        self.settings = settings
        self.tasks = tasks
    }

    /// One round; what `didBootAsync` repeats.
    static func round(_ tasks: [ScheduledTask], settings: Settings, application: Application) async throws {
        for job in ScheduledJob.allCases {
            let leased = tasks.filter { $0.lease == job }
            guard !leased.isEmpty else { continue }
            // Whichever instance holds the lease does the job; mail goes into the outbox first, so
            // this round delivers it too.
            try await JobLease.run(job, holder: settings.instanceName, lease: settings.jobLease, on: application.db) {
                for task in leased { try await task.run(application) }
            }
        }
        for task in tasks where task.lease == nil { try await task.run(application) }
        _ = try await OutboxDelivery.deliverDue(application: application, settings: settings)
    }

    func didBootAsync(_ application: Application) async throws {
        let settings = self.settings, tasks = self.tasks
        task = Task { [weak application] in
            var trimmed = Date()
            while !Task.isCancelled {
                guard let application else { return }
                do {
                    try await Self.round(tasks, settings: settings, application: application)
                } catch {
                    application.logger.warning("Scheduled round failed: \(String(describing: error))")
                }
                if Date().timeIntervalSince(trimmed) >= 30 {
                    Self.giveBackFreedMemory()
                    trimmed = Date()
                }
                try? await Task.sleep(nanoseconds: UInt64(settings.outboxInterval * 1_000_000_000))
            }
        }
    }

    /// glibc keeps what a burst of requests freed in its per-thread arenas (32 status boards made at
    /// once left 15 MB behind); given back to the system every 30 seconds, a few milliseconds' work.
    static func giveBackFreedMemory() { _ = mallocTrim?(0) }
    static var givesBackFreedMemory: Bool { mallocTrim != nil }

    /// glibc's malloc_trim, looked up by name: its header is not part of Swift's Glibc module.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
    }
}
