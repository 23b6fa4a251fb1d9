import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// Issue 27: a municipality's own survey of its own schools and staff, outside any collaboration.
/// Its coordinators build and send it; its teachers hand out class codes; its people read the results
/// of its schools beside the municipality; another municipality's people see none of it.
final class MunicipalSurveyRouteTests: XCTestCase {
    var app: Application!
    var grimsta: School!
    var hammarby: School!
    var stockholmSchool: School!
    var coordinator = ""
    let list = "/api/v1/municipalities/se/0114/surveys"

    override func setUp() async throws {
        app = try await makeTestApp()
        grimsta = try await PupilSurveyRouteTests.school(app, "44227469", "Grimstaskolan", "0114")
        hammarby = try await PupilSurveyRouteTests.school(app, "11112222", "Hammarbyskolan", "0114")
        stockholmSchool = try await PupilSurveyRouteTests.school(app, "12345678", "Engelbrektsskolan", "0180")
        let own = [RoleGrant(kind: .coordinator, municipality: .init(.se, "0114"))]
        coordinator = try await makeToken(app, for: try await makeUser(app, email: "samordnare@0114.se", grants: own))
        try await makeUser(
            app, email: "larare@upplandsvasby.se", grants: [RoleGrant(kind: .member, municipality: .init(.se, "0114"))])
        try await makeUser(
            app, email: "larare@stockholm.se", grants: [RoleGrant(kind: .member, municipality: .init(.se, "0180"))])
        try await makeUser(
            app, email: "samordnare@0180.se", grants: [RoleGrant(kind: .coordinator, municipality: .init(.se, "0180"))])
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func token(_ email: String) async throws -> String {
        try await makeToken(app, for: try await User.query(on: app.db).filter(\.$email == email).first()!)
    }

    func signedIn(_ email: String) async throws -> Client {
        let client = Client(app)
        try await client.signIn(email, "correct horse battery")
        return client
    }

    func pupilSurvey() -> String {
        #"{"title":"Trivsel i Upplands Väsby","audience":"pupils","closesAt":"2030-05-09T23:59","#
            + #""form":\#(PupilSurveyRouteTests.form)}"#
    }

    func testTheCoordinatorSurveysTheirOwnSchoolsAndNoOtherMunicipalitySeesIt() async throws {
        // Only the municipality's coordinators build it: not its members, not another's coordinator.
        let member = try await token("larare@upplandsvasby.se")
        let refused = try await sendJSON(app, member, .POST, list, pupilSurvey())
        XCTAssertEqual(refused.status, .forbidden)
        let otherCoordinator = try await token("samordnare@0180.se")
        let elsewhere = try await sendJSON(app, otherCoordinator, .POST, list, pupilSurvey())
        XCTAssertEqual(elsewhere.status, .forbidden)
        let municipalities = try await sendJSON(
            app, coordinator, .POST, list,
            #"{"title":"Status","audience":"registered","closesAt":"2030-05-09T23:59","form":{"sections":[]}}"#)
        XCTAssertEqual(municipalities.status, .unprocessableEntity, "its own survey asks no municipalities")
        XCTAssertTrue(municipalities.body.string.contains("\"audience\""), municipalities.body.string)
        let none = try await Questionnaire.query(on: app.db).count()
        XCTAssertEqual(none, 0, "nothing made by a refused request")

        let created = try await sendJSON(app, coordinator, .POST, list, pupilSurvey())
        XCTAssertEqual(created.status, .created, created.body.string)
        XCTAssertEqual(created.json["municipality"] as? String, "se/0114")
        XCTAssertNil(created.json["collaboration"] as? String)
        XCTAssertEqual(created.json["timeZone"] as? String, "Europe/Stockholm")
        let id = (created.json["id"] as! String).lowercased()
        let base = "/api/v1/questionnaires/\(id)", href = "/questionnaires/\(id)"

        // A draft is listed for those who build it only.
        let drafts = try await sendJSON(app, member, .GET, list)
        XCTAssertEqual(drafts.status, .ok)
        XCTAssertEqual((drafts.json["questionnaires"] as? [Any])?.count, 0)
        let sent = try await sendJSON(app, coordinator, .POST, base + "/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        let listed = try await sendJSON(app, member, .GET, list)
        XCTAssertEqual((listed.json["questionnaires"] as? [Any])?.count, 1)
        let stockholm = try await token("larare@stockholm.se")
        let notTheirs = try await sendJSON(app, stockholm, .GET, list)
        XCTAssertEqual(notTheirs.status, .forbidden)
        let survey = try await sendJSON(app, stockholm, .GET, base)
        XCTAssertEqual(survey.status, .notFound)

        // A teacher hands out codes for the municipality's schools only.
        let teacher = try await signedIn("larare@upplandsvasby.se")
        let made = try await teacher.post(
            href + "/class-codes", form: ["school": grimsta.id!.uuidString, "grade": "7", "capacity": "25"])
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        let foreign = try await teacher.post(
            href + "/class-codes", form: ["school": stockholmSchool.id!.uuidString, "grade": "7", "capacity": "25"])
        XCTAssertEqual(foreign.status, .unprocessableEntity)
        let stockholmTeacher = try await signedIn("larare@stockholm.se")
        let noCodes = try await stockholmTeacher.get(href + "/class-codes")
        XCTAssertEqual(noCodes.status, .notFound)
        let made0 = try await SurveyClassCode.query(on: app.db).first()
        let code = try XCTUnwrap(made0?.code)
        let page = try await Client(app).get("/class/\(code)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Grimstaskolan"))
        let answered = try await Client(app).post("/class/\(code)", form: ["answers[safe]": "4"])
        XCTAssertEqual(answered.status, .seeOther, answered.body.string)

        // Results: each school beside the municipality, nothing wider.
        try await answers(11, safe: 4, school: grimsta, id: id)
        try await answers(10, safe: 2, school: hammarby, id: id)
        _ = try await sendJSON(app, coordinator, .POST, base + "/close")
        let published = try await sendJSON(
            app, coordinator, .PUT, base + "/publication", #"{"published":true,"visibility":"participants"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)
        let results = try await sendJSON(app, member, .GET, base + "/results?municipality=se/0114/44227469")
        XCTAssertEqual(results.status, .ok, results.body.string)
        let kinds = (results.json["groups"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        XCTAssertEqual(kinds, ["school", "municipality"])
        let figures = PupilSurveyRouteTests.figures(results)
        XCTAssertEqual(figures["school:se/44227469"], 12)
        XCTAssertEqual(figures["municipality:se/0114"], 22)
        let overview = try await sendJSON(app, coordinator, .GET, base + "/results")
        XCTAssertEqual(overview.json["viewpoint"] as? String, "se/0114")
        let outsider = try await sendJSON(app, stockholm, .GET, base + "/results")
        XCTAssertEqual(outsider.status, .notFound)

        // Beside the municipality's indicators, for its people only; at the municipality nothing is wider.
        let dashboard = try await teacher.get("/municipalities/se/0114/indicators")
        XCTAssertTrue(dashboard.body.string.contains("Trivsel i Upplands Väsby"))
        let stockholmDashboard = try await stockholmTeacher.get("/municipalities/se/0114/indicators")
        XCTAssertFalse(stockholmDashboard.body.string.contains("Trivsel i Upplands Väsby"))
    }

    func testTheBrowserPagesOfOwnSurveys() async throws {
        let coordinatorClient = Client(app)
        try await coordinatorClient.signIn("samordnare@0114.se", "correct horse battery")
        let municipality = try await coordinatorClient.get("/municipalities/se/0114")
        XCTAssertTrue(municipality.body.string.contains("/municipalities/se/0114/surveys"))
        let empty = try await coordinatorClient.get("/municipalities/se/0114/surveys")
        XCTAssertEqual(empty.status, .ok)
        XCTAssertTrue(empty.body.string.contains("/municipalities/se/0114/surveys/new"))
        let form = try await coordinatorClient.get("/municipalities/se/0114/surveys/new")
        XCTAssertEqual(form.status, .ok)
        XCTAssertFalse(form.body.string.contains("id=\"clusterID\""), "no clusters outside a collaboration")
        XCTAssertFalse(form.body.string.contains("value=\"registered\""), "no municipalities to ask")
        let bad = try await coordinatorClient.post(
            "/municipalities/se/0114/surveys/new",
            form: ["title": "Personalenkät", "audience": "addresses", "closesAt": "2030-05-09T23:59",
                   "addresses": "anna@skola.se\nbo@skola.se;se/0180", "threshold": "5"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("se/0180"), "the line of another municipality is named")
        let none = try await Questionnaire.query(on: app.db).count()
        XCTAssertEqual(none, 0)
        let made = try await coordinatorClient.post(
            "/municipalities/se/0114/surveys/new",
            form: ["title": "Personalenkät", "audience": "addresses", "closesAt": "2030-05-09T23:59",
                   "addresses": "anna@skola.se\nbo@skola.se;se/0114", "threshold": "5", "anonymity": "confidential"])
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        let first = try await Questionnaire.query(on: app.db).first()
        let q = try XCTUnwrap(first)
        XCTAssertNil(q.collaborationID)
        XCTAssertEqual(q.ownMunicipality, MunicipalityKey(.se, "0114"))
        let found = try await SurveySettings.find(q.id, on: app.db)
        let settings = try XCTUnwrap(found)
        XCTAssertEqual(settings.addresses, ["anna@skola.se;se/0114", "bo@skola.se;se/0114"], "every line is its own")
        let overview = try await coordinatorClient.get(q.href)
        XCTAssertEqual(overview.status, .ok)
        XCTAssertTrue(overview.body.string.contains("/municipalities/se/0114/surveys"), "back to its own surveys")

        // Its members read the list but build nothing; another municipality's people see no list.
        let member = try await signedIn("larare@upplandsvasby.se")
        let memberList = try await member.get("/municipalities/se/0114/surveys")
        XCTAssertEqual(memberList.status, .ok)
        XCTAssertFalse(memberList.body.string.contains("/surveys/new"))
        let memberForm = try await member.get("/municipalities/se/0114/surveys/new")
        XCTAssertEqual(memberForm.status, .forbidden)
        let settingsPage = try await member.get(q.href + "/settings")
        XCTAssertEqual(settingsPage.status, .notFound, "a draft is the coordinators' own")
        let stockholm = try await signedIn("larare@stockholm.se")
        let foreign = try await stockholm.get("/municipalities/se/0114/surveys")
        XCTAssertEqual(foreign.status, .forbidden)
        let foreignLink = try await stockholm.get("/municipalities/se/0114")
        XCTAssertFalse(foreignLink.body.string.contains("/municipalities/se/0114/surveys"))
    }

    func testAnOwnStaffSurveyAsksOnlyTheMunicipalitysStaff() async throws {
        for (name, email, code) in [("Anna", "anna@0114.se", "0114"), ("Bo", "bo@0180.se", "0180")] {
            let p = Person()
            p.name = name
            p.email = email
            p.position = Position.schoolLeader.rawValue
            p.municipalityCountry = "se"
            p.municipalityCode = code
            p.isExample = false
            try await p.create(on: app.db)
        }
        let created = try await sendJSON(
            app, coordinator, .POST, list,
            #"{"title":"Skolledarenkät","closesAt":"2030-05-09T23:59","form":\#(PupilSurveyRouteTests.form),"#
                + #""audience":"staff","positions":["school_leader"],"anonymity":"anonymous"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let id = (created.json["id"] as! String).lowercased()
        let sent = try await sendJSON(app, coordinator, .POST, "/api/v1/questionnaires/\(id)/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        let invited = try await SurveyInvitation.query(on: app.db).all().map(\.email)
        XCTAssertEqual(invited, ["anna@0114.se"], "Stockholm's school leader is not asked")

        // Those asked may read the results themselves: a group shows from one more than the threshold,
        // so that a reader who takes away their own answer still faces five others.
        try await answers(5, safe: 4, school: grimsta, id: id)
        let base = "/api/v1/questionnaires/\(id)"
        let five = try await sendJSON(app, coordinator, .GET, base + "/results?municipality=se/0114")
        XCTAssertEqual(five.json["threshold"] as? Int, 6)
        XCTAssertEqual(PupilSurveyRouteTests.figures(five)["municipality:se/0114"], .some(nil), "five are hidden")
        try await answers(1, safe: 2, school: hammarby, id: id)
        let six = try await sendJSON(app, coordinator, .GET, base + "/results?municipality=se/0114")
        XCTAssertEqual(PupilSurveyRouteTests.figures(six)["municipality:se/0114"], 6)
    }

    /// Stores `count` answers of `safe` for a school, as the class-code page does.
    func answers(_ count: Int, safe: Int, school: School, id: String) async throws {
        let q = try await Questionnaire.find(UUID(uuidString: id), on: app.db)!
        let unit = try await app.surveyUnits.unit(
            .init(questionnaire: q.id!, municipality: school.municipality!, school: school.code), on: app.db)
        for _ in 0..<count {
            try await SurveySubmission.store(
                AnswerSheet(["safe": .scale(safe)]), of: q, unit: unit, grade: 7, on: app.db)
        }
    }
}
