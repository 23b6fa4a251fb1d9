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
        admin = try await makeToken(
            app, for: try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)]))
        copenhagen = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@kk.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))]))
        frederiksberg = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@frb.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "147"))]))
        member = try await makeToken(app, for: try await makeUser(app, email: "member@example.dk"))
    }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func create(_ token: String, _ body: String) async throws -> XCTHTTPResponse {
        try await app.testable().sendRequest(
            .POST, "/api/v1/people", headers: bearer(token, json: true), body: ByteBuffer(string: body))
    }

    func testCoordinatorsMaintainOnlyTheirMunicipality() async throws {
        let person =
            #"{"name":"Sofie Jensen","position":"committee_chair","email":"sofie@kk.dk","phone":"+45 33 66 33 "#
            + #"66","municipality":"dk/101"}"#
        let created = try await create(copenhagen, person)
        XCTAssertEqual(created.status, .created)
        let id = try XCTUnwrap(created.json["id"] as? String)
        let v1 = try await create(frederiksberg, person).status
        XCTAssertEqual(v1, .forbidden)
        let v2 = try await create(member, person).status
        XCTAssertEqual(v2, .forbidden)
        let anonymous = try await send(
            app, .POST, "/api/v1/people", headers: ["Content-Type": "application/json"],
            body: ByteBuffer(string: person))
        XCTAssertEqual(anonymous.status, .unauthorized)

        // Contact details: own municipality and organisers yes, another municipality no.
        do {
            let res = try await send(app, .GET, "/api/v1/people/\(id)", headers: bearer(copenhagen));
            XCTAssertEqual(res.json["email"] as? String, "sofie@kk.dk")
        }
        do {
            let res = try await send(app, .GET, "/api/v1/people/\(id)", headers: bearer(frederiksberg))
            XCTAssertEqual(res.json["name"] as? String, "Sofie Jensen")
            XCTAssertNil(res.json["email"])
            XCTAssertNil(res.json["phone"])
        }
        do { let res = try await send(app, .GET, "/api/v1/people/\(id)"); XCTAssertEqual(res.status, .unauthorized) }

        let change = #"{"name":"Sofie Jensen","position":"committee_member","municipality":"dk/101"}"#
        do {
            let res = try await send(
                app, .PUT, "/api/v1/people/\(id)", headers: bearer(frederiksberg, json: true),
                body: ByteBuffer(string: change));
            XCTAssertEqual(res.status, .forbidden)
        }
        do {
            let res = try await send(
                app, .PUT, "/api/v1/people/\(id)", headers: bearer(copenhagen, json: true),
                body: ByteBuffer(string: change));
            XCTAssertEqual(res.status, .ok)
        }
        // Moving the person to another municipality is not the coordinator's to do.
        let move = #"{"name":"Sofie Jensen","position":"committee_member","municipality":"dk/147"}"#
        do {
            let res = try await send(
                app, .PUT, "/api/v1/people/\(id)", headers: bearer(copenhagen, json: true),
                body: ByteBuffer(string: move));
            XCTAssertEqual(res.status, .forbidden)
        }
        do {
            let res = try await send(app, .DELETE, "/api/v1/people/\(id)", headers: bearer(frederiksberg));
            XCTAssertEqual(res.status, .forbidden)
        }
        do {
            let res = try await send(app, .DELETE, "/api/v1/people/\(id)", headers: bearer(copenhagen));
            XCTAssertEqual(res.status, .noContent)
        }
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
        do {
            let res = try await send(app, .GET, "/api/v1/people/not-a-uuid", headers: bearer(admin));
            XCTAssertEqual(res.status, .notFound)
        }
    }

    func testOrganisationsAreCreatedByAdministrators() async throws {
        let body = #"{"name":"KL","kind":"association","country":"dk","website":"https://www.kl.dk"}"#
        do {
            let res = try await send(
                app, .POST, "/api/v1/organisations", headers: bearer(copenhagen, json: true),
                body: ByteBuffer(string: body));
            XCTAssertEqual(res.status, .forbidden)
        }
        var id = ""
        do {
            let res = try await send(
                app, .POST, "/api/v1/organisations", headers: bearer(admin, json: true), body: ByteBuffer(string: body))
            XCTAssertEqual(res.status, .created)
            id = res.json["id"] as? String ?? ""
        }
        do {
            let res = try await send(app, .GET, "/api/v1/organisations/\(id)");
            XCTAssertEqual(res.json["name"] as? String, "KL")
        }
        do { let res = try await send(app, .GET, "/organisations/\(id)"); XCTAssertEqual(res.status, .ok) }
        let invalid = #"{"name":"KL","kind":"club","website":"kl.dk"}"#
        do {
            let res = try await send(
                app, .POST, "/api/v1/organisations", headers: bearer(admin, json: true),
                body: ByteBuffer(string: invalid))
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertEqual(
                (res.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }, ["kind", "website"])
        }
    }

    func testPeopleFormsShowMessagesAtTheField() async throws {
        try await makeUser(
            app, email: "kim@kk.dk", grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))])
        let client = Client(app)
        try await client.signIn("kim@kk.dk", "correct horse battery")
        let v3 = try await client.get("/people/new?municipality=dk/101").status
        XCTAssertEqual(v3, .ok)
        let v4 = try await client.get("/people/new?municipality=dk/147").status
        XCTAssertEqual(v4, .forbidden)
        let bad = try await client.post(
            "/people", form: ["name": "Jens", "position": "", "email": "jens@", "municipality": "dk/101"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"position-error\""))
        XCTAssertTrue(bad.body.string.contains("value=\"jens@\""))
        let ok = try await client.post(
            "/people",
            form: ["name": "Jens", "position": "school_leader", "email": "jens@kk.dk", "municipality": "dk/101"])
        XCTAssertEqual(ok.headers.first(name: .location), "/municipalities/dk/101")
        let page = try await client.get("/municipalities/dk/101")
        XCTAssertTrue(page.body.string.contains("jens@kk.dk"))
        let v5 = try await Client(app).get("/municipalities/dk/101").body.string.contains("jens@kk.dk")
        XCTAssertFalse(v5, "visitors see no people")
    }

    // MARK: Bringing a list in

    func importList(_ token: String?, _ csv: String, country: String = "dk") async throws -> XCTHTTPResponse {
        var headers = token.map { bearer($0) } ?? HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        return try await send(
            app, .POST, "/api/v1/people/import?country=\(country)", headers: headers, body: ByteBuffer(string: csv))
    }

    func peopleCount() async throws -> Int { try await Person.query(on: app.db).filter(\.$isExample == false).count() }

    /// An organiser brings in 300 contacts across Denmark: a bad line names itself and nothing is
    /// written; fixed, the file is written at once, and a second run changes nothing.
    func testAnOrganiserBringsInAListOnceAndASecondRunChangesNothing() async throws {
        let organisation = Organisation(name: "KL", kind: .association, country: .dk)
        try await organisation.create(on: app.db)
        let organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "konsulent@kl.dk",
                grants: [RoleGrant(kind: .organiser, organisationID: organisation.id)]))
        let codes = app.municipalities.all.filter { $0.country == .dk }.map(\.code)
        XCTAssertEqual(codes.count, 98)
        var lines = ["\u{FEFF}kommune;navn;funktion;e-mail;telefon;titel"]
        for i in 0..<300 {
            lines.append(
                "\(codes[i % 98]);Person \(i);\(i % 3 == 0 ? "Udvalgsformand" : "school_chief");p\(i)@example.dk;;")
        }
        var bad = lines
        bad[120] = "\(codes[5]);Person X;Rektorinde;px@example.dk;;"
        let refused = try await importList(organiser, bad.joined(separator: "\r\n"))
        XCTAssertEqual(refused.status, .unprocessableEntity, refused.body.string)
        XCTAssertTrue(refused.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
        let errors = refused.json["errors"] as? [[String: Any]] ?? []
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?["field"] as? String, "line 121")
        XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("Line 121, column funktion"), "\(errors)")
        do { let n = try await peopleCount(); XCTAssertEqual(n, 0, "nothing written") }

        let done = try await importList(organiser, lines.joined(separator: "\r\n"))
        XCTAssertEqual(done.status, .ok, done.body.string)
        XCTAssertEqual(done.json["created"] as? Int, 300)
        XCTAssertEqual(done.json["updated"] as? Int, 0)
        do { let n = try await peopleCount(); XCTAssertEqual(n, 300) }
        let again = try await importList(organiser, lines.joined(separator: "\r\n"))
        XCTAssertEqual(again.json["unchanged"] as? Int, 300, again.body.string)
        XCTAssertEqual(again.json["created"] as? Int, 0)
        do { let n = try await peopleCount(); XCTAssertEqual(n, 300) }

        // A changed line of a municipality the organiser does not keep is refused, naming the keeper.
        var changed = lines
        changed[1] = "\(codes[0]);Person 0 Hansen;Udvalgsformand;p0@example.dk;;"
        let notTheirs = try await importList(organiser, changed.joined(separator: "\n"))
        XCTAssertEqual(notTheirs.status, .unprocessableEntity, notTheirs.body.string)
        XCTAssertTrue(notTheirs.body.string.contains("Line 2: p0@example.dk already exists"), notTheirs.body.string)
        // Its coordinator changes it: one updated, the rest unchanged.
        let coordinator = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "koordinator@\(codes[0]).dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, codes[0]))]))
        let own = lines.enumerated().filter { $0.offset == 0 || $0.offset % 98 == 1 }.map(\.element)
        var ownChanged = own
        ownChanged[1] = "\(codes[0]);Person 0 Hansen;Udvalgsformand;p0@example.dk;+45 11 22 33 44;Formand"
        let updated = try await importList(coordinator, ownChanged.joined(separator: "\n"))
        XCTAssertEqual(updated.status, .ok, updated.body.string)
        XCTAssertEqual(updated.json["updated"] as? Int, 1)
        XCTAssertEqual(updated.json["unchanged"] as? Int, own.count - 2)
        let person = try await Person.query(on: app.db).filter(\.$email == "p0@example.dk").first()
        XCTAssertEqual(person?.name, "Person 0 Hansen")
        XCTAssertEqual(person?.phone, "+45 11 22 33 44")
        // Another municipality's line is not the coordinator's to add.
        let elsewhere = try await importList(
            coordinator, "municipality,name,position,email\n\(codes[1]),Ny,teacher,ny@example.dk\n")
        XCTAssertEqual(elsewhere.status, .unprocessableEntity)
        // Without a role that keeps people, or without an account: refused before the body is read.
        let plain = try await importList(member, lines.joined(separator: "\n"))
        XCTAssertEqual(plain.status, .forbidden)
        let anonymous = try await importList(nil, lines.joined(separator: "\n"))
        XCTAssertEqual(anonymous.status, .unauthorized)
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "people:import").count()
        XCTAssertEqual(audit, 3, "every import that was taken, also the one that changed nothing")
    }

    /// The page: the file's problems listed by line with nothing written, then the outcome as counts
    /// in each language's plural forms.
    func testThePageListsProblemsByLineAndCountsInTheLanguage() async throws {
        let client = Client(app)
        try await client.signIn("coord@kk.dk", "correct horse battery")
        let page = try await client.get("/people/import", headers: ["Accept-Language": "da"])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Indlæs personer fra et regneark"))
        let bad = "kommune;navn;funktion;e-mail\n101;Anne;Skolechef;anne@kk.dk\n101;Bo;Skolechef;bo@\n"
        let refused = try await client.upload(
            "/people/import", fields: ["country": "dk"], file: ("liste.csv", Data(bad.utf8)))
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(refused.body.string.contains("Line 3, column e-mail"), refused.body.string)
        do { let n = try await peopleCount(); XCTAssertEqual(n, 0) }
        let good = "kommune;navn;funktion;e-mail\n101;Anne;Skolechef;anne@kk.dk\n"
        let done = try await client.upload(
            "/people/import", fields: ["country": "dk"], file: ("liste.csv", Data(good.utf8)))
        XCTAssertEqual(done.status, .ok, done.body.string)
        XCTAssertTrue(done.body.string.contains("1 new person"), done.body.string)
        XCTAssertTrue(done.body.string.contains("0 people unchanged"), done.body.string)
        let member = Client(app)
        try await member.signIn("member@example.dk", "correct horse battery")
        do { let r = try await member.get("/people/import"); XCTAssertEqual(r.status, .forbidden) }
    }
}
