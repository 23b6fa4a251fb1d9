import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// H2 as the review reproduced it through the API, and the lock on published results.
final class ResultsSuppressionRouteTests: XCTestCase {
    var app: Application!
    var organiser: String!
    var coordinators: [String: String] = [:]
    var collaboration: Collaboration!
    /// København, with five of Sjælland in its cluster; five others of Hovedstaden; three of Syddanmark.
    let copenhagen = "101"
    let sjaelland = ["259", "350", "253", "265", "336"]
    let hovedstaden = ["147", "151", "153", "155", "157"]
    let syddanmark = ["461", "561", "630"]
    var all: [String] { [copenhagen] + sjaelland + hovedstaden + syddanmark }

    override func setUp() async throws {
        app = try await makeTestApp()
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "konsulent@kl.dk",
                grants: [RoleGrant(kind: .organiser, organisationID: kl.id)]))
        let body = """
            {"title":"Status på reformen","description":"Case 1","kind":"political_forum",
                "organiserID":"\(kl.id!.uuidString)",
             "timeZone":"Europe/Copenhagen","periodStart":"2027-01-01","periodEnd":"2029-12-31",
                 "deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
            """
        let created = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = created.json["slug"] as! String
        _ = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        collaboration = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()!
        let cluster = Cluster()
        cluster.collaborationID = collaboration.id!
        cluster.name = "Klynge Øst"
        cluster.position = 0
        cluster.wave = 1
        try await cluster.create(on: app.db)
        for (index, code) in all.enumerated() {
            let registration = Registration()
            registration.collaborationID = collaboration.id!
            registration.municipalityCountry = "dk"
            registration.municipalityCode = code
            registration.status = RegistrationStatus.registered.rawValue
            registration.sequence = index + 1
            try await registration.create(on: app.db)
            if code == copenhagen || sjaelland.contains(code) {
                let member = ClusterMember()
                member.clusterID = cluster.id!
                member.collaborationID = collaboration.id!
                member.municipalityCountry = "dk"
                member.municipalityCode = code
                try await member.create(on: app.db)
            }
            coordinators[code] = try await makeToken(
                app,
                for: try await makeUser(
                    app, email: "koordinator@\(code).dk",
                    grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, code))]))
        }
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    static let form = #"""
        {"sections":[{"key":"s","title":{"da":"Status"},"questions":[
          {"key":"ready","kind":"likert","text":{"da":"Hvor langt er I?"},"required":true,"scale":{"min":1,"max":5}},
          {"key":"why","kind":"long_text","text":{"da":"Hvorfor?"}}]}]}
        """#

    /// Sends, has all fourteen answer, closes and publishes to the participants.
    func published() async throws -> String {
        let created = try await sendJSON(
            app, organiser, .POST, "/api/v1/collaborations/\(collaboration.slug)/questionnaires",
            #"{"title":"Status 2027","audience":"registered","closesAt":"2030-05-09T23:59","form":\#(Self.form)}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let base = "/api/v1/questionnaires/\((created.json["id"] as! String).lowercased())"
        _ = try await sendJSON(app, organiser, .POST, base + "/send")
        for (i, code) in all.enumerated() {
            let why = i < 3 ? #","why":"Fordi \#(code)""# : ""
            let saved = try await sendJSON(
                app, coordinators[code], .PUT, base + "/responses/dk/\(code)",
                #"{"answers":{"ready":\#(1 + i % 5)\#(why)}}"#)
            XCTAssertEqual(saved.status, .ok, saved.body.string)
            _ = try await sendJSON(app, coordinators[code], .POST, base + "/responses/dk/\(code)/submit")
        }
        _ = try await sendJSON(app, organiser, .POST, base + "/close")
        let r = try await sendJSON(
            app, organiser, .PUT, base + "/publication",
            #"{"published":true,"visibility":"participants","textsPublished":true}"#)
        XCTAssertEqual(r.status, .ok, r.body.string)
        return base
    }

    func testKobenhavnCannotSubtractItsClusterAndRegionFromAll() async throws {
        let base = try await published()
        let results = try await sendJSON(app, coordinators[copenhagen], .GET, base + "/results?municipality=dk/101")
        XCTAssertEqual(results.status, .ok, results.body.string)
        XCTAssertEqual(results.json["respondents"] as? Int, 14)
        let kinds = (results.json["groups"] as! [[String: Any]]).map { $0["kind"] as! String }
        let questions = results.json["questions"] as! [[String: Any]]
        let ready = (questions.first { $0["key"] as? String == "ready" }!["items"] as! [[String: Any]])[0]
        let shown = (ready["groups"] as! [Any]).enumerated().compactMap { entry in
            entry.element is [String: Any] ? kinds[entry.offset] : nil
        }
        XCTAssertTrue(shown.contains("all"), "all fourteen are shown: \(shown)")
        XCTAssertFalse(
            shown.contains("cluster") && shown.contains("region"),
            "cluster (6) and region (6) overlap only in København: all − both + own would be Syddanmark's three "
                + "(\(shown))"
        )
        // Three wrote a text: fewer than the threshold, so none is listed to a participant.
        let why = questions.first { $0["key"] as? String == "why" }!
        XCTAssertEqual((why["texts"] as? [String]) ?? [], [])
        let organiserView = try await sendJSON(app, organiser, .GET, base + "/results")
        let texts =
            ((organiserView.json["questions"] as! [[String: Any]]).first { $0["key"] as? String == "why" }!["texts"]
                as? [String]) ?? []
        XCTAssertEqual(texts.count, 3, "organisers read them")
    }

    func testPublishedResultsKeepTheirWindowAndThreshold() async throws {
        let base = try await published()
        let reopen = try await sendJSON(
            app, organiser, .PUT, base, #"{"title":"Status 2027","closesAt":"2031-01-01T12:00"}"#)
        XCTAssertEqual(reopen.status, .unprocessableEntity, reopen.body.string)
        XCTAssertTrue(reopen.body.string.contains("closesAt"))
        let lower = try await sendJSON(
            app, organiser, .PUT, base, #"{"title":"Status 2027","closesAt":"2030-05-09T23:59","threshold":3}"#)
        XCTAssertEqual(lower.status, .unprocessableEntity, lower.body.string)
        XCTAssertTrue(lower.body.string.contains("threshold"))
        // Unpublishing does not unlock it.
        _ = try await sendJSON(app, organiser, .PUT, base + "/publication", #"{"published":false}"#)
        let again = try await sendJSON(
            app, organiser, .PUT, base, #"{"title":"Status 2027","closesAt":"2031-01-01T12:00"}"#)
        XCTAssertEqual(again.status, .unprocessableEntity)
        let late = try await sendJSON(app, coordinators["461"], .POST, base + "/responses/dk/461/reopen")
        XCTAssertEqual(late.status, .conflict, "answering does not open again")
        let renamed = try await sendJSON(
            app, organiser, .PUT, base, #"{"title":"Status på reformen 2027","closesAt":"2030-05-09T23:59"}"#)
        XCTAssertEqual(renamed.status, .ok, "the title may still change")
    }
}
