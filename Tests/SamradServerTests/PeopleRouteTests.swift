import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

final class PeopleRouteTests: XCTestCase {
    var app: Application!
    var admin: String!, copenhagen: String!, frederiksberg: String!, member: String!

    override func setUp() async throws {
        app = try await makeTestApp()
        admin = try await makeToken(app, for: try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)]))
        copenhagen = try await makeToken(app, for: try await makeUser(app, email: "coord@kk.dk", grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))]))
        frederiksberg = try await makeToken(app, for: try await makeUser(app, email: "coord@frb.dk", grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "147"))]))
        member = try await makeToken(app, for: try await makeUser(app, email: "member@example.dk"))
    }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func create(_ token: String, _ body: String) async throws -> XCTHTTPResponse {
        try await app.testable().sendRequest(.POST, "/api/v1/people", headers: bearer(token, json: true), body: ByteBuffer(string: body))
    }

    func testCoordinatorsMaintainOnlyTheirMunicipality() async throws {
        let person = #"{"name":"Sofie Jensen","position":"committee_chair","email":"sofie@kk.dk","phone":"+45 33 66 33 66","municipality":"dk/101"}"#
        let created = try await create(copenhagen, person)
        XCTAssertEqual(created.status, .created)
        let id = try XCTUnwrap(created.json["id"] as? String)
        let v1 = try await create(frederiksberg, person).status
        XCTAssertEqual(v1, .forbidden)
        let v2 = try await create(member, person).status
        XCTAssertEqual(v2, .forbidden)
        let anonymous = try await send(app, .POST, "/api/v1/people", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: person))
        XCTAssertEqual(anonymous.status, .unauthorized)

        // Contact details: own municipality and organisers yes, another municipality no.
        do { let res = try await send(app, .GET, "/api/v1/people/\(id)", headers: bearer(copenhagen)); XCTAssertEqual(res.json["email"] as? String, "sofie@kk.dk") }
        do { let res = try await send(app, .GET, "/api/v1/people/\(id)", headers: bearer(frederiksberg))
            XCTAssertEqual(res.json["name"] as? String, "Sofie Jensen")
            XCTAssertNil(res.json["email"])
            XCTAssertNil(res.json["phone"])
        }
        do { let res = try await send(app, .GET, "/api/v1/people/\(id)"); XCTAssertEqual(res.status, .unauthorized) }

        let change = #"{"name":"Sofie Jensen","position":"committee_member","municipality":"dk/101"}"#
        do { let res = try await send(app, .PUT, "/api/v1/people/\(id)", headers: bearer(frederiksberg, json: true), body: ByteBuffer(string: change)); XCTAssertEqual(res.status, .forbidden) }
        do { let res = try await send(app, .PUT, "/api/v1/people/\(id)", headers: bearer(copenhagen, json: true), body: ByteBuffer(string: change)); XCTAssertEqual(res.status, .ok) }
        // Moving the person to another municipality is not the coordinator's to do.
        let move = #"{"name":"Sofie Jensen","position":"committee_member","municipality":"dk/147"}"#
        do { let res = try await send(app, .PUT, "/api/v1/people/\(id)", headers: bearer(copenhagen, json: true), body: ByteBuffer(string: move)); XCTAssertEqual(res.status, .forbidden) }
        do { let res = try await send(app, .DELETE, "/api/v1/people/\(id)", headers: bearer(frederiksberg)); XCTAssertEqual(res.status, .forbidden) }
        do { let res = try await send(app, .DELETE, "/api/v1/people/\(id)", headers: bearer(copenhagen)); XCTAssertEqual(res.status, .noContent) }
        let actions = try await AuditEntry.query(on: app.db).sort(\.$at).all().map(\.action)
        XCTAssertEqual(actions, ["person:create", "person:update", "person:delete"])
    }

    func testBadInputIsAProblemNeverAServerError() async throws {
        let invalid = try await create(admin, #"{"name":"","position":"wizard","email":"no","municipality":"dk/9999"}"#)
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        let fields = (invalid.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }
        XCTAssertEqual(fields, ["name", "email", "position", "municipality"])
        for body in ["{", "[]", #"{"name": 5}"#, "null"] {
            let response = try await create(admin, body)
            XCTAssertTrue([400, 422].contains(response.status.code), "\(body) → \(response.status)")
            XCTAssertEqual(response.headers.contentType?.subType, "problem+json")
        }
        let huge = String(repeating: "x", count: 2_000_000)
        let tooLarge = try await create(admin, #"{"name":"\#(huge)"}"#)
        XCTAssertEqual(tooLarge.status, .payloadTooLarge)
        do { let res = try await send(app, .GET, "/api/v1/people/not-a-uuid", headers: bearer(admin)); XCTAssertEqual(res.status, .notFound) }
    }

    func testOrganisationsAreCreatedByAdministrators() async throws {
        let body = #"{"name":"KL","kind":"association","country":"dk","website":"https://www.kl.dk"}"#
        do { let res = try await send(app, .POST, "/api/v1/organisations", headers: bearer(copenhagen, json: true), body: ByteBuffer(string: body)); XCTAssertEqual(res.status, .forbidden) }
        var id = ""
        do { let res = try await send(app, .POST, "/api/v1/organisations", headers: bearer(admin, json: true), body: ByteBuffer(string: body))
            XCTAssertEqual(res.status, .created)
            id = res.json["id"] as? String ?? ""
        }
        do { let res = try await send(app, .GET, "/api/v1/organisations/\(id)"); XCTAssertEqual(res.json["name"] as? String, "KL") }
        do { let res = try await send(app, .GET, "/organisations/\(id)"); XCTAssertEqual(res.status, .ok) }
        let invalid = #"{"name":"KL","kind":"club","website":"kl.dk"}"#
        do { let res = try await send(app, .POST, "/api/v1/organisations", headers: bearer(admin, json: true), body: ByteBuffer(string: invalid))
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertEqual((res.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }, ["kind", "website"])
        }
    }

    func testPeopleFormsShowMessagesAtTheField() async throws {
        try await makeUser(app, email: "kim@kk.dk", grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))])
        let client = Client(app)
        try await client.signIn("kim@kk.dk", "correct horse battery")
        let v3 = try await client.get("/people/new?municipality=dk/101").status
        XCTAssertEqual(v3, .ok)
        let v4 = try await client.get("/people/new?municipality=dk/147").status
        XCTAssertEqual(v4, .forbidden)
        let bad = try await client.post("/people", form: ["name": "Jens", "position": "", "email": "jens@", "municipality": "dk/101"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"position-error\""))
        XCTAssertTrue(bad.body.string.contains("value=\"jens@\""))
        let ok = try await client.post("/people", form: ["name": "Jens", "position": "school_leader", "email": "jens@kk.dk", "municipality": "dk/101"])
        XCTAssertEqual(ok.headers.first(name: .location), "/municipalities/dk/101")
        let page = try await client.get("/municipalities/dk/101")
        XCTAssertTrue(page.body.string.contains("jens@kk.dk"))
        let v5 = try await Client(app).get("/municipalities/dk/101").body.string.contains("jens@kk.dk")
        XCTAssertFalse(v5, "visitors see no people")
    }
}
