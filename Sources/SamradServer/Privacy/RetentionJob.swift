import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Carries out the retention terms: each feature clears what it has kept long enough, and what a
/// concluded collaboration kept past its own months; each run that changed anything is recorded.
enum RetentionJob {
    final class Record: Model, @unchecked Sendable {
        static let schema = "retention_runs"
        @ID(key: .id) var id: UUID?
        @Field(key: "ran_at") var ranAt: Date
        /// Rows changed by table, as JSON.
        @Field(key: "changes") var changes: String
        init() {}
    }

    @discardableResult
    static func run(features: [any Feature], now: Date = Date(), on db: any Database) async throws -> [String: Int] {
        let terms = try await InstallationText.retention(on: db)
        let concluded = try await Collaboration.query(on: db)
            .filter(\.$status == CollaborationStatus.concluded.rawValue)
            .filter(\.$retentionMonths != nil).filter(\.$retentionAppliedAt == nil).all()
        let expired = concluded.filter { isExpired($0, now: now) }
        let run = RetentionRun(terms: terms, now: now, expiredCollaborations: expired.compactMap(\.id))
        return try await db.transaction { db in
            var changes: [String: Int] = [:]
            for feature in features {
                changes.merge(try await feature.applyRetention(run, on: db)) { $0 + $1 }
            }
            for collaboration in expired {
                collaboration.retentionAppliedAt = now
                try await collaboration.save(on: db)
            }
            changes = changes.filter { $0.value > 0 }
            if !expired.isEmpty { changes["collaborations"] = expired.count }
            if !changes.isEmpty {
                let record = Record()
                record.ranAt = now
                record.changes = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
                try await record.create(on: db)
            }
            return changes
        }
    }

    /// Past its months after it was concluded (or, for one concluded before Samrad kept the date,
    /// after the end of its period).
    static func isExpired(_ c: Collaboration, now: Date) -> Bool {
        guard let months = c.retentionMonths else { return false }
        let since = c.concludedAt ?? c.periodEnd.flatMap { DateText.parseLocal($0 + "T23:59", zone: c.timeZone) }
        guard let since, let until = Calendar(identifier: .gregorian).date(byAdding: .month, value: months, to: since)
        else { return false }
        return until <= now
    }
}
