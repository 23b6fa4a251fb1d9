import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// Issue 27: surveys of many by one-time link. An anonymous survey of school leaders: the organiser
/// and a database reader cannot tie an answer to the one who gave it, reminders go only to those
/// who have not answered and nobody sees to whom; a confidential survey names who answered, never
/// what; a list of addresses is checked line by line; a meeting's evaluation goes to those who
/// checked in when it ends, and shows on its page to the organisers and the host once closed.
final class LinkSurveyRouteTests: XCTestCase {
    var app: Application!
    var network: TestNetwork!
    var leaders: [Person] = []

    static let form = #"""
        {"sections":[{"key":"s","title":{"sv":"Ledarskap"},"questions":[
          {"key":"time","kind":"likert","text":{"sv":"Jag har tid för pedagogiskt ledarskap"},"required":true,
           "scale":{"min":1,"max":5}},
          {"key":"wish","kind":"long_text","text":{"sv":"Vad behöver du?"}}]}]}
        """#

    override func setUp() async throws {
        app = try await makeTestApp()
        network = try await makeNetwork(app, registered: ["0114", "0180"], description: "Ledarskap")
        _ = try await PupilSurveyRouteTests.school(app, "44227469", "Grimstaskolan", "0114")
        for (n, code) in ["0114", "0114", "0114", "0114", "0114", "0114", "0180", "0180"].enumerated() {
            leaders.append(try await person("Rektor \(n)", "rektor\(n)@\(code).se", .schoolLeader, code))
        }
        _ = try await person("Lärare", "larare@0114.se", .teacher, "0114")
        _ = try await person("Rektor Malmö", "rektor@malmo.se", .schoolLeader, "1280")
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func person(_ name: String, _ email: String, _ position: Position, _ code: String) async throws -> Person {
        let p = Person()
        p.name = name
        p.email = email
        p.position = position.rawValue
        p.municipalityCountry = "se"
        p.municipalityCode = code
        p.isExample = false
        try await p.create(on: app.db)
        return p
    }

    func coordinatorToken(_ code: String) async throws -> String {
        let grants = [RoleGrant(kind: .coordinator, municipality: .init(.se, code))]
        return try await makeToken(app, for: try await makeUser(app, email: "samordnare@\(code).se", grants: grants))
    }

    /// The survey, created and sent: its API path.
    func sent(_ fields: String) async throws -> String {
        let created = try await sendJSON(
            app, network.organiser, .POST, "/api/v1/collaborations/\(network.collaboration.slug)/questionnaires",
            #"{"title":"Rektorsenkät","closesAt":"2030-05-09T23:59","form":\#(Self.form),\#(fields)}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let base = "/api/v1/questionnaires/\((created.json["id"] as! String).lowercased())"
        let sent = try await sendJSON(app, network.organiser, .POST, base + "/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        return base
    }

    /// The links mailed to an address, latest last.
    func links(_ email: String) async throws -> [String] {
        try await OutboxMessage.query(on: app.db).filter(\.$recipient == email).sort(\.$nextAttemptAt).all()
            .compactMap { message in
                message.body.range(of: #"/survey/[A-Za-z0-9_-]+"#, options: .regularExpression).map {
                    String(message.body[$0])
                }
            }
    }

    func testAnAnonymousSurveyTiesNoAnswerToAPersonAndRemindsOnlyThoseWhoHaveNot() async throws {
        let base = try await sent(
            #""audience":"staff","positions":["school_leader"],"anonymity":"anonymous","asksSchool":true"#)
        let invited = try await SurveyInvitation.query(on: app.db).all().map(\.email).sorted()
        XCTAssertEqual(invited, leaders.map { $0.email! }.sorted(), "school leaders of registered municipalities only")

        let link = try await links("rektor0@0114.se")[0]
        let page = try await Client(app).get(link)
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("anonym"), "the promise is stated before the questions")
        XCTAssertTrue(page.body.string.contains("Grimstaskolan"), "their municipality's schools to choose from")
        let refused = try await Client(app).post(link, form: ["answers[time]": "9"])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let answered = try await Client(app).post(
            link, form: ["answers[time]": "4", "answers[wish]": "Tid", "school": "44227469"])
        XCTAssertEqual(answered.status, .ok, answered.body.string)
        let again = try await Client(app).post(link, form: ["answers[time]": "1"])
        XCTAssertEqual(again.status, .notFound, "a link answers once")

        // A database reader: the answer has no person, no time, no link; the invitation was not
        // touched; only the links are gone.
        let sql = app.db.sql
        struct Row: Decodable { var unit: Int; var grade: Int? }
        let rows = try await sql.raw("SELECT unit, grade FROM survey_answers").all(decoding: Row.self)
        XCTAssertEqual(rows.count, 1)
        XCTAssertNil(rows[0].grade)
        struct Invitation: Decodable { var email: String }
        let stillHolding = try await SurveySending.unanswered(
            try await Questionnaire.query(on: app.db).first()!, on: app.db
        ).map(\.email)
        XCTAssertFalse(stillHolding.contains("rektor0@0114.se"))
        XCTAssertEqual(stillHolding.count, 7)

        // The organiser sees how many, never who.
        let progress = try await sendJSON(app, network.organiser, .GET, base + "/progress")
        XCTAssertEqual(progress.json["asked"] as? Int, 8)
        XCTAssertEqual(progress.json["submitted"] as? Int, 1)
        XCTAssertEqual((progress.json["units"] as? [Any])?.count, 0)
        XCTAssertFalse(progress.body.string.contains("rektor"))

        // A reminder goes to the seven who hold a link, with a fresh one; not to the one who answered.
        let reminded = try await sendJSON(app, network.organiser, .POST, base + "/reminders")
        XCTAssertEqual(reminded.json["reminded"] as? Int, 7, reminded.body.string)
        let answeredLinks = try await links("rektor0@0114.se")
        XCTAssertEqual(answeredLinks.count, 1, "no reminder to one who answered")
        let others = try await links("rektor1@0114.se")
        XCTAssertEqual(others.count, 2)
        let fresh = try await Client(app).post(others[1], form: ["answers[time]": "2"])
        XCTAssertEqual(fresh.status, .ok)
        let first = try await Client(app).post(others[0], form: ["answers[time]": "2"])
        XCTAssertEqual(first.status, .notFound, "every link of the invitation went with the answer")

        // The answers count for Upplands Väsby and Grimstaskolan, hidden below five.
        _ = try await sendJSON(app, network.organiser, .POST, base + "/close")
        let results = try await sendJSON(
            app, network.organiser, .GET, base + "/results?municipality=se/0114/44227469")
        XCTAssertEqual(results.status, .ok, results.body.string)
        let groups = (results.json["questions"] as! [[String: Any]])[0]["items"] as! [[String: Any]]
        XCTAssertTrue((groups[0]["groups"] as! [Any]).allSatisfy { $0 is NSNull }, "two answers: all hidden")
    }

    func testAConfidentialSurveyNamesWhoAnsweredToTheOrganiserOnly() async throws {
        let base = try await sent(
            #""audience":"addresses","anonymity":"confidential","#
                + #""addresses":["rektor0@0114.se;se/0114","extern@example.org"]"#)
        let link = try await links("extern@example.org")[0]
        let answered = try await Client(app).post(link, form: ["answers[time]": "5"])
        XCTAssertEqual(answered.status, .ok)
        let progress = try await sendJSON(app, network.organiser, .GET, base + "/progress")
        let units = progress.json["units"] as! [[String: Any]]
        XCTAssertEqual(
            Dictionary(uniqueKeysWithValues: units.map { ($0["name"] as! String, $0["status"] as! String) }),
            ["Rektor 0 (rektor0@0114.se)": "not_started", "extern@example.org": "submitted"])
        // Whom it asks and what it promised stay once sent.
        let changed = try await sendJSON(
            app, network.organiser, .PUT, base,
            #"{"title":"Rektorsenkät","closesAt":"2030-05-09T23:59","audience":"addresses","anonymity":"anonymous"}"#)
        XCTAssertEqual(changed.status, .unprocessableEntity)
        // A coordinator of a registered municipality does not see who answered.
        let coordinator = try await coordinatorToken("0114")
        let forbidden = try await sendJSON(app, coordinator, .GET, base + "/progress")
        XCTAssertTrue([.forbidden, .notFound].contains(forbidden.status))
    }

    func testAListOfAddressesIsCheckedLineByLine() async throws {
        let created = try await sendJSON(
            app, network.organiser, .POST, "/api/v1/collaborations/\(network.collaboration.slug)/questionnaires",
            #"{"title":"Enkät","closesAt":"2030-05-09T23:59","form":\#(Self.form),"audience":"addresses","#
                + #""addresses":["anna@skola.se","inte en adress","bo@skola.se;se/9999"]}"#)
        XCTAssertEqual(created.status, .unprocessableEntity)
        let messages = (created.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        XCTAssertTrue(messages.contains { $0.contains("2") && $0.contains("inte en adress") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("3") && $0.contains("se/9999") }, "\(messages)")
        let staff = try await sendJSON(
            app, network.organiser, .POST, "/api/v1/collaborations/\(network.collaboration.slug)/questionnaires",
            #"{"title":"Enkät","closesAt":"2030-05-09T23:59","form":\#(Self.form),"audience":"staff","positions":[]}"#)
        XCTAssertEqual(staff.status, .unprocessableEntity, "staff of no position")
    }

    /// A network meeting in Upplands Väsby ending `endingIn` seconds from now, with three school
    /// leaders registered, two of whom checked in.
    func meeting(endingIn: TimeInterval) async throws -> Meeting {
        let meeting = Meeting()
        meeting.collaborationID = network.collaboration.id!
        meeting.title = "Nätverksträff i Upplands Väsby"
        meeting.description = ""
        meeting.kind = MeetingKind.meeting.rawValue
        meeting.status = MeetingStatus.published.rawValue
        meeting.startsAt = Date().addingTimeInterval(endingIn - 7_000)
        meeting.endsAt = Date().addingTimeInterval(endingIn)
        meeting.timeZone = "Europe/Stockholm"
        meeting.hostCountry = "se"
        meeting.hostCode = "0114"
        meeting.audience = MeetingAudience.seats.rawValue
        meeting.audiencePositions = []
        meeting.sequence = 0
        meeting.attendanceSequence = 0
        meeting.minutes = ""
        meeting.decisions = []
        try await meeting.create(on: app.db)
        for (n, leader) in leaders.prefix(3).enumerated() {
            let a = Attendance()
            a.meetingID = meeting.id!
            a.personID = leader.id!
            a.municipalityCountry = "se"
            a.municipalityCode = leader.municipalityCode
            a.status = AttendanceStatus.registered.rawValue
            a.sequence = n
            a.checkedInAt = n < 2 ? Date().addingTimeInterval(endingIn - 6_000) : nil
            a.checkedInOnline = false
            try await a.create(on: app.db)
        }
        return meeting
    }

    func testOrganisersDeclineAMeetingsEvaluationBeforeItEnds() async throws {
        let meeting = try await meeting(endingIn: 3_600)
        let path = "/api/v1/meetings/\(meeting.id!.uuidString.lowercased())/evaluation"
        var headers = bearer(network.organiser)
        headers.replaceOrAdd(name: .accept, value: "text/html")
        let page = try await app.testable().sendRequest(.GET, meeting.href, headers: headers)
        XCTAssertTrue(page.body.string.contains("name=\"sends\" value=\"no\""), "the organiser may decline it")
        // The host's coordinator reads its results but does not decide; nor does another municipality.
        for code in ["0114", "0180"] {
            let refused = try await sendJSON(app, try await coordinatorToken(code), .PUT, path, #"{"sends":false}"#)
            XCTAssertTrue([.forbidden, .notFound].contains(refused.status), "\(code): \(refused.status)")
        }
        let malformed = try await sendJSON(app, network.organiser, .PUT, path, #"{"sends":"perhaps"}"#)
        XCTAssertTrue([.badRequest, .unprocessableEntity].contains(malformed.status))
        let declined = try await sendJSON(app, network.organiser, .PUT, path, #"{"sends":false}"#)
        XCTAssertEqual(declined.status, .ok, declined.body.string)
        XCTAssertEqual(declined.json["sends"] as? Bool, false)
        let after = try await app.testable().sendRequest(.GET, meeting.href, headers: headers)
        XCTAssertTrue(after.body.string.contains("name=\"sends\" value=\"yes\""), "and take it back")

        meeting.endsAt = Date().addingTimeInterval(-60)
        try await meeting.save(on: app.db)
        try await MeetingEvaluations.sendDue(application: app)
        let none = try await SurveySettings.query(on: app.db).filter(\.$evaluation == true).count()
        XCTAssertEqual(none, 0, "declined: nothing sent")
        let again = try await sendJSON(app, network.organiser, .PUT, path, #"{"sends":true}"#)
        XCTAssertEqual(again.status, .ok)
        try await MeetingEvaluations.sendDue(application: app)
        let sent = try await SurveySettings.query(on: app.db).filter(\.$evaluation == true).count()
        XCTAssertEqual(sent, 1)
        let late = try await sendJSON(app, network.organiser, .PUT, path, #"{"sends":false}"#)
        XCTAssertEqual(late.status, .conflict, "once sent it stays")
    }

    func testAMeetingSendsItsEvaluationWhenItEndsAndShowsItToOrganisersAndHost() async throws {
        let meeting = try await meeting(endingIn: -600)
        try await MeetingEvaluations.sendDue(application: app)
        try await MeetingEvaluations.sendDue(application: app)
        let evaluations = try await SurveySettings.query(on: app.db).filter(\.$evaluation == true).all()
        XCTAssertEqual(evaluations.count, 1, "one evaluation, however often the round runs")
        let invited = try await SurveyInvitation.query(on: app.db).all().map(\.email).sorted()
        XCTAssertEqual(invited, ["rektor0@0114.se", "rektor1@0114.se"], "those who checked in")
        let q = try await Questionnaire.find(evaluations[0].id, on: app.db)!
        XCTAssertEqual(q.form, MeetingEvaluation.form)
        let mailed = try await links("rektor0@0114.se")
        XCTAssertEqual(mailed.count, 1)

        var headers = bearer(network.organiser)
        headers.replaceOrAdd(name: .accept, value: "text/html")
        let page = try await app.testable().sendRequest(.GET, meeting.href, headers: headers)
        XCTAssertTrue(page.body.string.contains("id=\"evaluation\""), "the organiser sees the evaluation")
        let host = try await coordinatorToken("0114")
        var hostHeaders = bearer(host)
        hostHeaders.replaceOrAdd(name: .accept, value: "text/html")
        let hostPage = try await app.testable().sendRequest(.GET, meeting.href, headers: hostHeaders)
        XCTAssertTrue(hostPage.body.string.contains("id=\"evaluation\""), "so does the host's coordinator")
        let other = try await coordinatorToken("0180")
        var otherHeaders = bearer(other)
        otherHeaders.replaceOrAdd(name: .accept, value: "text/html")
        let otherPage = try await app.testable().sendRequest(.GET, meeting.href, headers: otherHeaders)
        XCTAssertFalse(otherPage.body.string.contains("id=\"evaluation\""), "another municipality does not")
    }
}
