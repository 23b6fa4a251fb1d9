import NIOConcurrencyHelpers
import SamradCore
import Vapor

/// What a route that takes files allows: its own size limit and the message when a file is over it.
struct UploadRule: Sendable {
    static let key = "samrad.upload"
    let maxBytes: Int
    /// Localization key and arguments of the 413 answer.
    let tooLargeKey: String
    let tooLargeArguments: [String]
}

extension RoutesBuilder {
    /// A POST route that takes a file. Who may send it is decided by `gate` (the feature's own
    /// access check) before a single byte of the body is read; then the body is read up to the
    /// route's limit while only a few uploads run at once, and the CSRF token of a browser form
    /// is checked from it. Everything else a request may send stays within the default 1 MB.
    @discardableResult
    func upload<Answer: AsyncResponseEncodable>(
        _ path: PathComponent..., maxBytes: Int, tooLarge key: String, _ arguments: [String] = [],
        gate: @escaping @Sendable (Request) async throws -> Void,
        use handler: @escaping @Sendable (Request) async throws -> Answer
    ) -> Route {
        let rule = UploadRule(maxBytes: maxBytes, tooLargeKey: key, tooLargeArguments: arguments)
        let route = grouped(UploadGate(rule: rule, gate: gate)).on(.POST, path, body: .stream, use: handler)
        route.userInfo[UploadRule.key] = rule
        return route
    }
}

/// The upload routes of the application, found by method and path before routing (the global
/// size limit and the CSRF guard need to know them). Built once after the routes are registered.
// Read only once built, so sharing it between event loops is safe.
final class UploadRoutes: @unchecked Sendable {
    private let router: TrieRouter<UploadRule>

    init(_ routes: [Route]) {
        let router = TrieRouter(UploadRule.self)
        for route in routes {
            if let rule = route.userInfo[UploadRule.key] as? UploadRule {
                router.register(rule, at: [.constant(route.method.rawValue)] + route.path)
            }
        }
        self.router = router
    }

    func rule(for request: Request) -> UploadRule? {
        var parameters = Parameters()
        let path = request.url.path.split(separator: "/").map(String.init)
        return router.route(path: [request.method.rawValue] + path, parameters: &parameters)
    }

    struct Key: StorageKey { typealias Value = UploadRoutes }
}

extension Application {
    var uploadRoutes: UploadRoutes? { storage[UploadRoutes.Key.self] }
}

extension Request {
    /// The upload rule of the route asked for, if it takes files.
    var uploadRule: UploadRule? { application.uploadRoutes?.rule(for: self) }
}

/// At most this many uploads have their bodies read at once on an instance; more are told to
/// come back (503 with Retry-After), so large files cannot add up to more memory than this.
final class UploadSlots: Sendable {
    static let limit = 4
    private let taken = NIOLockedValueBox(0)

    func take() -> Bool {
        taken.withLockedValue { count in
            guard count < Self.limit else { return false }
            count += 1
            return true
        }
    }

    func give() { taken.withLockedValue { $0 -= 1 } }

    struct Key: StorageKey { typealias Value = UploadSlots }
}

struct UploadGate: AsyncMiddleware {
    let rule: UploadRule
    let gate: @Sendable (Request) async throws -> Void

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await gate(request)
        guard let slots = request.application.storage[UploadSlots.Key.self], slots.take() else {
            throw SamradError(.unavailable, "error.uploads_busy")
        }
        do {
            do {
                _ = try await request.body.collect(max: rule.maxBytes).get()
            } catch let error as Abort where error.status == .payloadTooLarge {
                throw SamradError(.payloadTooLarge, rule.tooLargeKey, rule.tooLargeArguments)
            }
            try CSRFGuard.checkDeferred(request)
            let response = try await next.respond(to: request)
            slots.give()
            return response
        } catch {
            slots.give()
            throw error
        }
    }
}
