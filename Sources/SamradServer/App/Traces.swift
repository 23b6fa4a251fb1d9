import Logging
import OTel
import ServiceLifecycle
import Tracing
import Vapor

/// Traces for operators who run a collector: with OTEL_EXPORTER_OTLP_ENDPOINT (or
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, every request becomes a span named by its route, with
/// the queries it ran inside, sent by swift-otel over OTLP/HTTP. The other OTEL_* variables of the
/// OpenTelemetry specification (protocol, headers, sampler, batch delay) apply as they are.
enum Traces {
    /// Whether the environment asks for traces.
    static func wanted(in env: [String: String]) -> Bool {
        let endpoint = [env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], env["OTEL_EXPORTER_OTLP_ENDPOINT"]]
            .contains { !($0 ?? "").isEmpty }
        return endpoint && env["OTEL_SDK_DISABLED"]?.lowercased() != "true"
            && env["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
    }

    /// Installs the tracer for the process (once, in `serve`) and runs its exporter until the
    /// application shuts down, when what is still buffered is sent.
    static func start(_ app: Application) throws {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "samrad"
        configuration.logs.enabled = false
        // Metrics are scraped at /metrics (Prometheus) instead.
        configuration.metrics.enabled = false
        configuration.diagnosticLogger = .custom(app.logger)
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        let group = ServiceGroup(services: [backend.service], gracefulShutdownSignals: [], logger: app.logger)
        let running = Task { try await group.run() }
        app.lifecycle.use(Exporter(group: group, running: running))
    }

    struct Exporter: LifecycleHandler {
        let group: ServiceGroup
        let running: Task<Void, any Error>

        func shutdownAsync(_ application: Application) async {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
        }
    }
}

/// One span per request, named by its method and route pattern. The address itself is left out:
/// paths and queries carry invitation tokens and personal identifiers, which a collector must not
/// receive. A `traceparent` header from a proxy makes the request part of the caller's trace.
struct RequestTraces: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var parent = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: Headers())
        let method = RequestMetrics.method(request.method)
        return try await withSpan(method, context: parent, ofKind: .server) { span in
            let response = try await next.respond(to: request)
            let route = RequestMetrics.route(request, response)
            span.operationName = "\(method) \(route)"
            span.attributes["http.request.method"] = method
            span.attributes["http.route"] = route
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }

    struct Headers: Extractor {
        func extract(key: String, from headers: HTTPHeaders) -> String? { headers.first(name: key) }
    }
}
