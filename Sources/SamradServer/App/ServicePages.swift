import Fluent
import SamradCore
import SQLKit
import Vapor

/// The health check (the front page is `StartPage`, the accessibility statement `AccessibilityPages`).
struct ServicePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
    }

    struct Health: Content { var status: String; var database: String; var municipalities: Int }

    /// 200 when the database answers, 503 when it does not.
    func health(_ request: Request) async throws -> Response {
        do {
            _ = try await request.db.sql.raw("SELECT 1 AS ok").first()
        } catch {
            return try await Health(
                status: "unavailable", database: "unreachable", municipalities: request.municipalities.count
            )
            .encodeResponse(status: .serviceUnavailable, for: request)
        }
        return try await Health(status: "ok", database: "ok", municipalities: request.municipalities.count)
            .encodeResponse(for: request)
    }
}

/// Serves the OpenAPI 3.1 document that describes the API.
struct APIDocument: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "openapi.json", use: document)
    }

    func document(_ request: Request) async throws -> Response {
        let data = try Data(contentsOf: request.application.resources.url("openapi.json"))
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }
}
