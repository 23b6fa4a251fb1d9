import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// Issue 27: a pupil survey answered by class code. A teacher of a registered municipality makes a
/// code for a school of theirs; pupils answer without an account; the code takes its class's number
/// of answers; nothing but school, grade and answers is stored.
final class PupilSurveyRouteTests: XCTestCase {
    var app: Application!
    var network: TestNetwork!
    var base = ""
    var href = ""
    var grimsta: School!
    var stockholmSchool: School!

    static let form = #"""
        {"sections":[{"key":"s","title":{"sv":"Trivsel"},"questions":[
          {"key":"safe","kind":"likert","text":{"sv":"Jag känner mig trygg i skolan"},"required":true,
           "scale":{"min":1,"max":5}},
          {"key":"wish","kind":"long_text","text":{"sv":"Vad vill du ändra?"}}]}]}
        """#

    override func setUp() async throws {
        app = try await makeTestApp()
        network = try await makeNetwork(app, registered: ["0114", "0180"], description: "Trivsel")
        grimsta = try await Self.school(app, "44227469", "Grimstaskolan", "0114")
        stockholmSchool = try await Self.school(app, "12345678", "Engelbrektsskolan", "0180")
        _ = try await Self.school(app, "87654321", "Malmö skola", "1280")
        let created = try await sendJSON(
            app, network.organiser, .POST, "/api/v1/collaborations/\(network.collaboration.slug)/questionnaires",
            #"{"title":"Trivsel 2027","audience":"pupils","closesAt":"2030-05-09T23:59","form":\#(Self.form)}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let id = (created.json["id"] as! String).lowercased()
        base = "/api/v1/questionnaires/\(id)"
        href = "/questionnaires/\(id)"
        let sent = try await sendJSON(app, network.organiser, .POST, base + "/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        try await makeUser(
            app, email: "larare@upplandsvasby.se", grants: [RoleGrant(kind: .member, municipality: .init(.se, "0114"))])
        try await makeUser(
            app, email: "larare@malmo.se", grants: [RoleGrant(kind: .member, municipality: .init(.se, "1280"))])
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    static func school(
        _ app: Application, _ code: String, _ name: String, _ municipality: String
    ) async throws -> School {
        let school = School()
        school.country = "se"
        school.code = code
        school.name = name
        school.kind = IndicatorLevel.school.rawValue
        school.municipalityCode = municipality
        try await school.create(on: app.db)
        return school
    }

    func teacher(_ email: String = "larare@upplandsvasby.se") async throws -> Client {
        let client = Client(app)
        try await client.signIn(email, "correct horse battery")
        return client
    }

    /// A code made by the teacher for Grimstaskolan's grade 7 with `capacity` places.
    func classCode(capacity: Int) async throws -> String {
        let made = try await teacher().post(
            href + "/class-codes", form: ["school": grimsta.id!.uuidString, "grade": "7", "capacity": String(capacity)])
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        let code = try await SurveyClassCode.query(on: app.db).first()
        return try XCTUnwrap(code?.code)
    }

    func testATeacherMakesACodeForTheirOwnSchoolsOnly() async throws {
        let client = try await teacher()
        let page = try await client.get(href + "/class-codes")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Grimstaskolan"))
        XCTAssertFalse(page.body.string.contains("Engelbrektsskolan"), "a school of another municipality")

        let other = try await client.post(
            href + "/class-codes", form: ["school": stockholmSchool.id!.uuidString, "grade": "7", "capacity": "25"])
        XCTAssertEqual(other.status, .unprocessableEntity)
        let tooMany = try await client.post(
            href + "/class-codes", form: ["school": grimsta.id!.uuidString, "grade": "7", "capacity": "99"])
        XCTAssertEqual(tooMany.status, .unprocessableEntity)
        XCTAssertTrue(tooMany.body.string.contains("href=\"#capacity\""), "the message names the field")
        let count = try await SurveyClassCode.query(on: app.db).count()
        XCTAssertEqual(count, 0)

        // A signed-in member of a municipality that is not registered sees no survey.
        let malmo = try await teacher("larare@malmo.se")
        let refused = try await malmo.get(href + "/class-codes")
        XCTAssertEqual(refused.status, .notFound)
        let posted = try await malmo.post(
            href + "/class-codes", form: ["school": grimsta.id!.uuidString, "grade": "7", "capacity": "25"])
        XCTAssertEqual(posted.status, .notFound)
        // The organiser makes codes for every registered municipality's schools.
        var headers = bearer(network.organiser)
        headers.replaceOrAdd(name: .accept, value: "text/html")
        let organiserPage = try await app.testable().sendRequest(.GET, href + "/class-codes", headers: headers)
        XCTAssertTrue(organiserPage.body.string.contains("Engelbrektsskolan"))
    }

    func testCodesForEveryClassOfAGradeAtOnceByTheAPI() async throws {
        let teacher = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "larare@upplandsvasby.se").first()!)
        let made = try await sendJSON(
            app, teacher, .POST, base + "/class-codes",
            #"{"school":"se/44227469","grade":7,"capacity":25,"classes":3}"#)
        XCTAssertEqual(made.status, .created, made.body.string)
        let codes = made.json["codes"] as? [[String: Any]] ?? []
        XCTAssertEqual(codes.count, 3)
        XCTAssertEqual(Set(codes.compactMap { $0["code"] as? String }).count, 3, "each class its own code")
        XCTAssertEqual(codes.first?["schoolName"] as? String, "Grimstaskolan")
        let listed = try await sendJSON(app, teacher, .GET, base + "/class-codes")
        XCTAssertEqual((listed.json["codes"] as? [Any])?.count, 3)
        let tooMany = try await sendJSON(
            app, teacher, .POST, base + "/class-codes", #"{"school":"44227469","grade":7,"capacity":25,"classes":30}"#)
        XCTAssertEqual(tooMany.status, .unprocessableEntity)
        XCTAssertTrue(tooMany.body.string.contains("\"classes\""), tooMany.body.string)
        let otherSchool = try await sendJSON(
            app, teacher, .POST, base + "/class-codes", #"{"school":"12345678","grade":7,"capacity":25}"#)
        XCTAssertEqual(otherSchool.status, .unprocessableEntity, "Stockholm's school is not the teacher's")
        let malmo = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "larare@malmo.se").first()!)
        let refused = try await sendJSON(app, malmo, .GET, base + "/class-codes")
        XCTAssertEqual(refused.status, .notFound)
        let count = try await SurveyClassCode.query(on: app.db).count()
        XCTAssertEqual(count, 3, "nothing made by a refused request")
    }

    func testAPupilAnswersWithTheCodeOnceAndNothingButSchoolAndGradeIsKept() async throws {
        let code = try await classCode(capacity: 2)
        let pupil = Client(app)
        // Typed as read off the board: small letters, with its dash.
        let typed = try await pupil.get("/class?code=" + ClassCode.display(code).lowercased())
        XCTAssertEqual(typed.status, .seeOther)
        XCTAssertEqual(typed.headers.first(name: .location), "/class/\(code)")
        let wrong = try await pupil.get("/class?code=AAAA-BBBB")
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        let unknown = try await pupil.get("/class/AAAABBBB")
        XCTAssertEqual(unknown.status, .notFound)

        let page = try await pupil.get("/class/\(code)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Grimstaskolan"))
        XCTAssertTrue(page.body.string.contains("survey-promise"), "the promise comes before the questions")

        let missing = try await pupil.post("/class/\(code)", form: ["answers[wish]": "Mer rast"])
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertTrue(missing.body.string.contains("Mer rast"), "what was typed is kept")
        let stored = try await app.db.sql.raw("SELECT count(*) AS n FROM survey_answers").first(decoding: Count.self)
        XCTAssertEqual(stored?.n, 0, "nothing half written")

        let first = try await pupil.post("/class/\(code)", form: ["answers[safe]": "4", "answers[wish]": "Mer rast"])
        XCTAssertEqual(first.status, .seeOther, first.body.string)
        XCTAssertEqual(first.headers.first(name: .location), "/class/\(code)/thanks")
        let thanks = try await pupil.get("/class/\(code)/thanks")
        XCTAssertEqual(thanks.status, .ok)
        let second = try await Client(app).post("/class/\(code)", form: ["answers[safe]": "2"])
        XCTAssertEqual(second.status, .seeOther)
        let third = try await Client(app).post("/class/\(code)", form: ["answers[safe]": "5"])
        XCTAssertEqual(third.status, .conflict, "the class has two places")

        // What a database reader finds: the answers' records, their school and grade; no person, no time.
        struct Column: Decodable { var name: String }
        let sql = app.db.sql
        let columns: [String]
        if app.db is any SQLDatabase, (try? await sql.raw("SELECT sqlite_version() AS v").all()) != nil {
            columns = try await sql.raw("SELECT name FROM pragma_table_info('survey_answers')").all(
                decoding: Column.self
            ).map(\.name)
        } else {
            columns = try await sql.raw(
                "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'survey_answers'"
            ).all(decoding: Column.self).map(\.name)
        }
        XCTAssertEqual(Set(columns), ["seq", "questionnaire_id", "unit", "grade", "record"])
        struct Row: Decodable { var grade: Int?; var unit: Int }
        let rows = try await sql.raw("SELECT grade, unit FROM survey_answers").all(decoding: Row.self)
        XCTAssertEqual(rows.map(\.grade), [7, 7])
        let texts = try await sql.raw("SELECT text FROM survey_texts").all(decoding: Text.self)
        XCTAssertEqual(texts.map(\.text), ["Mer rast"])
        let used = try await SurveyClassCode.query(on: app.db).first()?.used
        XCTAssertEqual(used, 2)
        let progress = try await sendJSON(app, network.organiser, .GET, base + "/progress")
        XCTAssertEqual(progress.json["asked"] as? Int, 2, "the places of the codes handed out")
        XCTAssertEqual(progress.json["submitted"] as? Int, 2, progress.body.string)

        // The tally counts both.
        let q = try await Questionnaire.query(on: app.db).first()!
        let tally = try await app.surveyTallies.current(q, on: app.db)
        XCTAssertEqual(tally.records, 2)
        XCTAssertEqual(tally.answered(unit: rows[0].unit, item: 0), 2)
    }

    func testAClosedSurveyTakesNoAnswer() async throws {
        let code = try await classCode(capacity: 30)
        let closed = try await sendJSON(app, network.organiser, .POST, base + "/close")
        XCTAssertEqual(closed.status, .ok, closed.body.string)
        let page = try await Client(app).get("/class/\(code)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertFalse(page.body.string.contains("answer-form"))
        let refused = try await Client(app).post("/class/\(code)", form: ["answers[safe]": "4"])
        XCTAssertEqual(refused.status, .conflict)
    }

    /// Stores `count` answers of `safe` for a school, as the class-code page does.
    func answers(_ count: Int, safe: Int, school: School) async throws {
        let q = try await Questionnaire.query(on: app.db).first()!
        let unit = try await app.surveyUnits.unit(
            .init(questionnaire: q.id!, municipality: school.municipality!, school: school.code), on: app.db)
        for _ in 0..<count {
            try await SurveySubmission.store(
                AnswerSheet(["safe": .scale(safe), "wish": .text("Mer rast")]), of: q, unit: unit, grade: 7,
                on: app.db)
        }
    }

    static func figures(_ report: XCTHTTPResponse) -> [String: Int?] {
        let groups = (report.json["groups"] as? [[String: Any]] ?? []).map { "\($0["kind"]!):\($0["key"]!)" }
        let questions = report.json["questions"] as? [[String: Any]] ?? []
        let safe = (questions.first { $0["key"] as? String == "safe" }?["items"] as? [[String: Any]])?.first
        let shown = safe?["groups"] as? [Any] ?? []
        return Dictionary(uniqueKeysWithValues: zip(groups, shown).map { ($0, ($1 as? [String: Any])?["n"] as? Int) })
    }

    func testResultsShowEachPlaceAsFarAsNoSmallGroupCanBeWorkedOut() async throws {
        let hammarby = try await Self.school(app, "11112222", "Hammarbyskolan", "0114")
        try await answers(20, safe: 4, school: grimsta)
        try await answers(3, safe: 1, school: hammarby)
        try await answers(30, safe: 3, school: stockholmSchool)
        _ = try await sendJSON(app, network.organiser, .POST, base + "/close")
        let published = try await sendJSON(
            app, network.organiser, .PUT, base + "/publication", #"{"published":true,"visibility":"participants"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)

        let token = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "larare@upplandsvasby.se").first()!)
        let own = try await sendJSON(app, token, .GET, base + "/results?municipality=se/0114/44227469")
        XCTAssertEqual(own.status, .ok, own.body.string)
        let seen = Self.figures(own)
        XCTAssertEqual(seen["municipality:se/0114"], 23)
        XCTAssertEqual(seen["country:se"], 53)
        // Grimsta (20) alone would leave Hammarby's three as Upplands Väsby − Grimsta.
        XCTAssertEqual(seen["school:se/44227469"], .some(nil))
        let hammarbyView = try await sendJSON(app, token, .GET, base + "/results?municipality=se/0114/11112222")
        XCTAssertEqual(Self.figures(hammarbyView)["school:se/11112222"], .some(nil))
        // By default their own municipality; another municipality's place is refused.
        let byDefault = try await sendJSON(app, token, .GET, base + "/results")
        XCTAssertEqual(byDefault.json["viewpoint"] as? String, "se/0114")
        let elsewhere = try await sendJSON(app, token, .GET, base + "/results?municipality=se/0180")
        XCTAssertEqual(elsewhere.status, .unprocessableEntity)
        let texts = (byDefault.json["questions"] as? [[String: Any]])?.first { $0["key"] as? String == "wish" }
        XCTAssertNil(texts?["texts"] as? [String], "texts are not published")

        // The organiser sees Stockholm's school, which is large enough and alone with nobody hidden.
        let organiser = try await sendJSON(
            app, network.organiser, .GET, base + "/results?municipality=se/0180/12345678")
        XCTAssertEqual(Self.figures(organiser)["school:se/12345678"], 30)
        let overview = try await sendJSON(app, network.organiser, .GET, base + "/results")
        XCTAssertEqual(Self.figures(overview)["country:se"], 53)

        // The page lists the teacher's places and draws the charts.
        let page = try await teacher().get(href + "/results?municipality=se%2F0114")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("Grimstaskolan"))
        XCTAssertFalse(page.body.string.contains("Engelbrektsskolan"))
        // A member of a municipality that is not registered sees nothing.
        let malmo = try await teacher("larare@malmo.se").get(href + "/results")
        XCTAssertEqual(malmo.status, .notFound)

        // Beside Upplands Väsby's indicators, for its people: its means beside Sweden's.
        let dashboard = try await teacher().get("/municipalities/se/0114/indicators")
        XCTAssertEqual(dashboard.status, .ok)
        XCTAssertTrue(dashboard.body.string.contains("Trivsel 2027"), "the survey beside the indicators")
        XCTAssertTrue(dashboard.body.string.contains("3.6"), "Upplands Väsby’s mean: (20 × 4 + 3 × 1) / 23")
        let report = try await teacher().get("/municipalities/se/0114/report")
        XCTAssertEqual(report.status, .ok)
        XCTAssertTrue(report.body.string.contains("Trivsel 2027"), "and in the dialogue report")
        let visitor = try await Client(app).get("/municipalities/se/0114/indicators")
        XCTAssertFalse(visitor.body.string.contains("Trivsel 2027"), "published to participants, not to visitors")
        let malmoDashboard = try await teacher("larare@malmo.se").get("/municipalities/se/0114/indicators")
        XCTAssertFalse(malmoDashboard.body.string.contains("Trivsel 2027"), "nor to another municipality's people")
    }

    struct Count: Decodable { var n: Int }
    struct Text: Decodable { var text: String }
}

/// Records committed out of order (two instances on PostgreSQL) are counted once, when they arrive.
final class SurveyTalliesTests: XCTestCase {
    func testANumberSkippedIsAskedForAgainAndCountedWhenItArrives() {
        let layout = SurveyAnswerLayout(PupilSurveyTests.form)
        let record = layout.encode(AnswerSheet(["safe": .scale(3)]))
        let start = SurveyTallies.Entry(tally: SurveyTally(layout: layout), items: layout.items.items)
        let first = SurveyTallies.RecordReader(start, now: Date())
        for seq: Int64 in [4, 1, 2] { first.add(seq: seq, unit: 0, record: record) }
        let afterFirst = first.finish()
        XCTAssertEqual(afterFirst.seen, 4)
        XCTAssertEqual(Set(afterFirst.gaps.keys), [3])
        XCTAssertEqual(afterFirst.tally.records, 3)
        let second = SurveyTallies.RecordReader(afterFirst, now: Date())
        // 4 again (read twice) is not counted twice; 3 fills the gap; 5 is new.
        for seq: Int64 in [3, 4, 5] { second.add(seq: seq, unit: 0, record: record) }
        let afterSecond = second.finish()
        XCTAssertEqual(afterSecond.seen, 5)
        XCTAssertTrue(afterSecond.gaps.isEmpty)
        XCTAssertEqual(afterSecond.tally.records, 5)
        // A gap older than a minute is given up (a rolled-back answer never arrives).
        var old = afterFirst
        old.gaps[3] = Date().addingTimeInterval(-120)
        XCTAssertTrue(SurveyTallies.RecordReader(old, now: Date()).finish().gaps.isEmpty)
    }
}

enum PupilSurveyTests {
    static let form = try! JSONDecoder().decode(QuestionnaireForm.self, from: Data(PupilSurveyRouteTests.form.utf8))
}
