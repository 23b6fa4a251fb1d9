import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Case 1: "12 kommuner vil få mulighed for at deltage" — municipalities apply until the deadline,
/// the organiser chooses with the spread over regions and sizes in view, and everyone is told at
/// once; those not chosen wait in order of application and move up when a place frees.
extension CollaborationRouteTests {
    /// A third municipality that applies: Læsø, small and in another region.
    func laeso() async throws -> String {
        for position in [Position.committeeChair, .committeeMember, .administration] {
            let person = Person()
            person.name = "laeso \(position.rawValue)"
            person.email = "\(position.rawValue)@laeso.dk"
            person.position = position.rawValue
            person.municipalityCountry = "dk"
            person.municipalityCode = "825"
            person.isExample = false
            try await person.create(on: app.db)
            people["laeso.\(position.rawValue)"] = person.id
        }
        return try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@laeso.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "825"))]))
    }

    func status(_ slug: String, _ key: String) async throws -> String? {
        let shown = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/registrations/\(key)")
        return shown.json["status"] as? String
    }

    func testTheOrganiserChoosesAmongTheApplicationsAndEveryoneIsToldAtOnce() async throws {
        let laeso = try await laeso()
        let noPlaces = try await json(
            organiser, .POST, "/api/v1/collaborations",
            #"{"title":"Udvalgt","kind":"political_forum","organiserID":"\#(kl.id!.uuidString)","#
                + #""seats":[],"priceKind":"free","admission":"selection"}"#)
        XCTAssertEqual(noPlaces.status, .unprocessableEntity)
        XCTAssertEqual(fieldNames(noPlaces), ["admission"])

        let slug = try await politicalTrack(capacity: 2, price: #""priceKind":"free","admission":"selection""#)
        let path = "/api/v1/collaborations/\(slug)/registrations"
        let applicants = [(aarhus, "dk/751", "aarhus"), (odense, "dk/461", "odense"), (laeso, "dk/825", "laeso")]
        for (token, key, town) in applicants {
            let applied = try await json(token, .POST, "\(path)/\(key)", seats(town))
            XCTAssertEqual(applied.json["status"] as? String, "applied", applied.body.string)
        }
        let notices = try await OutboxMessage.query(on: app.db).filter(\.$body ~~ "har søgt om en plads").count()
        XCTAssertGreaterThan(notices, 0, "the coordinators and organisers hear of each application")
        let seatMails = try await OutboxMessage.query(on: app.db).filter(\.$recipient ~~ "committee_chair@").count()
        XCTAssertEqual(seatMails, 0, "nobody in a seat is told anything before the choice")

        // Only the organiser sees the applications and chooses.
        let selection = "/api/v1/collaborations/\(slug)/selection"
        for (token, expected) in [(aarhus, HTTPStatus.forbidden), (member, .forbidden), (nil, .unauthorized)] {
            let looked = try await json(token, .GET, selection)
            XCTAssertEqual(looked.status, expected, "looking: \(token ?? "visitor")")
            let chose = try await json(token, .POST, selection, #"{"chosen":["dk/751"]}"#)
            XCTAssertEqual(chose.status, expected, "choosing: \(token ?? "visitor")")
        }

        // Weighing a choice writes nothing and shows its spread.
        let weighed = try await json(organiser, .GET, selection + "?chosen=dk/751,dk/825")
        XCTAssertEqual(weighed.status, .ok, weighed.body.string)
        let rows = try XCTUnwrap(weighed.json["applicants"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["municipality"] as? String }, ["dk/751", "dk/461", "dk/825"])
        XCTAssertEqual(rows.compactMap { $0["order"] as? Int }, [1, 2, 3])
        let spread = try XCTUnwrap(weighed.json["spread"] as? [String: Any])
        XCTAssertEqual(spread["chosen"] as? Int, 2)
        XCTAssertEqual(spread["applied"] as? Int, 3)
        let regions = try XCTUnwrap(spread["regions"] as? [[String: Any]])
        XCTAssertEqual(regions.count, 3, "Midtjylland, Nordjylland and Syddanmark")
        XCTAssertEqual(regions.map { $0["chosen"] as? Int ?? -1 }.reduce(0, +), 2)
        let sizes = try XCTUnwrap(spread["sizes"] as? [[String: Any]])
        XCTAssertEqual(sizes.first?["key"] as? String, "under_20000", "Læsø")
        XCTAssertEqual(sizes.last?["key"] as? String, "100000_up", "Aarhus and Odense")

        // The choice waits for the applications to close.
        let early = try await json(organiser, .POST, selection, #"{"chosen":["dk/751","dk/825"]}"#)
        XCTAssertEqual(early.status, .conflict)
        let closed = try await json(organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"closed"}"#)
        XCTAssertEqual(closed.status, .ok)
        let tooMany = try await json(organiser, .POST, selection, #"{"chosen":["dk/751","dk/825","dk/461"]}"#)
        XCTAssertEqual(tooMany.status, .unprocessableEntity)
        XCTAssertEqual(fieldNames(tooMany), ["chosen"])
        let stranger = try await json(organiser, .POST, selection, #"{"chosen":["dk/101"]}"#)
        XCTAssertEqual(stranger.status, .unprocessableEntity, "København did not apply")
        let nobody = try await json(organiser, .POST, selection, #"{"chosen":[]}"#)
        XCTAssertEqual(nobody.status, .unprocessableEntity)
        let unchanged = try await status(slug, "dk/751")
        XCTAssertEqual(unchanged, "applied", "nothing half written")

        let chosen = try await json(organiser, .POST, selection, #"{"chosen":["dk/751","dk/825"]}"#)
        XCTAssertEqual(chosen.status, .ok, chosen.body.string)
        XCTAssertNotNil(chosen.json["placesChosenAt"] as? String)
        let statuses = try await [status(slug, "dk/751"), status(slug, "dk/461"), status(slug, "dk/825")]
        XCTAssertEqual(statuses, ["registered", "waitlisted", "registered"])

        // Everyone is told at once: the people in the seats with their links, and the coordinators.
        let mails = try await OutboxMessage.query(on: app.db).all()
        let given = Set(mails.filter { $0.subject.hasPrefix("I har fået en plads") }.map(\.recipient))
        XCTAssertEqual(
            given,
            [
                "committee_chair@aarhus.dk", "committee_member@aarhus.dk", "administration@aarhus.dk",
                "committee_chair@laeso.dk", "committee_member@laeso.dk", "administration@laeso.dk",
            ])
        let waiting = Set(mails.filter { $0.subject.hasPrefix("På ventelisten") }.map(\.recipient))
        XCTAssertEqual(waiting, ["committee_chair@odense.dk", "committee_member@odense.dk", "administration@odense.dk"])
        let toldCoordinators = mails.filter {
            $0.body.contains("blev ikke valgt") || $0.body.contains("har fået en plads i")
        }
        let coordinators: Set = ["coord@aarhus.dk", "coord@odense.dk", "coord@laeso.dk"]
        XCTAssertEqual(Set(toldCoordinators.map(\.recipient)).intersection(coordinators), coordinators)
        XCTAssertFalse(toldCoordinators.contains { $0.recipient == "consultant@kl.dk" }, "the organiser chose it")

        let again = try await json(organiser, .POST, selection, #"{"chosen":["dk/461"]}"#)
        XCTAssertEqual(again.status, .conflict, "the choice is made once")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "registration:choose").all()
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.summary, "chosen: dk/751, dk/825; waiting: dk/461")

        // The waiting list follows the choice: a place that frees goes to the first who waits.
        let withdrawn = try await json(organiser, .POST, "\(path)/dk/825/withdraw")
        XCTAssertEqual(withdrawn.status, .ok, withdrawn.body.string)
        let movedUp = try await status(slug, "dk/461")
        XCTAssertEqual(movedUp, "registered")
    }

    func testTheChoiceOnThePagesAndWhatTheApplicantsRead() async throws {
        let slug = try await politicalTrack(capacity: 1, price: #""priceKind":"free","admission":"selection""#)
        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let form = try await coordinator.get("/collaborations/\(slug)/registrations/dk/751", headers: en).body.string
        XCTAssertTrue(form.contains("Apply for a place"), form)
        XCTAssertTrue(form.contains("chooses the participants among the applications"))
        let detail = try await coordinator.get("/collaborations/\(slug)", headers: en).body.string
        XCTAssertTrue(detail.contains("1 place, given among the applications after the deadline"), detail)
        for town in ["aarhus", "odense"] {
            let token = town == "aarhus" ? aarhus : odense
            let key = town == "aarhus" ? "dk/751" : "dk/461"
            let applied = try await json(
                token, .POST, "/api/v1/collaborations/\(slug)/registrations/\(key)", seats(town))
            XCTAssertEqual(applied.status, .created)
        }
        let mine = try await coordinator.get("/collaborations/\(slug)/registrations/dk/751", headers: en).body.string
        XCTAssertTrue(mine.contains("<strong>Applied</strong>"), mine)
        let refused = try await coordinator.get("/collaborations/\(slug)/selection")
        XCTAssertEqual(refused.status, .forbidden, "a coordinator does not see who else applied")

        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let page = try await web.get("/collaborations/\(slug)/selection", headers: en).body.string
        XCTAssertTrue(page.contains("Applications are taken until"), page)
        XCTAssertTrue(page.contains(#"name="chosen[]""#) && page.contains(#"value="dk/751""#))
        XCTAssertFalse(page.contains(#"value="give""#), "no giving while applications are taken")

        func post(_ fields: [(String, String)]) async throws -> XCTHTTPResponse {
            let body = (fields + [("_csrf", web.csrf)]).map { "\($0.0.urlEncoded)=\($0.1.urlEncoded)" }
                .joined(separator: "&")
            var headers = en
            headers.contentType = .urlEncodedForm
            return try await web.send(
                .POST, "/collaborations/\(slug)/selection", headers: headers, body: ByteBuffer(string: body))
        }
        let weighed = try await post([("chosen[]", "dk/751"), ("chosen[]", "dk/461"), ("step", "weigh")])
        XCTAssertEqual(weighed.status, .ok)
        XCTAssertTrue(weighed.body.string.contains("Chosen: 2 for 1 place."), weighed.body.string)
        XCTAssertTrue(weighed.body.string.contains(#"value="dk/461" checked"#), "the ticks are kept")

        let sql = app.db.sql
        try await sql.raw("UPDATE collaborations SET deadline = \(bind: Date().addingTimeInterval(-60))").run()
        let ready = try await web.get("/collaborations/\(slug)/selection", headers: en).body.string
        XCTAssertTrue(ready.contains("2 municipalities applied. Places: 1."), ready)
        let over = try await post([("chosen[]", "dk/751"), ("chosen[]", "dk/461"), ("step", "give")])
        XCTAssertEqual(over.status, .unprocessableEntity)
        XCTAssertTrue(over.body.string.contains("More are chosen than there are places: 2 chosen, places: 1."))
        XCTAssertTrue(over.body.string.contains(##"href="#chosen""##), "the summary leads to the choice")
        let given = try await post([("chosen[]", "dk/461"), ("step", "give")])
        XCTAssertEqual(given.status, .seeOther, given.body.string)
        let done = try await web.get("/collaborations/\(slug)/selection", headers: en).body.string
        XCTAssertTrue(done.contains("The places were given on"), done)
        XCTAssertFalse(done.contains(#"name="chosen[]""#), "nothing left to tick")

        // How places are given cannot change once municipalities have answered.
        let current = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)")
        var edited = current.json
        edited["organiserID"] = kl.id!.uuidString
        edited["deadline"] = "2030-05-09T12:00"
        edited["priceKind"] = "free"
        edited["admission"] = "first_come"
        let body = String(data: try JSONSerialization.data(withJSONObject: edited), encoding: .utf8)!
        let locked = try await json(organiser, .PUT, "/api/v1/collaborations/\(slug)", body)
        XCTAssertEqual(locked.status, .unprocessableEntity, locked.body.string)
        XCTAssertEqual(fieldNames(locked), ["admission"])
    }

    func fieldNames(_ response: XCTHTTPResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }
}
