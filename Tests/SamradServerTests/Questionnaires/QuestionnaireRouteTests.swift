import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

final class QuestionnaireRouteTests: XCTestCase {
    var app: Application!
    var skr: Organisation!
    var collaboration: Collaboration!
    var organiser: String!, outsider: String!
    /// Coordinators of the first eight municipalities, by code.
    var coordinators: [String: String] = [:]
    let network = ["0180", "1480", "1280", "0580", "0380", "0780", "0581", "0680", "1980", "2180"]

    override func setUp() async throws {
        app = try await makeTestApp()
        let fixture = try await makeNetwork(app, registered: network, description: "Case 1")
        (skr, organiser, collaboration) = (fixture.skr, fixture.organiser, fixture.collaboration)
        outsider = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@kiruna.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "2584"))]))
        for (index, code) in network.enumerated() {
            let chief = Person()
            chief.name = "Skolchef \(code)"
            chief.email = "skolchef.\(code)@example.se"
            chief.position = Position.schoolChief.rawValue
            chief.municipalityCountry = "se"
            chief.municipalityCode = code
            chief.isExample = false
            try await chief.create(on: app.db)
            if index < 8 {
                coordinators[code] = try await makeToken(
                    app,
                    for: try await makeUser(
                        app, email: "coord@\(code).se",
                        grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, code))]))
            }
        }
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func json(
        _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
    ) async throws -> XCTHTTPResponse {
        try await sendJSON(app, token, method, path, body)
    }

    func fieldErrors(_ response: XCTHTTPResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }.sorted()
    }

    static let form = """
        {"sections":[{"key":"status","title":{"sv":"Status","en":"Status"},"questions":[
          {"key":"phase","kind":"single_choice","text":{"sv":"Hur långt har ni kommit?"},"required":true,
           "options":[{"key":"start","label":{"sv":"Vi har börjat"}},{"key":"middle","label":{"sv":"Mitt i"}},
               {"key":"done","label":{"sv":"Klart"}}]},
          {"key":"areas","kind":"multiple_choice","text":{"sv":"Områden"},"options":[{"key":"a",
              "label":{"sv":"Lärande"}},{"key":"b","label":{"sv":"Trivsel"}}]},
          {"key":"ready","kind":"likert","text":{"sv":"Hur redo är ni?"},"required":true,"scale":{"min":1,"max":5,
              "low":{"sv":"Inte alls"},"high":{"sv":"Helt"}}},
          {"key":"hours","kind":"number","text":{"sv":"Timmar per vecka"},"number":{"unit":{"sv":"timmar"},"min":0,
              "max":40,"wholeNumbers":true}},
          {"key":"plan","kind":"yes_no","text":{"sv":"Finns en plan?"},"required":true},
          {"key":"why","kind":"long_text","text":{"sv":"Varför inte?"},"required":true,"showIf":{"question":"plan",
              "values":["no"]}},
          {"key":"grid","kind":"matrix","text":{"sv":"Påståenden"},"statements":[{"key":"s1","label":{"sv":"Ett"}},
              {"key":"s2","label":{"sv":"Två"}}],"scale":{"min":1,"max":4}}
        ]}]}
        """

    func create(closes: String = "2030-05-09T23:59") async throws -> String {
        let created = try await json(
            organiser, .POST, "/api/v1/collaborations/\(collaboration.slug)/questionnaires",
            #"{"title":"Statusenkät "#
                + #"2027","audience":"registered","closesAt":"\#(closes)","reminderDays":[7,2],"form":\#(Self.form)}"#
        )
        XCTAssertEqual(created.status, .created, created.body.string)
        return (created.json["id"] as! String).lowercased()
    }

    func testColleaguesSavingAtTheSameMomentMakeOneResponseWithOneAnswerEach() async throws {
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        _ = try await json(organiser, .POST, base + "/send")
        let token = coordinators["0180"]!, app = app!
        // The first saves of one municipality's response, all at once (two instances would do the same).
        let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for hours in 1...8 {
                group.addTask {
                    try await sendJSON(
                        app, token, .PUT, base + "/responses/se/0180",
                        #"{"answers":{"hours":\#(hours),"areas":["a","b"]}}"#
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: .ok, count: 8))
        let responses = try await QuestionnaireResponse.query(on: app.db).filter(
            \.$questionnaireID == UUID(uuidString: id)!
        )
        .filter(\.$municipalityCode == "0180").all()
        XCTAssertEqual(responses.count, 1)
        let answers = try await AnswerRecord.query(on: app.db).filter(\.$responseID == responses[0].requireID()).all()
        XCTAssertEqual(answers.filter { $0.question == "hours" }.count, 1, "one answer, the last saved")
        XCTAssertEqual(answers.filter { $0.question == "areas" }.map { $0.option ?? "" }.sorted(), ["a", "b"])
    }

    /// H1: a school chief of Stockholm without a role cannot move into Göteborg to read or write its
    /// draft; a member that Stockholm's coordinator makes drafts Stockholm's answer but cannot submit it.
    func testOnlyARoleMakesAPersonAnswerForAMunicipality() async throws {
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        _ = try await json(organiser, .POST, base + "/send")
        _ = try await json(coordinators["1480"], .PUT, base + "/responses/se/1480", #"{"answers":{"phase":"start"}}"#)
        let chief = try await Person.query(on: app.db).filter(\.$email == "skolchef.0180@example.se").first()!
        let account = try await makeUser(app, email: "skolchef.0180@example.se", personID: chief.id)
        let token = try await makeToken(app, for: account)
        let move =
            #"{"name":"Skolchef "#
            + #"0180","position":"school_chief","email":"skolchef.0180@example.se","municipality":"se/1480"}"#
        do {
            let r = try await json(token, .PUT, "/api/v1/people/\(chief.id!.uuidString)", move);
            XCTAssertEqual(r.status, .forbidden, r.body.string)
        }
        for (method, body) in [(HTTPMethod.GET, nil), (.PUT, #"{"answers":{"phase":"done"}}"#)]
            as [(HTTPMethod, String?)]
        {
            let r = try await json(token, method, base + "/responses/se/1480", body)
            XCTAssertTrue([.forbidden, .notFound].contains(r.status), "\(method): \(r.status)")
            let own = try await json(token, method, base + "/responses/se/0180", body)
            XCTAssertTrue(
                [.forbidden, .notFound].contains(own.status), "no role in Stockholm either: \(method) \(own.status)")
        }
        let stockholm = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "kollega@0180.se",
                grants: [RoleGrant(kind: .member, municipality: MunicipalityKey(.se, "0180"))]))
        do {
            let r = try await json(stockholm, .PUT, base + "/responses/se/0180", #"{"answers":{"phase":"middle"}}"#);
            XCTAssertEqual(r.status, .ok, r.body.string)
        }
        do {
            let r = try await json(stockholm, .POST, base + "/responses/se/0180/submit");
            XCTAssertEqual(r.status, .forbidden)
        }
        do {
            let r = try await json(stockholm, .GET, base + "/responses/se/1480"); XCTAssertEqual(r.status, .forbidden)
        }
        let gothenburg = try await QuestionnaireResponse.query(on: app.db).filter(\.$municipalityCode == "1480")
            .first()!
        let answers = try await AnswerRecord.query(on: app.db).filter(\.$responseID == gothenburg.requireID()).all()
        XCTAssertEqual(answers.compactMap(\.option), ["start"], "Göteborg's draft is untouched")
    }

    /// M13: a double click (or two organisers at once) sends the questionnaire once.
    func testSendingTwiceAtOnceMailsOnce() async throws {
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        let token = organiser!, app = app!
        let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for _ in 0..<4 { group.addTask { try await sendJSON(app, token, .POST, base + "/send").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.filter { $0 == .ok }.count, 1, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 3, "\(statuses)")
        let mails = try await OutboxMessage.query(on: app.db).all()
        XCTAssertEqual(mails.count, Set(mails.map(\.recipient)).count, "one invitation per person")
        XCTAssertFalse(mails.isEmpty)
    }

    func testAnOrganiserBuildsAndSendsAndEachMunicipalityAnswersOnce() async throws {
        do {
            let r = try await json(
                coordinators["0180"], .POST, "/api/v1/collaborations/\(collaboration.slug)/questionnaires",
                #"{"title":"x","closesAt":"2030-01-01T00:00","form":\#(Self.form)}"#)
            XCTAssertEqual(r.status, .forbidden)
        }
        // A broken form names every problem.
        let broken = try await json(
            organiser, .POST, "/api/v1/collaborations/\(collaboration.slug)/questionnaires",
            #"{"title":"","closesAt":"someday","threshold":1,"form":{"sections":[{"key":"s","questions":[{"key":"a","#
                + #""kind":"single_choice","text":{"en":"A"},"options":[{"key":"x","label":{"en":"X"}}]},{"key":"a","#
                + #""kind":"yes_no","text":{"en":"B"}}]}]}}"#
        )
        XCTAssertEqual(broken.status, .unprocessableEntity)
        XCTAssertEqual(
            fieldErrors(broken),
            [
                "closesAt", "form.sections[0].questions[0].options", "form.sections[0].questions[1].key", "threshold",
                "title",
            ])
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        // Unsent: the organisers' alone.
        do { let r = try await json(coordinators["0180"], .GET, base); XCTAssertEqual(r.status, .notFound) }
        let sent = try await json(organiser, .POST, base + "/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        XCTAssertEqual(sent.json["units"] as? Int, 10)
        XCTAssertEqual(sent.json["recipients"] as? Int, 10)
        let mails = try await OutboxMessage.query(on: app.db).all()
        XCTAssertEqual(mails.count, 10)
        XCTAssertTrue(mails[0].body.contains("/answer/"), mails[0].body)
        do {
            let r = try await json(organiser, .POST, base + "/send"); XCTAssertEqual(r.status, .conflict, "sent once")
        }

        let stockholm = base + "/responses/se/0180"
        // Wrong answers change nothing.
        let wrong = try await json(
            coordinators["0180"], .PUT, stockholm, #"{"answers":{"phase":"later","hours":41,"grid":{"s9":2},"nope":1}}"#
        )
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(wrong), ["answers.grid.s9", "answers.hours", "answers.nope", "answers.phase"])
        do {
            let r = try await json(coordinators["0180"], .GET, stockholm);
            XCTAssertEqual(r.json["status"] as? String, "not_started")
        }
        // A draft, saved as it goes, then the rest.
        let draft = try await json(
            coordinators["0180"], .PUT, stockholm, #"{"answers":{"phase":"middle","plan":false}}"#)
        XCTAssertEqual(draft.status, .ok, draft.body.string)
        XCTAssertEqual(draft.json["status"] as? String, "draft")
        XCTAssertEqual(draft.json["missing"] as? [String], ["ready", "why"])
        let early = try await json(coordinators["0180"], .POST, stockholm + "/submit")
        XCTAssertEqual(early.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(early), ["answers.ready", "answers.why"])
        _ = try await json(
            coordinators["0180"], .PUT, stockholm,
            #"{"answers":{"ready":4,"areas":["b","a"],"hours":"12","grid":{"s1":3,"s2":4},"why":"Vi börjar i höst"}}"#)
        let submitted = try await json(coordinators["0180"], .POST, stockholm + "/submit")
        XCTAssertEqual(submitted.status, .ok, submitted.body.string)
        XCTAssertEqual(submitted.json["status"] as? String, "submitted")
        XCTAssertEqual((submitted.json["answers"] as? [String: Any])?["areas"] as? [String], ["a", "b"])
        do {
            let r = try await json(coordinators["0180"], .POST, stockholm + "/submit");
            XCTAssertEqual(r.status, .conflict, "a second submission")
        }
        do {
            let r = try await json(coordinators["0180"], .PUT, stockholm, #"{"answers":{"ready":5}}"#);
            XCTAssertEqual(r.status, .conflict, "reopen first")
        }
        // Reopen, change, submit again.
        do {
            let r = try await json(coordinators["0180"], .POST, stockholm + "/reopen");
            XCTAssertEqual(r.json["status"] as? String, "draft")
        }
        _ = try await json(coordinators["0180"], .PUT, stockholm, #"{"answers":{"plan":true}}"#)
        do { let r = try await json(coordinators["0180"], .POST, stockholm + "/submit"); XCTAssertEqual(r.status, .ok) }
        let kept = try await AnswerRecord.query(on: app.db).filter(\.$question == "why").count()
        XCTAssertEqual(kept, 0, "the answer to a question that no longer shows is not kept")

        // Nobody reads another municipality's answer.
        do { let r = try await json(coordinators["1480"], .GET, stockholm); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await json(outsider, .GET, stockholm); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await json(nil, .GET, stockholm); XCTAssertEqual(r.status, .notFound) }
        do {
            let r = try await json(organiser, .GET, stockholm); XCTAssertEqual(r.json["status"] as? String, "submitted")
        }
        do {
            let r = try await json(coordinators["1480"], .PUT, stockholm, #"{"answers":{"ready":1}}"#);
            XCTAssertEqual(r.status, .forbidden)
        }

        // Once answers exist only the wording may change, and the change is kept.
        let reworded = Self.form.replacingOccurrences(
            of: "Hur långt har ni kommit?", with: "Hur långt har förvaltningen kommit?")
        let ok = try await json(
            organiser, .PUT, base, #"{"title":"Statusenkät 2027","closesAt":"2030-05-09T23:59","form":\#(reworded)}"#)
        XCTAssertEqual(ok.status, .ok, ok.body.string)
        let revisions = try await QuestionnaireRevision.query(on: app.db).all()
        XCTAssertEqual(revisions.map(\.changed), [["phase"]])
        let restructured = Self.form.replacingOccurrences(
            of: #"{"key":"done","label":{"sv":"Klart"}}"#, with: #"{"key":"finished","label":{"sv":"Klart"}}"#)
        let refused = try await json(
            organiser, .PUT, base,
            #"{"title":"Statusenkät 2027","closesAt":"2030-05-09T23:59","form":\#(restructured)}"#)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(refused), ["form"])

        // The response rate.
        _ = try await json(coordinators["1480"], .PUT, base + "/responses/se/1480", #"{"answers":{"phase":"start"}}"#)
        let progress = try await json(organiser, .GET, base + "/progress")
        XCTAssertEqual(progress.json["asked"] as? Int, 10)
        XCTAssertEqual(progress.json["submitted"] as? Int, 1)
        XCTAssertEqual(progress.json["drafting"] as? Int, 1)
        XCTAssertEqual(progress.json["notStarted"] as? Int, 8)
        do {
            let r = try await json(coordinators["0180"], .GET, base + "/progress"); XCTAssertEqual(r.status, .forbidden)
        }
        // Only organisers build, send, close, copy, remind and publish.
        for (method, path, body) in [
            (HTTPMethod.PUT, base, #"{"title":"x","closesAt":"2030-05-09T23:59"}"#), (.POST, base + "/send", nil),
            (.POST, base + "/close", nil),
            (.POST, base + "/copy", #"{"closesAt":"2031-05-09T23:59"}"#), (.POST, base + "/reminders", nil),
            (.PUT, base + "/publication", #"{"published":false}"#),
        ] {
            let r = try await json(coordinators["0180"], method, path, body)
            XCTAssertEqual(r.status, .forbidden, "\(method) \(path)")
            let anonymous = try await json(nil, method, path, body)
            XCTAssertEqual(anonymous.status, .notFound, "\(method) \(path)")
        }
        let reminded = try await json(organiser, .POST, base + "/reminders")
        XCTAssertEqual(reminded.json["reminded"] as? Int, 9)
    }

    func testResultsArePublishedAfterClosingAndHideSmallGroups() async throws {
        // A cluster of the eight municipalities with coordinators; 0680 will not answer.
        let cluster = Cluster()
        cluster.collaborationID = collaboration.id!
        cluster.name = "Kluster Öst"
        cluster.position = 0
        cluster.wave = 1
        try await cluster.create(on: app.db)
        for code in network.prefix(8) {
            let member = ClusterMember()
            member.clusterID = cluster.id!
            member.collaborationID = collaboration.id!
            member.municipalityCountry = "se"
            member.municipalityCode = code
            try await member.create(on: app.db)
        }
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        _ = try await json(organiser, .POST, base + "/send")
        // Seven municipalities answer; Stockholm's "ready" is 5, the others 1-3.
        for (i, code) in network.prefix(7).enumerated() {
            let path = base + "/responses/se/\(code)"
            let r = try await json(
                coordinators[code], .PUT, path,
                #"{"answers":{"phase":"start","ready":\#(code == "0180" ? 5 : 1 + i % 3),"plan":true,"#
                    + #""hours":\#(10 + i)}}"#
            )
            XCTAssertEqual(r.status, .ok, r.body.string)
            let s = try await json(coordinators[code], .POST, path + "/submit")
            XCTAssertEqual(s.status, .ok, s.body.string)
        }
        do {
            let r = try await json(coordinators["0180"], .GET, base + "/results");
            XCTAssertEqual(r.status, .forbidden, "not published")
        }
        do {
            let r = try await json(
                organiser, .PUT, base + "/publication", #"{"published":true,"visibility":"participants"}"#);
            XCTAssertEqual(r.status, .conflict, "still open")
        }
        do {
            let r = try await json(organiser, .POST, base + "/close"); XCTAssertEqual(r.json["closed"] as? Bool, true)
        }
        do {
            let r = try await json(
                coordinators["0680"], .PUT, base + "/responses/se/0680", #"{"answers":{"phase":"done"}}"#);
            XCTAssertEqual(r.status, .conflict, "after the deadline")
        }
        let published = try await json(
            organiser, .PUT, base + "/publication", #"{"published":true,"visibility":"participants"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)

        let results = try await json(coordinators["0180"], .GET, base + "/results")
        XCTAssertEqual(results.status, .ok, results.body.string)
        XCTAssertEqual(results.json["respondents"] as? Int, 7)
        XCTAssertEqual(results.json["viewpoint"] as? String, "se/0180")
        let groups = (results.json["groups"] as! [[String: Any]]).map { $0["kind"] as! String }
        XCTAssertEqual(groups.last, "all")
        let questions = results.json["questions"] as! [[String: Any]]
        let ready = (questions.first { $0["key"] as? String == "ready" }!["items"] as! [[String: Any]])[0]
        XCTAssertEqual((ready["own"] as? [String: Any])?["mean"] as? Double, 5)
        let all = (ready["groups"] as! [Any]).last as? [String: Any]
        XCTAssertEqual(all?["n"] as? Int, 7)
        // Every smaller group this viewer sees has at least five, and so does what is left when
        // subtracting it (or the own answer) from all: the region of Stockholm (1 respondent) is hidden.
        for (index, figures) in (ready["groups"] as! [Any]).enumerated() where groups[index] != "all" {
            if let f = figures as? [String: Any] {
                XCTAssertGreaterThanOrEqual(f["n"] as! Int, 5);
                XCTAssertTrue(7 - (f["n"] as! Int) == 0 || 7 - (f["n"] as! Int) >= 5)
            }
        }
        // L4: the region is named, and its figures are null (hidden), not left out.
        let regionIndex = try XCTUnwrap(groups.firstIndex(of: "region"), "\(groups)")
        XCTAssertTrue((ready["groups"] as! [Any])[regionIndex] is NSNull, "Stockholm's region (1 respondent) is hidden")
        // A member of the cluster that did not answer still compares with its cluster (7 answers).
        let silent = try await json(coordinators["0680"], .GET, base + "/results")
        let silentGroups = (silent.json["groups"] as? [[String: Any]])?.map { $0["label"] as! String }
        XCTAssertEqual(silentGroups?.first, "Kluster Öst")
        // Someone who is not a participant sees nothing; the public nothing until published to it.
        do { let r = try await json(outsider, .GET, base + "/results"); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await json(nil, .GET, base + "/results"); XCTAssertEqual(r.status, .notFound) }
        _ = try await json(organiser, .PUT, base + "/publication", #"{"published":true,"visibility":"public"}"#)
        let open = try await json(nil, .GET, base + "/results")
        XCTAssertEqual(open.status, .ok)
        XCTAssertEqual((open.json["groups"] as? [[String: Any]])?.map { $0["kind"] as! String }, ["all"])
        XCTAssertNil(open.json["viewpoint"] as? String)
        // Organisers see everything and can look as one municipality does.
        let asMalmo = try await json(organiser, .GET, base + "/results?municipality=se/1280")
        XCTAssertEqual(asMalmo.json["viewpoint"] as? String, "se/1280")
        do {
            let r = try await json(organiser, .GET, base + "/results?municipality=nowhere");
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
    }

    func testNextYearsCopyIsPrefilledFromLastYearsAnswer() async throws {
        let id = try await create()
        let base = "/api/v1/questionnaires/\(id)"
        _ = try await json(organiser, .POST, base + "/send")
        _ = try await json(
            coordinators["0180"], .PUT, base + "/responses/se/0180",
            #"{"answers":{"phase":"middle","ready":3,"plan":true,"hours":8}}"#)
        do {
            let r = try await json(coordinators["0180"], .POST, base + "/responses/se/0180/submit");
            XCTAssertEqual(r.status, .ok, r.body.string)
        }
        let copy = try await json(
            organiser, .POST, base + "/copy", #"{"title":"Statusenkät 2028","closesAt":"2030-06-09T23:59"}"#)
        XCTAssertEqual(copy.status, .created, copy.body.string)
        let next = (copy.json["id"] as! String).lowercased()
        XCTAssertEqual(copy.json["prefill"] as? Bool, true)
        _ = try await json(organiser, .POST, "/api/v1/questionnaires/\(next)/send")
        let updated = try await json(
            coordinators["0180"], .PUT, "/api/v1/questionnaires/\(next)/responses/se/0180", #"{"answers":{"ready":4}}"#)
        let answers = updated.json["answers"] as? [String: Any]
        XCTAssertEqual(answers?["phase"] as? String, "middle", "last year's answer")
        XCTAssertEqual(answers?["ready"] as? Double, 4, "this year's change")
        XCTAssertEqual(updated.json["status"] as? String, "draft")
    }
}
