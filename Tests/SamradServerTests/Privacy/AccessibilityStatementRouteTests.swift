import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The accessibility statement: the operator's fields as DIGG and WAS-Tool ask for them, the pages
/// Samrad's browser tests check, `/was` for Denmark; only administrators change it.
final class AccessibilityStatementRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws {
        app = try await makeTestApp()
        try await makeUser(app, email: "admin@kl.dk", grants: [RoleGrant(kind: .administrator)])
        try await makeUser(app, email: "plain@kl.dk")
    }

    override func tearDown() async throws { try await app.asyncShutdown() }

    let filled = [
        "country": "dk", "body": "KL – Kommunernes Landsforening", "service": "KL's Samrad",
        "status": "partial", "nonCompliant": "Diagrammer på dashboardet mangler tekstalternativ (1.1.1). Rettes 2027.",
        "exemptions": "", "assessedOn": "2026-11-30", "method": "self_assessment",
        "methodNote": "axe-core og manuel gennemgang af 20 sider", "email": "tilgaengelighed@kl.dk",
        "phone": "+45 3370 3370", "wasURL": "https://was.digst.dk/samrad-kl-dk",
    ]

    func testBeforeItIsFilledInTheStatementSaysSoAndListsWhatSamradTests() async throws {
        let page = try await send(app, .GET, "/accessibility", headers: ["Accept-Language": "da"])
        XCTAssertEqual(page.status, .ok)
        let body = page.body.string
        XCTAssertTrue(body.contains("har endnu ikke udfyldt"), "says the operator's part is missing")
        XCTAssertTrue(body.contains("Digitaliseringsstyrelsen"))
        // Every page the browser tests check is named, and nothing else is claimed.
        let checks = try JSONSerialization.jsonObject(
            with: Data(contentsOf: app.resources.url("Accessibility/checks.json"))) as? [String: Any]
        let pages = (checks?["pages"] as? [[String: String]] ?? []).compactMap { $0["page"] }
        XCTAssertGreaterThanOrEqual(pages.count, 15)
        for page in pages {
            XCTAssertTrue(body.contains(app.catalog.text("accessibility_statement.page.\(page)", .da)), page)
        }
        let was = try await send(app, .GET, "/was")
        XCTAssertEqual(was.status, .seeOther)
        XCTAssertEqual(was.headers.first(name: .location), "/accessibility")
    }

    func testAnAdministratorFillsItInAndItShowsEveryRequiredPart() async throws {
        let plain = Client(app)
        try await plain.signIn("plain@kl.dk", "correct horse battery")
        let refused = try await plain.post("/accessibility/edit", form: filled)
        XCTAssertEqual(refused.status, .forbidden)
        let admin = Client(app)
        try await admin.signIn("admin@kl.dk", "correct horse battery")
        var wrong = filled
        wrong["nonCompliant"] = ""
        wrong["wasURL"] = "https://example.com/was"
        wrong["assessedOn"] = "2999-01-01"
        wrong["phone"] = ""
        let invalid = try await admin.post("/accessibility/edit", form: wrong)
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        for field in ["nonCompliant", "wasURL", "assessedOn", "phone"] {
            XCTAssertTrue(invalid.body.string.contains("href=\"#\(field)\""), field)
        }
        let saved = try await admin.post("/accessibility/edit", form: filled)
        XCTAssertEqual(saved.status, .seeOther, saved.body.string)
        let da = try await send(app, .GET, "/accessibility", headers: ["Accept-Language": "da"]).body.string
        for part in [
            "KL – Kommunernes Landsforening", "KL&#39;s Samrad", "Delvist i overensstemmelse", "Rettes 2027",
            "30. november 2026", "Selvevaluering", "tilgaengelighed@kl.dk", "+45 3370 3370",
            "https://was.digst.dk/samrad-kl-dk", "Digitaliseringsstyrelsen",
        ] {
            XCTAssertTrue(da.contains(part), part)
        }
        let was = try await send(app, .GET, "/was")
        XCTAssertEqual(was.headers.first(name: .location), "https://was.digst.dk/samrad-kl-dk")
    }

    func testASwedishStatementPointsToDIGG() async throws {
        let admin = Client(app)
        try await admin.signIn("admin@kl.dk", "correct horse battery")
        var swedish = filled
        swedish["country"] = "se"
        swedish["body"] = "Sveriges Kommuner och Regioner"
        swedish["wasURL"] = ""
        swedish["status"] = "full"
        swedish["nonCompliant"] = ""
        let saved = try await admin.post("/accessibility/edit", form: swedish)
        XCTAssertEqual(saved.status, .seeOther, saved.body.string)
        let sv = try await send(app, .GET, "/accessibility", headers: ["Accept-Language": "sv"]).body.string
        XCTAssertTrue(sv.contains("Helt förenlig med lagkraven"))
        XCTAssertTrue(sv.contains("https://www.digg.se/tdosanmalan"))
        XCTAssertTrue(sv.contains("Testade sidor"))
    }
}
