import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// "Kommunesamarbejde om folkeskolen 2014, 2015, 2016": a collaboration or a whole programme is
/// copied to its next season with its settings and people, invites the same municipalities again,
/// and the seasons stay linked.
extension CollaborationRouteTests {
    func testTheNextSeasonCarriesTheSettingsAndPeopleAndInvitesTheSameMunicipalities() async throws {
        let slug = try await politicalTrack(
            capacity: 12,
            price: #""priceKind":"per_municipality","priceAmount":"12500","currency":"DKK","#
                + #""periodStart":"2014-05-01","periodEnd":"2015-12-31","caseNumber":"2014-0412","#
                + #""funding":[{"funder":"A.P. Møller Fonden","amount":"2000000","currency":"DKK","purpose":"Net"}]"#)
        let researcher = people["odense.administration"]!
        let partner = Organisation(name: "DLF", kind: .association, country: .dk)
        try await partner.create(on: app.db)
        let role = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/roles",
            #"{"personID":"\#(researcher.uuidString)","role":"researcher"}"#)
        XCTAssertEqual(role.status, .created, role.body.string)
        let partnered = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/partners",
            #"{"organisationID":"\#(partner.id!.uuidString)"}"#)
        XCTAssertEqual(partnered.status, .created, partnered.body.string)
        let registered = try await json(
            aarhus, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/751", seats("aarhus"))
        XCTAssertEqual(registered.json["status"] as? String, "registered")

        // Only its organisers make the next season.
        let path = "/api/v1/collaborations/\(slug)/next-season"
        for (token, expected) in [(aarhus, HTTPStatus.forbidden), (member, .forbidden), (nil, .unauthorized)] {
            let refused = try await json(token, .POST, path, #"{"title":"Politisk del 2015"}"#)
            XCTAssertEqual(refused.status, expected, "\(token ?? "visitor")")
        }
        let bad = try await json(organiser, .POST, path, #"{"title":" ","years":9}"#)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(Set(fieldNames(bad)), ["title", "years"])
        let before = try await Collaboration.query(on: app.db).count()
        XCTAssertEqual(before, 1, "nothing half written")

        let made = try await json(organiser, .POST, path, #"{"title":"Politisk del 2015","years":1}"#)
        XCTAssertEqual(made.status, .created, made.body.string)
        let next = made.json
        let original = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)").json
        XCTAssertEqual(next["previousID"] as? String, original["id"] as? String)
        XCTAssertEqual(next["status"] as? String, "draft")
        XCTAssertEqual(next["periodStart"] as? String, "2015-05-01")
        XCTAssertEqual(next["periodEnd"] as? String, "2016-12-31")
        XCTAssertEqual(next["deadline"] as? String, "2031-05-09T10:00:00Z", "the same local noon a year on")
        XCTAssertEqual(next["capacity"] as? Int, 12)
        XCTAssertEqual((next["price"] as? [String: Any])?["amountMinor"] as? Int, 1_250_000)
        XCTAssertEqual((next["seats"] as? [Any])?.count, 3)
        XCTAssertEqual(next["themes"] as? [String], ["folkeskolereformen"])
        XCTAssertNil(next["caseNumber"] as? String, "a new season gets its own case number")
        XCTAssertEqual((next["funding"] as? [Any])?.count, 0, "funding is granted per season")
        let nextSlug = try XCTUnwrap(next["slug"] as? String)
        let members = try await json(organiser, .GET, "/api/v1/collaborations/\(nextSlug)/members")
        XCTAssertTrue(members.body.string.contains("DLF") && members.body.string.contains(researcher.uuidString))
        let registrations = try await Registration.query(on: app.db).count()
        XCTAssertEqual(registrations, 1, "registrations stay with their season")

        let bare = try await json(organiser, .POST, path, #"{"title":"Politisk del 2016","years":2,"people":false}"#)
        let bareSlug = try XCTUnwrap(bare.json["slug"] as? String)
        let bareMembers = try await json(organiser, .GET, "/api/v1/collaborations/\(bareSlug)/members")
        XCTAssertFalse(bareMembers.body.string.contains("DLF"))

        // The seasons stay linked; a draft season shows to its organisers only.
        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let page = try await web.get("/collaborations/\(nextSlug)", headers: en).body.string
        XCTAssertTrue(page.contains(#"href="/collaborations/\#(slug)">2014</a>"#), page)
        XCTAssertTrue(page.contains(#"aria-current="page">2015</strong>"#))
        let opened = try await json(
            organiser, .POST, "/api/v1/collaborations/\(nextSlug)/status", #"{"status":"open"}"#)
        XCTAssertEqual(opened.status, .ok, opened.body.string)
        let visitorPage = try await Client(app).get("/collaborations/\(slug)", headers: en).body.string
        XCTAssertTrue(visitorPage.contains(#"href="/collaborations/\#(nextSlug)">2015</a>"#), "published seasons link")
        XCTAssertFalse(visitorPage.contains(bareSlug), "a draft season is not shown to the public")

        // The invitation page offers the municipalities that took part, in one click.
        let invite = try await web.get("/collaborations/\(nextSlug)/invitations", headers: en).body.string
        XCTAssertTrue(invite.contains("Fill in the 1 municipality that took part in Politisk del 2014"), invite)
        let filled = try await web.get("/collaborations/\(nextSlug)/invitations?from=previous", headers: en).body.string
        XCTAssertTrue(filled.contains(">dk/751</textarea>"), filled)
        let listChoice = try XCTUnwrap(filled.range(of: #"id="scope-list""#))
        XCTAssertTrue(filled[listChoice.upperBound...].prefix(80).contains("checked"), "the list is the scope")
        let form = try await web.get("/collaborations/\(slug)/next-season", headers: en).body.string
        XCTAssertTrue(form.contains(#"value="Politisk del 2015""#), "the title offered moves its year")
        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let refusedForm = try await coordinator.get("/collaborations/\(slug)/next-season")
        XCTAssertEqual(refusedForm.status, .forbidden)
    }

    func testAProgrammesNextSeasonCopiesEveryTrack() async throws {
        let created = try await json(
            organiser, .POST, "/api/v1/programmes",
            #"{"title":"Kommunesamarbejde om folkeskolen 2014","organiserID":"\#(kl.id!.uuidString)"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let programme = try XCTUnwrap(created.json["id"] as? String)
        let programmeSlug = try XCTUnwrap(created.json["slug"] as? String)
        for period in ["2014-05-01", "2014-08-01"] {
            _ = try await politicalTrack(
                price: #""priceKind":"free","programmeID":"\#(programme)","periodStart":"\#(period)""#)
        }
        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let form = try await web.get("/programmes/\(programmeSlug)/next-season", headers: en).body.string
        XCTAssertTrue(form.contains("its 2 collaborations, each as its own next season"), form)
        let refused = try await json(aarhus, .POST, "/api/v1/programmes/\(programmeSlug)/next-season", "{}")
        XCTAssertEqual(refused.status, .forbidden)
        let bad = try await web.post(
            "/programmes/\(programmeSlug)/next-season", form: ["title": "", "years": "1"], headers: en)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        let made = try await web.post(
            "/programmes/\(programmeSlug)/next-season",
            form: ["title": "Kommunesamarbejde om folkeskolen 2015", "years": "1", "people": "on"], headers: en)
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        let location = try XCTUnwrap(made.headers.first(name: .location))
        let next = try await json(organiser, .GET, "/api/v1" + location)
        XCTAssertEqual(next.json["previousID"] as? String, programme)
        let tracks = try XCTUnwrap(next.json["collaborations"] as? [[String: Any]])
        XCTAssertEqual(tracks.count, 2)
        XCTAssertTrue(tracks.allSatisfy { $0["status"] as? String == "draft" })
        let copies = try await Collaboration.query(on: app.db).filter(\.$previousID != nil).all()
        XCTAssertEqual(Set(copies.compactMap(\.periodStart)), ["2015-05-01", "2015-08-01"])
        let page = try await web.get(location, headers: en).body.string
        XCTAssertTrue(page.contains(#"href="/programmes/\#(programmeSlug)">"#), page)
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "programme:next_season").count()
        XCTAssertEqual(audit, 1)
    }
}
