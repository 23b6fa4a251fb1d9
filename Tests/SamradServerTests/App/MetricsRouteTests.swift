import Foundation
import NIOCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// `/metrics`: requests by route pattern and status with their latency, the outbox and job backlog;
/// for the machine itself or with METRICS_PASSWORD, nobody else.
final class MetricsRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func request(from peer: String, password: String? = nil) throws -> Request {
        var headers = HTTPHeaders()
        if let password { headers.basicAuthorization = BasicAuthorization(username: "prometheus", password: password) }
        return Request(
            application: app, method: .GET, url: "/metrics", headers: headers,
            remoteAddress: try SocketAddress(ipAddress: peer, port: 40_000), on: app.eventLoopGroup.next())
    }

    func testOnlyTheMachineItselfOrThePasswordReadsThem() async throws {
        XCTAssertTrue(MetricsPage.allows(try request(from: "127.0.0.1")))
        XCTAssertTrue(MetricsPage.allows(try request(from: "::1")))
        XCTAssertFalse(MetricsPage.allows(try request(from: "198.51.100.7")))
        // Through the proxy, the person's own address decides, not the proxy's.
        app.storage[SettingsKey.self]!.trustedProxies = ["127.0.0.1"]
        let forwarded = try request(from: "127.0.0.1")
        forwarded.headers.add(name: .xForwardedFor, value: "198.51.100.7")
        XCTAssertFalse(MetricsPage.allows(forwarded))

        app.storage[SettingsKey.self]!.metricsPassword = "a long scrape secret"
        XCTAssertTrue(MetricsPage.allows(try request(from: "198.51.100.7", password: "a long scrape secret")))
        XCTAssertFalse(MetricsPage.allows(try request(from: "198.51.100.7", password: "a long scrape secreT")))
        XCTAssertFalse(MetricsPage.allows(try request(from: "127.0.0.1")), "with a password set, it is needed")

        // A visitor from elsewhere finds nothing there (in-memory requests come from no address).
        let refused = try await send(app, .GET, "/metrics")
        XCTAssertEqual(refused.status, .notFound)
        var headers = HTTPHeaders()
        headers.basicAuthorization = BasicAuthorization(username: "prometheus", password: "a long scrape secret")
        let allowed = try await send(app, .GET, "/metrics", headers: headers)
        XCTAssertEqual(allowed.status, .ok)
    }

    func testRequestsBacklogsAndJobsAreCounted() async throws {
        app.storage[SettingsKey.self]!.metricsPassword = "scrape"
        _ = try await send(app, .GET, "/healthz")
        _ = try await send(app, .GET, "/healthz")
        _ = try await send(app, .GET, "/meetings/\(UUID().uuidString)")
        _ = try await send(app, .GET, "/no/such/page/with/secret-7f3a")
        _ = try await send(app, .RAW(value: "BREW-7f3b"), "/healthz")
        try await Outbox.enqueue(
            to: "skolchef@lund.se", subject: "Möte", body: "Välkommen", settings: app.settings, on: app.db)
        _ = try await JobLease.take(.reminders, holder: "test", lease: 60, now: Date(), on: app.db)

        var headers = HTTPHeaders()
        headers.basicAuthorization = BasicAuthorization(username: "prometheus", password: "scrape")
        let scraped = try await send(app, .GET, "/metrics", headers: headers)
        XCTAssertEqual(scraped.status, .ok)
        XCTAssertEqual(scraped.headers.first(name: .contentType), "text/plain; version=0.0.4; charset=utf-8")
        let text = scraped.body.string
        XCTAssertTrue(
            text.contains(#"samrad_http_requests_total{route="/healthz",method="GET",status="200"} 2"#), text)
        XCTAssertTrue(text.contains(#"route="/meetings/:meeting",method="GET",status="404""#), text)
        XCTAssertTrue(text.contains(#"route="unmatched""#))
        XCTAssertFalse(text.contains("secret-7f3a"), "addresses never become labels")
        XCTAssertFalse(text.contains("BREW-7f3b"), "nor made-up methods")
        XCTAssertTrue(text.contains(#"method="other""#), text)
        XCTAssertTrue(text.contains(#"samrad_http_request_duration_seconds_bucket{route="/healthz",method="GET""#))
        XCTAssertTrue(text.contains(#"samrad_outbox_messages{status="pending"} 1"#), text)
        XCTAssertTrue(text.contains(#"samrad_job_running{job="reminders"} 1"#), text)
        XCTAssertTrue(text.contains("samrad_imports_running 0"), text)
    }

    /// The wait for a pooled connection: while every connection of an event loop is held by a
    /// transaction, a query there waits at least until the transaction lets go.
    func testWaitsForADatabaseConnectionAreTimed() async throws {
        let loop = app.eventLoopGroup.next()
        let db = app.databases.database(logger: app.logger, on: loop)!
        let holders = db.sql.isPostgres ? SamradApp.postgresConnectionsPerEventLoop : 1
        let before = try await waitedSeconds()

        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let transactions = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<holders {
                    group.addTask {
                        try await db.transaction { tx in
                            try await tx.sql.raw("SELECT 1").run()
                            holding.yield()
                            for await _ in release { return }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var holdingNow = 0
        for await _ in held {
            holdingNow += 1
            if holdingNow == holders { break }
        }
        let asked = DispatchTime.now().uptimeNanoseconds
        let query = Task { try await db.sql.raw("SELECT 2").run() }
        try await Task.sleep(for: .milliseconds(300))
        let released = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<holders { releasing.yield() }
        releasing.finish()
        try await transactions.value
        try await query.value

        let waited = try await waitedSeconds() - before
        XCTAssertGreaterThanOrEqual(waited, Double(released - asked) / 1e9, "the query waited for the connection")
    }

    /// The sum of all connection waits so far, from the exposition.
    func waitedSeconds() async throws -> Double {
        let text = try await send(app, .GET, "/metrics", headers: scraper()).body.string
        let line = text.split(separator: "\n").first { $0.hasPrefix("samrad_database_connection_wait_seconds_sum") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    func scraper() -> HTTPHeaders {
        app.storage[SettingsKey.self]!.metricsPassword = "scrape"
        var headers = HTTPHeaders()
        headers.basicAuthorization = BasicAuthorization(username: "prometheus", password: "scrape")
        return headers
    }
}
