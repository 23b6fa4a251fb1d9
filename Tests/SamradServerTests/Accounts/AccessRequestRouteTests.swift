import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Access without an administrator: a signed-in person asks a municipality, its coordinator
/// approves or refuses, approval makes the person a member; a coordinator elsewhere, a member and
/// the person themselves cannot decide; a provider the installation trusts can settle it at once.
final class AccessRequestRouteTests: XCTestCase {
    var app: Application!
    let aarhus = MunicipalityKey(.dk, "751"), frederiksberg = MunicipalityKey(.dk, "147")

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app?.asyncShutdown() }

    func signedIn(_ email: String) async throws -> Client {
        let client = Client(app)
        try await client.signIn(email, "correct horse battery")
        return client
    }

    func mails(to address: String) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$recipient == address).all()
    }

    func testATeacherAsksAndTheCoordinatorApproves() async throws {
        let teacher = try await makeUser(app, email: "lee@skole.aarhus.dk")
        try await makeUser(
            app, email: "coordinator@aarhus.dk", grants: [RoleGrant(kind: .coordinator, municipality: aarhus)])
        try await makeUser(
            app, email: "coordinator@frb.dk", grants: [RoleGrant(kind: .coordinator, municipality: frederiksberg)])
        try await makeUser(app, email: "member@aarhus.dk", grants: [RoleGrant(kind: .member, municipality: aarhus)])
        let lee = try await signedIn("lee@skole.aarhus.dk")

        let form = try await lee.get("/access")
        XCTAssertEqual(form.status, .ok)
        XCTAssertTrue(form.body.string.contains("value=\"dk/751\">Aarhus</option>"))
        let empty = try await lee.post("/access", form: ["municipality": "", "work": ""])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        XCTAssertTrue(empty.body.string.contains("id=\"municipality-error\""))
        XCTAssertTrue(empty.body.string.contains("id=\"work-error\""))
        let unknown = try await lee.post("/access", form: ["municipality": "dk/999", "work": "teacher"])
        XCTAssertEqual(unknown.status, .unprocessableEntity)

        let asked = try await lee.post("/access", form: ["municipality": "dk/751", "work": "teacher at Skæring Skole"])
        XCTAssertEqual(asked.status, .seeOther)
        let again = try await lee.post("/access", form: ["municipality": "dk/751", "work": "teacher"])
        XCTAssertEqual(again.status, .conflict, "one open request per municipality")
        let told = try await mails(to: "coordinator@aarhus.dk")
        XCTAssertEqual(told.count, 1)
        XCTAssertTrue(told[0].body.contains("teacher at Skæring Skole"))
        let notTold = try await mails(to: "coordinator@frb.dk")
        XCTAssertTrue(notTold.isEmpty)
        let request = try await AccessRequest.query(on: app.db).first()
        let id = try XCTUnwrap(request?.id?.uuidString)

        // Who may not decide: a coordinator elsewhere, a member, the person, a visitor.
        let elsewhere = try await signedIn("coordinator@frb.dk")
        let elsewhereList = try await elsewhere.get("/access/requests").body.string
        XCTAssertFalse(elsewhereList.contains("lee@skole.aarhus.dk"), "another municipality's requests are not shown")
        for client in [elsewhere, try await signedIn("member@aarhus.dk"), lee] {
            let refused = try await client.post("/access/requests/\(id)/approve", form: [:])
            XCTAssertEqual(refused.status, .forbidden)
        }
        let member = try await signedIn("member@aarhus.dk")
        let memberList = try await member.get("/access/requests")
        XCTAssertEqual(memberList.status, .forbidden)
        let visitor = try await Client(app).post("/access/requests/\(id)/approve", form: [:])
        XCTAssertNotEqual(visitor.status, .seeOther)
        let stillPending = try await AccessRequest.find(UUID(uuidString: id), on: app.db)?.status
        XCTAssertEqual(stillPending, "pending")

        // Aarhus' coordinator approves: Lee becomes a member of Aarhus and is told.
        let coordinator = try await signedIn("coordinator@aarhus.dk")
        let list = try await coordinator.get("/access/requests").body.string
        XCTAssertTrue(list.contains("lee@skole.aarhus.dk"))
        XCTAssertTrue(list.contains("teacher at Skæring Skole"))
        let approved = try await coordinator.post("/access/requests/\(id)/approve", form: [:])
        XCTAssertEqual(approved.status, .seeOther)
        let roles = try await RoleAssignment.query(on: app.db).filter(\.$userID == teacher.requireID()).all()
        XCTAssertEqual(roles.compactMap(\.grant), [RoleGrant(kind: .member, municipality: aarhus)])
        let me = try await lee.get("/api/v1/me", headers: ["Accept": "application/json"]).body.string
        XCTAssertTrue(me.contains("751"), "Lee now speaks as one of Aarhus' people: \(me)")
        let leeMails = try await mails(to: "lee@skole.aarhus.dk")
        XCTAssertEqual(leeMails.map(\.subject), ["You have access to Aarhus"])
        let twice = try await coordinator.post("/access/requests/\(id)/refuse", form: [:])
        XCTAssertEqual(twice.headers.first(name: .location), "/access/requests")
        let stillMember = try await RoleAssignment.query(on: app.db).filter(\.$userID == teacher.requireID()).count()
        XCTAssertEqual(stillMember, 1, "a decided request stays decided")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "access:approve").count()
        XCTAssertEqual(audit, 1)

        // Now a member, Lee cannot ask Aarhus again.
        let member2 = try await lee.post("/access", form: ["municipality": "dk/751", "work": "teacher"])
        XCTAssertEqual(member2.status, .unprocessableEntity)
    }

    func testARefusalCarriesItsNoteAndAMunicipalityWithoutCoordinatorsGoesToTheAdministrators() async throws {
        try await makeUser(app, email: "kim@example.dk")
        try await makeUser(app, email: "admin@kl.dk", grants: [RoleGrant(kind: .administrator)])
        let kim = try await signedIn("kim@example.dk")
        _ = try await kim.post("/access", form: ["municipality": "dk/147", "work": "skolechef"])
        let adminMails = try await mails(to: "admin@kl.dk")
        XCTAssertEqual(adminMails.count, 1, "Frederiksberg has no coordinator here")
        let found = try await AccessRequest.query(on: app.db).first()
        let id = try XCTUnwrap(found?.id?.uuidString)
        let admin = try await signedIn("admin@kl.dk")
        let long = try await admin.post(
            "/access/requests/\(id)/refuse", form: ["note": String(repeating: "x", count: 501)])
        XCTAssertEqual(long.status, .unprocessableEntity)
        let refused = try await admin.post("/access/requests/\(id)/refuse", form: ["note": "Ask your school leader."])
        XCTAssertEqual(refused.status, .seeOther)
        let told = try await mails(to: "kim@example.dk")
        XCTAssertEqual(told.map(\.subject), ["Your request to Frederiksberg is refused"])
        XCTAssertTrue(told[0].body.contains("Note: Ask your school leader."))
        let roles = try await RoleAssignment.query(on: app.db).filter(\.$kind == "member").count()
        XCTAssertEqual(roles, 0)
        let page = try await kim.get("/access").body.string
        XCTAssertTrue(page.contains("Refused"))
        XCTAssertTrue(page.contains("Ask your school leader."))
    }

    func testAnOrganisationsOrganisersDecideOnItsRequests() async throws {
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let skr = Organisation(name: "SKR", kind: .association, country: .se)
        try await skr.create(on: app.db)
        let klID = try kl.requireID()
        let researcher = try await makeUser(app, email: "forsker@vive.dk")
        try await makeUser(app, email: "organiser@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: klID)])
        try await makeUser(
            app, email: "organiser@skr.se", grants: [RoleGrant(kind: .organiser, organisationID: skr.requireID())])
        let asker = try await signedIn("forsker@vive.dk")
        let both = try await asker.post(
            "/access", form: ["municipality": "dk/751", "organisation": klID.uuidString, "work": "konsulent"])
        XCTAssertEqual(both.status, .unprocessableEntity, "one or the other")
        XCTAssertTrue(both.body.string.contains("Choose a municipality or an organisation (not both)."))
        let asked = try await asker.post("/access", form: ["organisation": klID.uuidString, "work": "konsulent"])
        XCTAssertEqual(asked.status, .seeOther)
        let told = try await mails(to: "organiser@kl.dk")
        XCTAssertEqual(told.count, 1)
        let notTold = try await mails(to: "organiser@skr.se")
        XCTAssertTrue(notTold.isEmpty)
        let found = try await AccessRequest.query(on: app.db).first()
        let id = try XCTUnwrap(found?.id?.uuidString)
        let skrOrganiser = try await signedIn("organiser@skr.se")
        let other = try await skrOrganiser.post("/access/requests/\(id)/approve", form: [:])
        XCTAssertEqual(other.status, .forbidden)
        let klOrganiser = try await signedIn("organiser@kl.dk")
        let list = try await klOrganiser.get("/access/requests").body.string
        XCTAssertTrue(list.contains("forsker@vive.dk"))
        let approved = try await klOrganiser.post("/access/requests/\(id)/approve", form: [:])
        XCTAssertEqual(approved.status, .seeOther)
        let grants = try await RoleAssignment.query(on: app.db).filter(\.$userID == researcher.requireID()).all()
        XCTAssertEqual(grants.compactMap(\.grant), [RoleGrant(kind: .organiser, organisationID: klID)])
    }

    func testATrustedProvidersClaimSettlesTheRequest() async throws {
        let idp = try await FakeIdentityProvider.start()
        var trusted = idp.provider
        trusted.approvesMunicipality = true
        try await app.asyncShutdown()
        app = try await makeTestApp(openIDProviders: [trusted])
        do {
            let teacher = Client(app)
            let started = try await teacher.get("/sign-in/oidc/test")
            let callback = try idp.authorize(
                try XCTUnwrap(started.headers.first(name: .location)),
                claims: idp.claims(
                    subject: "uni-1", ["email": .text("lee@skole.aarhus.dk"), "name": .text("Lee"),
                                       "municipality": .text("751")]))
            _ = try await teacher.get(callback)
            // Asking another municipality than the claim names waits for its coordinators.
            let other = try await teacher.post("/access", form: ["municipality": "dk/147", "work": "teacher"])
            XCTAssertEqual(other.status, .seeOther)
            let asked = try await teacher.post("/access", form: ["municipality": "dk/751", "work": "teacher"])
            XCTAssertEqual(asked.status, .seeOther)
            let statuses = try await AccessRequest.query(on: app.db).sort(\.$municipalityCode).all().map(\.status)
            XCTAssertEqual(statuses, ["pending", "approved"])
            let found = try await User.query(on: app.db).filter(\.$email == "lee@skole.aarhus.dk").first()
            let user = try XCTUnwrap(found)
            let grants = try await RoleAssignment.query(on: app.db).filter(\.$userID == user.requireID()).all()
            XCTAssertEqual(grants.compactMap(\.grant), [RoleGrant(kind: .member, municipality: aarhus)])
            // A draft article for Aarhus, with no administrator involved.
            let me = try await teacher.get("/api/v1/me", headers: ["Accept": "application/json"]).body.string
            XCTAssertTrue(me.contains("751"), me)
        } catch {
            try? await idp.stop()
            throw error
        }
        try await idp.stop()
    }
}
