import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// Case 4 through the pages: an organiser writes a discussion guide from the 2022 slide guide's
/// structure; a municipality records its committee's session and agrees goals; the result is its
/// own until shared; shared results are side by side for the collaboration and go on an agenda.
final class GuideRouteTests: XCTestCase {
    var app: Application!
    var kl: Organisation!
    var collaboration: Collaboration!
    let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461"),
        kolding = MunicipalityKey(.dk, "621")

    override func setUp() async throws {
        app = try await makeTestApp(indicators: true)
        kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let organiser = try await makeUser(
            app, email: "konsulent@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let token = try await makeToken(app, for: organiser)
        let body = """
            {"title":"Skoleudvikling i kommunerne","description":"Case 4","kind":"standing_network",
                "organiserID":"\(kl.id!.uuidString)",
             "timeZone":"Europe/Copenhagen","periodStart":"2027-01-01","periodEnd":"2029-12-31",
                 "deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
            """
        let created = try await sendJSON(app, token, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        collaboration = try await Collaboration.query(on: app.db).filter(\.$slug == created.json["slug"] as! String)
            .first()!
        for (index, key) in [aarhus, odense].enumerated() {
            let registration = Registration()
            registration.collaborationID = collaboration.id!
            registration.municipalityCountry = "dk"
            registration.municipalityCode = key.code
            registration.status = RegistrationStatus.registered.rawValue
            registration.sequence = index + 1
            try await registration.create(on: app.db)
        }
        for (email, key) in [
            ("koordinator@aarhus.dk", aarhus), ("koordinator@odense.dk", odense), ("koordinator@kolding.dk", kolding),
        ] {
            try await makeUser(app, email: email, grants: [RoleGrant(kind: .coordinator, municipality: key)])
        }
        let meeting = try await sendJSON(
            app, token, .POST, "/api/v1/collaborations/\(collaboration.slug)/meetings",
            #"{"title":"Politisk møde","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00"}"#)
        XCTAssertEqual(meeting.status, .created, meeting.body.string)
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func client(_ email: String?) async throws -> Client {
        let client = Client(app)
        if let email { try await client.signIn(email, "correct horse battery") }
        return client
    }

    /// The 2022 slide guide's structure: slides 1-5, 6-8, 9-10, 11-12 and 13, each with its purpose.
    var guideForm: [String: String] {
        var fields = [
            "title": "Drøftelsesguide: skoleudvikling i kommunen",
            "introduction": "Til udvalgets drøftelse. Se **slides**.", "language": "da",
            "audience": "collaboration", "owner": "organisation:\(kl.id!.uuidString.lowercased())",
            "collaboration": collaboration.id!.uuidString.lowercased(),
        ]
        let sections = [
            (
                "Rammen for drøftelsen", "At forstå, hvorfor udvalget drøfter skoleudvikling nu.", "1-5",
                "Hvad kendetegner vores skoler i dag?"
            ),
            (
                "Resultater og trivsel", "At se på elevernes læring og trivsel.", "6-8",
                "Hvad viser tallene?\nHvad overrasker os?"
            ),
            (
                "Inddragelse", "At aftale, hvordan skoleledere, lærere og forældre inddrages.", "9-10",
                "Hvem skal være med?"
            ),
            ("Mål og rammer", "At formulere udvalgets mål og rammer.", "11-12", "Hvilke mål sætter vi?"),
            ("Opfølgning", "At aftale, hvornår og hvordan der følges op.", "13", "Hvornår ser vi på det igen?"),
        ]
        for (i, s) in sections.enumerated() {
            fields["s\(i + 1)_position"] = String(i + 1)
            fields["s\(i + 1)_title"] = s.0
            fields["s\(i + 1)_purpose"] = s.1
            fields["s\(i + 1)_slides"] = s.2
            fields["s\(i + 1)_questions"] = s.3
        }
        return fields
    }

    func testAGuideIsWrittenUsedByAMunicipalityAndItsSharedResultsGoOnAnAgenda() async throws {
        let organiser = try await client("konsulent@kl.dk")
        // No sections, and a backwards slide range: named by field, nothing written.
        do {
            let empty = try await organiser.post("/guides", form: guideForm.filter { !$0.key.hasPrefix("s") })
            XCTAssertEqual(empty.status, .unprocessableEntity)
            XCTAssertTrue(
                empty.body.string.contains("mindst ét afsnit") || empty.body.string.contains("at least one section"),
                empty.body.string)
            var backwards = guideForm
            backwards["s2_slides"] = "8-6"
            let bad = try await organiser.post("/guides", form: backwards)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.body.string.contains("href=\"#s2_slides\""), bad.body.string)
            let n = try await DiscussionGuide.query(on: app.db).count()
            XCTAssertEqual(n, 0)
        }
        // Sections numbered in another order come out in that order.
        var shuffled = guideForm
        shuffled["s1_position"] = "9"
        let created = try await organiser.post("/guides", form: shuffled)
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        let href = created.headers.first(name: .location)!
        let guide = try await DiscussionGuide.query(on: app.db).first()!
        XCTAssertEqual(guide.sections.map { $0.slides?.text ?? "" }, ["6-8", "9-10", "11-12", "13", "1-5"])
        XCTAssertEqual(guide.sections[0].questions, ["Hvad viser tallene?", "Hvad overrasker os?"])
        do {
            let r = try await organiser.post(href, form: guideForm); XCTAssertEqual(r.status, .seeOther, r.body.string)
        }

        // A draft is the writer's: members do not see it yet.
        let aarhusCoordinator = try await client("koordinator@aarhus.dk")
        do { let r = try await aarhusCoordinator.get(href); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await organiser.post("\(href)/publish", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        let page = try await aarhusCoordinator.get(href)
        XCTAssertEqual(page.status, .ok)
        for text in [
            "Rammen for drøftelsen", "At forstå, hvorfor udvalget drøfter skoleudvikling nu.", "Slides 1-5",
            "Hvornår ser vi på det igen?",
        ] {
            XCTAssertTrue(page.body.string.contains(text), text)
        }
        // Not a member of the collaboration, not a visitor.
        do {
            let r = try await (try await client("koordinator@kolding.dk")).get(href);
            XCTAssertEqual(r.status, .notFound)
        }
        do { let r = try await (try await client(nil)).get(href); XCTAssertEqual(r.status, .notFound) }

        // Aarhus records its committee's session; an agreement without a responsible person is refused.
        let sessions = "\(href)/sessions"
        do {
            let r = try await aarhusCoordinator.get("\(sessions)/new?municipality=dk/751");
            XCTAssertEqual(r.status, .ok)
        }
        do {
            let r = try await aarhusCoordinator.get("\(sessions)/new?municipality=dk/461");
            XCTAssertEqual(r.status, .forbidden, "another municipality")
        }
        var session = [
            "municipality": "dk/751", "held_on": "2027-03-14", "committee": "Børne- og Ungeudvalget",
            "p_politicians": "9 udvalgsmedlemmer", "p_school-leaders": "3 skoleledere",
            "p_parents": "Skolebestyrelsesformand",
            "n_s1": "Udvalget drøftede resultaterne.", "n_s1q1": "Karaktererne er steget.",
            "a1_kind": "goal", "a1_statement": "Flere elever skal have mindst 02 i dansk og matematik.",
            "a1_responsible": "",
            "a1_follow_up": "2028-01-31", "a1_indicator": "dk.fp9_exam_grade",
            "a2_kind": "frame", "a2_statement": "Skolelederne inddrages i hvert halvår.",
            "a2_responsible": "Skolechefen", "a2_follow_up": "2027-13-01",
        ]
        do {
            let r = try await aarhusCoordinator.post(sessions, form: session)
            XCTAssertEqual(r.status, .unprocessableEntity)
            XCTAssertTrue(r.body.string.contains("href=\"#a1_responsible\""), r.body.string)
            XCTAssertTrue(r.body.string.contains("href=\"#a2_follow_up\""))
            let n = try await LocalDialogue.query(on: app.db).count()
            XCTAssertEqual(n, 0)
        }
        session["a1_responsible"] = "Børne- og Ungeudvalget"
        session["a2_follow_up"] = "2027-12-01"
        let recorded = try await aarhusCoordinator.post(sessions, form: session)
        XCTAssertEqual(recorded.status, .seeOther, recorded.body.string)
        let record = recorded.headers.first(name: .location)!
        let stored = try await LocalDialogue.query(on: app.db).first()!
        XCTAssertEqual(stored.agreements.map(\.responsible), ["Børne- og Ungeudvalget", "Skolechefen"])
        XCTAssertEqual(stored.agreements.first?.indicator, "dk.fp9_exam_grade")
        XCTAssertEqual(stored.notes["s1q1"], "Karaktererne er steget.")
        // The goal agreed in the dialogue stands on Aarhus's goals page, ready to be set against its indicator.
        do {
            let r = try await aarhusCoordinator.get("/municipalities/dk/751/goals")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(
                r.body.string.contains("Flere elever skal have mindst 02 i dansk og matematik."), r.body.string)
            XCTAssertFalse(r.body.string.contains("Skolelederne inddrages"), "a frame is not a goal")
            XCTAssertTrue(
                r.body.string.contains("/municipalities/dk/751/goals?indicator=dk.fp9_exam_grade&amp;reason=Flere"))
            let adopt = try await aarhusCoordinator.get(
                "/municipalities/dk/751/goals?indicator=dk.fp9_exam_grade&reason=Flere%20elever&owner=Udvalget")
            XCTAssertTrue(
                adopt.body.string.contains(">Flere elever</textarea>")
                    || adopt.body.string.contains("value=\"Flere elever\""))
        }
        do {
            let r = try await (try await client("koordinator@odense.dk")).get("/municipalities/dk/751/goals")
            XCTAssertFalse(r.body.string.contains("Flere elever"), "another municipality does not see it")
        }

        // Aarhus's own until shared: Odense and the organiser do not see it, nor the results.
        let odenseCoordinator = try await client("koordinator@odense.dk")
        do { let r = try await odenseCoordinator.get(record); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await organiser.get(record); XCTAssertEqual(r.status, .notFound) }
        do {
            let r = try await organiser.get("\(href)/results")
            XCTAssertEqual(r.status, .ok, "L4: the results page answers")
            XCTAssertTrue(r.body.string.contains("<h1"))
            XCTAssertFalse(r.body.string.contains("Flere elever"))
        }
        do {
            let r = try await aarhusCoordinator.post("\(record)/share", form: [:]); XCTAssertEqual(r.status, .seeOther)
        }

        // Shared: the organiser and the other members see it side by side; others do not.
        let results = try await organiser.get("\(href)/results")
        XCTAssertEqual(results.status, .ok)
        XCTAssertTrue(results.body.string.contains("Flere elever skal have mindst 02 i dansk og matematik."))
        XCTAssertTrue(results.body.string.contains("Skolechefen"))
        do {
            let r = try await odenseCoordinator.get("\(href)/results");
            XCTAssertTrue(r.body.string.contains("Flere elever"))
        }
        do {
            let r = try await odenseCoordinator.get(record);
            XCTAssertEqual(r.status, .ok, "shared with the collaboration's members")
        }
        do {
            let r = try await odenseCoordinator.post("\(record)/unshare", form: [:]);
            XCTAssertEqual(r.status, .forbidden, "only Aarhus keeps it")
        }
        do {
            let r = try await (try await client("koordinator@kolding.dk")).get("\(href)/results");
            XCTAssertEqual(r.status, .notFound)
        }
        do {
            let r = try await odenseCoordinator.post("\(href)/results/agenda", form: ["meeting": UUID().uuidString]);
            XCTAssertEqual(r.status, .forbidden)
        }

        // The organiser puts them on the political meeting's agenda.
        let meeting = try await Meeting.query(on: app.db).first()!
        let agenda = try await organiser.post(
            "\(href)/results/agenda", form: ["meeting": meeting.id!.uuidString.lowercased()])
        XCTAssertEqual(agenda.status, .seeOther, agenda.body.string)
        let item = try await AgendaItem.query(on: app.db).filter(\.$meetingID == meeting.id!).first()
        XCTAssertEqual(item?.title, "Lokale drøftelser: Drøftelsesguide: skoleudvikling i kommunen")
        XCTAssertTrue(item?.description.contains("Aarhus") ?? false)
        XCTAssertTrue(item?.description.contains("Skolelederne inddrages i hvert halvår.") ?? false)

        // The municipality's list, and a guide in use cannot be deleted.
        do {
            let r = try await aarhusCoordinator.get("/municipalities/dk/751/dialogues");
            XCTAssertTrue(r.body.string.contains("Børne- og Ungeudvalget"))
        }
        do {
            let r = try await odenseCoordinator.get("/municipalities/dk/751/dialogues");
            XCTAssertEqual(r.status, .forbidden)
        }
        do { let r = try await organiser.post("\(href)/delete", form: [:]); XCTAssertEqual(r.status, .conflict) }
        // Pages in every language.
        for language in ["da", "sv", "en"] {
            _ = try await aarhusCoordinator.get("/language/\(language)?return=/")
            for path in [href, record, "\(href)/results", "/guides", "\(sessions)/new?municipality=dk/751"] {
                let r = try await aarhusCoordinator.get(path)
                XCTAssertEqual(r.status, .ok, "\(language) \(path)")
            }
        }
    }

    func testAMunicipalityWritesItsOwnPublicGuideAndOnlyItsCoordinatorsKeepIt() async throws {
        let kolding = try await client("koordinator@kolding.dk")
        var fields = guideForm
        fields["owner"] = "municipality:dk/621"
        fields["collaboration"] = ""
        fields["audience"] = "public"
        let created = try await kolding.post("/guides", form: fields)
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        let href = created.headers.first(name: .location)!
        // Claiming another organisation, or the collaboration of one it does not run, is refused.
        do {
            var other = fields
            other["owner"] = "organisation:\(kl.id!.uuidString.lowercased())"
            let r = try await kolding.post("/guides", form: other)
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
        do {
            let r = try await (try await client("koordinator@aarhus.dk")).post(href, form: fields);
            XCTAssertEqual(r.status, .notFound, "a draft of another")
        }
        do { let r = try await kolding.post("\(href)/publish", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        do {
            let r = try await (try await client(nil)).get(href); XCTAssertEqual(r.status, .ok, "public once published")
        }
        do {
            let r = try await (try await client("koordinator@aarhus.dk")).post(href, form: fields);
            XCTAssertEqual(r.status, .forbidden)
        }
        // Only its writers publish, attach, delete.
        let aarhus = try await client("koordinator@aarhus.dk")
        do { let r = try await aarhus.post("\(href)/unpublish", form: [:]); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await aarhus.post("\(href)/delete", form: [:]); XCTAssertEqual(r.status, .forbidden) }
        do {
            let r = try await aarhus.upload(
                "\(href)/presentation", fields: [:], file: ("x.pdf", Data("%PDF-1.7".utf8)));
            XCTAssertEqual(r.status, .forbidden)
        }
        // Its presentation: a PDF opens at each section's first slide.
        let pdf = try await kolding.upload(
            "\(href)/presentation", fields: [:], file: ("slides.pdf", Data("%PDF-1.7 guide".utf8)))
        XCTAssertEqual(pdf.status, .seeOther, pdf.body.string)
        let page = try await (try await client(nil)).get(href)
        XCTAssertTrue(page.body.string.contains("/presentation#page=9"), page.body.string)
        do {
            let r = try await kolding.upload(
                "\(href)/presentation", fields: [:], file: ("slides.html", Data("<html>".utf8)));
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
        try await checkUploadLimits(
            app, kolding, "\(href)/presentation", name: "stor.pdf", head: "%PDF-1.7\n", limitMB: 20)
        // A session with no collaboration has nothing to share with.
        let session = [
            "municipality": "dk/621", "held_on": "2027-02-01", "committee": "Børne- og Uddannelsesudvalget",
            "a1_statement": "Alle skoler laver en læseplan.", "a1_responsible": "Skolechefen",
            "a1_follow_up": "2027-08-01",
        ]
        let recorded = try await kolding.post("\(href)/sessions", form: session)
        XCTAssertEqual(recorded.status, .seeOther, recorded.body.string)
        let record = recorded.headers.first(name: .location)!
        do { let r = try await kolding.post("\(record)/share", form: [:]); XCTAssertEqual(r.status, .conflict) }
    }
}
