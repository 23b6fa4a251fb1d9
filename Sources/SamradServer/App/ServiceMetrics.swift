import CoreMetrics
import Foundation
import Prometheus
import SamradCore
import Vapor

/// What operators watch in production, at `/metrics` in the Prometheus text format: requests by
/// route and status with their latency, and at each scrape what the features report (the outbox,
/// the scheduled jobs, imports under way). Recorded through swift-metrics into this application's
/// own registry rather than the process-wide `MetricsSystem`, so several applications in one
/// process (the tests) keep their figures apart.
final class ServiceMetrics: Sendable {
    struct Key: StorageKey { typealias Value = ServiceMetrics }

    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    /// Time from asking the pool for a database connection to holding one (`ConnectionWaits`).
    let connectionWaits: CoreMetrics.Timer

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Pages take about a millisecond; the slow end is reports and imports.
        factory.defaultDurationHistogramBuckets = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 10_000]
            .map { Duration.microseconds(Int64($0 * 1_000)) }
        // A free connection is handed over in microseconds; a queue for one shows from a millisecond.
        factory.durationHistogramBuckets["samrad_database_connection_wait_seconds"] =
            [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 1_000, 10_000].map { Duration.microseconds(Int64($0 * 1_000)) }
        self.factory = factory
        connectionWaits = CoreMetrics.Timer(label: "samrad_database_connection_wait_seconds", factory: factory)
    }

    func served(route: String, method: String, status: UInt, nanoseconds: UInt64) {
        CoreMetrics.Counter(
            label: "samrad_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory
        ).increment()
        CoreMetrics.Timer(
            label: "samrad_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
            factory: factory
        ).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// A figure read at the scrape (a backlog, work in progress).
    func set(_ name: String, _ value: Double, _ dimensions: [(String, String)] = []) {
        CoreMetrics.Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }

    /// The exposition, after every feature has reported.
    func exposition(_ app: Application, features: [any Feature]) async throws -> [UInt8] {
        for feature in features { try await feature.report(into: self, app: app) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// Counts and times every request by the route it matched (its pattern, never the address with its
/// secrets and identifiers).
struct RequestMetrics: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next.respond(to: request)
        request.application.serviceMetrics.served(
            route: Self.route(request, response), method: Self.method(request.method), status: response.status.code,
            nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
        return response
    }

    /// The route's pattern; files from Public are "static", everything else that matched nothing "unmatched".
    static func route(_ request: Request, _ response: Response) -> String {
        request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") }
            ?? (response.status == .ok || response.status == .notModified ? "static" : "unmatched")
    }

    /// Methods a client makes up would each start a series of their own: they count as "other".
    static func method(_ method: HTTPMethod) -> String {
        switch method {
        case .GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS: method.rawValue
        default: "other"
        }
    }
}

/// `/metrics`: for the machine itself (127.0.0.1, or the proxy's client there), or with the
/// password of METRICS_PASSWORD (basic authentication, as Prometheus sends it). Others find nothing.
struct MetricsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    static func allows(_ request: Request) -> Bool {
        if let password = request.application.settings.metricsPassword, !password.isEmpty {
            guard let given = request.headers.basicAuthorization?.password else { return false }
            return Secret.equal(given, password)
        }
        return ["127.0.0.1", "::1"].contains(request.clientAddress)
    }

    func metrics(_ request: Request) async throws -> Response {
        guard Self.allows(request) else { throw SamradError.notFound() }
        let features = request.application.storage[FeaturesKey.self] ?? []
        let body = try await request.application.serviceMetrics.exposition(request.application, features: features)
        let response = Response(status: .ok, body: .init(data: Data(body)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

extension Application {
    /// Set up once in `SamradApp.configure`.
    var serviceMetrics: ServiceMetrics { storage[ServiceMetrics.Key.self]! }
}
