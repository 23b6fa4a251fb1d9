import Fluent
import SamradCore
import SQLKit
import Vapor

/// The front page, the accessibility statement and the health check.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("accessibility", use: accessibility)
        routes.get("healthz", use: health)
    }

    struct CountryCount: Encodable { var name: String; var href: String; var count: Int }
    struct HomeContext: Encodable { var page: PageContext; var countries: [CountryCount]; var organisationCount: Int }

    func home(_ request: Request) async throws -> View {
        let directory = request.municipalities
        let counts = Country.allCases.map { c in
            CountryCount(name: request.t("country.\(c.rawValue)"), href: "/municipalities?country=\(c.rawValue)", count: directory.all.filter { $0.country == c }.count)
        }
        return try await request.view.render("home", HomeContext(page: PageContext(request, titleKey: "home.title"), countries: counts,
                                                                 organisationCount: try await Organisation.query(on: request.db).count()))
    }

    struct StaticContext: Encodable { var page: PageContext }

    func accessibility(_ request: Request) async throws -> View {
        try await request.view.render("accessibility", StaticContext(page: PageContext(request, titleKey: "accessibility.title")))
    }

    struct Health: Content { var status: String; var database: String; var municipalities: Int }

    /// 200 when the database answers, 503 when it does not.
    func health(_ request: Request) async throws -> Response {
        do {
            _ = try await (request.db as! any SQLDatabase).raw("SELECT 1 AS ok").first()
        } catch {
            return try await Health(status: "unavailable", database: "unreachable", municipalities: request.municipalities.count)
                .encodeResponse(status: .serviceUnavailable, for: request)
        }
        return try await Health(status: "ok", database: "ok", municipalities: request.municipalities.count).encodeResponse(for: request)
    }
}

/// Serves the OpenAPI 3.1 document that describes the API.
struct APIDocumentController: RouteCollection {
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
