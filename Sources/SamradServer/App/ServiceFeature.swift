import Fluent
import Foundation
import SQLKit
import Vapor

/// What every installation has beneath the features: the service pages (health, robots, the API
/// document), the confirmation page, the audit trail, job leases and the cross-feature indexes.
struct ServiceFeature: Feature {
    var routes: [any RouteCollection] { [ServicePages(), APIDocument(), Confirmation(), MetricsPage()] }
    var migrations: [any Migration] { [M005Audit(), M015Instances(), M016Trust(), M028DataVersion()] }
}

extension ServiceFeature {
    /// The scheduled jobs: how long past due each is (0 when on time), and whether a lease is held.
    func report(into metrics: ServiceMetrics, app: Application) async throws {
        let rows = try await app.db.sql.raw("SELECT name, next_run_at, lease_until FROM job_leases").all()
        let now = Date()
        for row in rows {
            let job = try row.decode(column: "name", as: String.self)
            let due = try row.decode(column: "next_run_at", as: Date.self)
            let leased = try row.decode(column: "lease_until", as: Date?.self).map { $0 > now } ?? false
            metrics.set("samrad_job_overdue_seconds", max(0, now.timeIntervalSince(due)), [("job", job)])
            metrics.set("samrad_job_running", leased ? 1 : 0, [("job", job)])
        }
    }
}

