import Foundation
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The published OpenAPI description and the routes agree both ways, so a new endpoint cannot
/// ship undocumented and a removed one cannot linger in the document.
final class APIDocumentationTests: XCTestCase {
    func testEveryAPIRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let app = try await makeTestApp()
        let res = try await send(app, .GET, "/api/openapi.json")
        let paths = try XCTUnwrap(res.json["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys where ["get", "put", "post", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let routed = Set(
            app.routes.all.map { route -> String in
                let parts = route.path.map { component -> String in
                    switch component {
                    case .constant(let text): text
                    case .parameter(let name): "{\(name)}"
                    case .anything: "*"
                    case .catchall: "**"
                    }
                }
                return "\(route.method.rawValue) /\(parts.joined(separator: "/"))"
            })
        let api = routed.filter { $0.split(separator: " ")[1].hasPrefix("/api/v1/") }
        XCTAssertGreaterThan(api.count, 50)
        XCTAssertEqual(api.subtracting(documented).sorted(), [], "routes missing from openapi.json")
        XCTAssertEqual(documented.subtracting(routed).sorted(), [], "documented paths without a route")
        try await app.asyncShutdown()
    }
}
