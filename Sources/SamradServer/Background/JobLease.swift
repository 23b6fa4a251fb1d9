import Fluent
import Foundation
import SQLKit

/// The work that runs on a schedule rather than on a request. With several instances each run is
/// done by one of them: the one that takes the job's lease.
enum ScheduledJob: String, CaseIterable, Sendable {
    /// Registration reminders before deadlines, meeting reminders, questionnaire reminders.
    case reminders
    /// Sessions that have ended (`SessionStore`) leave the database.
    case sessionPurge = "session_purge"
    /// Personal data kept as long as the retention terms allow, then cleared (`RetentionJob`).
    case retention

    /// Reminders are due by the day or the hour: looking once a minute is enough; ended sessions
    /// are refused when read, so clearing them out hourly is enough.
    var interval: TimeInterval {
        switch self {
        case .reminders: 60
        case .sessionPurge: 3600
        case .retention: 3600
        }
    }
}

/// A scheduled job's lease in the database. An instance takes a due job by writing itself as the
/// holder until a time; another instance skips the row while it is locked and leaves it while the
/// lease runs. A holder that dies leaves its lease to run out, and the next instance that looks
/// takes the job over. When the run is done the lease is given back and the next run set.
enum JobLease {
    /// Takes the job when it is due and nobody holds it. True when this instance is to run it.
    static func take(
        _ job: ScheduledJob, holder: String, lease: TimeInterval, now: Date = Date(), on db: any Database
    ) async throws -> Bool {
        let sql = db.sql
        try await sql.raw(
            """
            INSERT INTO job_leases (name, next_run_at) VALUES (\(bind: job.rawValue), \(bind: now)) ON CONFLICT (name)
                DO NOTHING
            """
        ).run()
        // PostgreSQL: a row another instance is taking is skipped, not waited for. SQLite has one
        // writer at a time, so the conditional update alone decides.
        let locking: SQLQueryString = sql.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        struct Row: Decodable { var name: String }
        let taken = try await sql.raw(
            """
            UPDATE job_leases SET holder = \(bind: holder), lease_until = \(bind: now.addingTimeInterval(lease))
            WHERE name = (SELECT name FROM job_leases WHERE name = \(bind: job.rawValue) AND next_run_at <= \(bind: now)
                          AND (lease_until IS NULL OR lease_until < \(bind: now))
            """ + locking + ") RETURNING name"
        ).all(decoding: Row.self)
        return !taken.isEmpty
    }

    /// Gives the lease back after a run and sets the next one.
    static func finish(_ job: ScheduledJob, holder: String, now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw(
            """
            UPDATE job_leases SET holder = NULL, lease_until = NULL, last_finished_at = \(bind: now), next_run_at =
                \(bind: now.addingTimeInterval(job.interval))
            WHERE name = \(bind: job.rawValue) AND holder = \(bind: holder)
            """
        ).run()
    }

    /// Keeps a running job's lease: pushes its end a lease further while this holder still has it.
    /// False when the lease has gone to another holder.
    @discardableResult
    static func renew(
        _ job: ScheduledJob, holder: String, lease: TimeInterval, now: Date = Date(), on db: any Database
    ) async throws -> Bool {
        struct Row: Decodable { var name: String }
        let renewed = try await db.sql.raw(
            """
            UPDATE job_leases SET lease_until = \(bind: now.addingTimeInterval(lease))
            WHERE name = \(bind: job.rawValue) AND holder = \(bind: holder) RETURNING name
            """
        ).all(decoding: Row.self)
        return !renewed.isEmpty
    }

    /// Runs the job here if this instance gets its lease. True when it ran. A run that takes longer
    /// than the lease renews it as it goes, so no other instance takes over a job that is alive (a
    /// short lease only says how soon a dead holder's job is taken over).
    @discardableResult
    static func run(
        _ job: ScheduledJob, holder: String, lease: TimeInterval, on db: any Database, _ work: () async throws -> Void
    ) async throws -> Bool {
        guard try await take(job, holder: holder, lease: lease, on: db) else { return false }
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1_000_000_000))
                guard !Task.isCancelled else { return }
                _ = try? await renew(job, holder: holder, lease: lease, on: db)
            }
        }
        defer { renewal.cancel() }
        do {
            try await work()
        } catch {
            // A failed run is tried again at the next interval, like a finished one.
            try? await finish(job, holder: holder, on: db)
            throw error
        }
        try await finish(job, holder: holder, on: db)
        return true
    }
}
