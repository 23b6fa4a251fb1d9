import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// The retention job: sent e-mails, old audit entries and failed sign-ins go after their time; a
/// concluded collaboration past its own months keeps its meetings and registrations but not who
/// came, their names in the minutes, nor personal links. The privacy notice the administrators fill in.
final class RetentionRouteTests: XCTestCase {
    var app: Application!
    var network: TestNetwork!
    var adminToken: String!
    let now = Date()

    override func setUp() async throws {
        app = try await makeTestApp()
        let admin = try await makeUser(app, email: "admin@example.se", grants: [RoleGrant(kind: .administrator)])
        adminToken = try await makeToken(app, for: admin)
        network = try await makeNetwork(app, registered: ["1281"], description: "Nätverket")
    }

    override func tearDown() async throws { try await app.asyncShutdown() }

    func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    /// A meeting of the collaboration with Lena attending and named in the minutes.
    func meetingWithLena(_ collaboration: Collaboration) async throws -> (Meeting, Person) {
        let lena = Person()
        lena.name = "Lena Holmqvist"
        lena.email = "lena.holmqvist@lund.se"
        lena.position = "school_leader"
        lena.municipalityCountry = "se"
        lena.municipalityCode = "1281"
        lena.isExample = false
        try await lena.create(on: app.db)
        let meeting = Meeting()
        meeting.collaborationID = collaboration.id!
        meeting.title = "Vårmöte"
        meeting.description = ""
        meeting.kind = "in_person"
        meeting.status = "held"
        meeting.startsAt = daysAgo(400)
        meeting.endsAt = daysAgo(400).addingTimeInterval(3600)
        meeting.timeZone = "Europe/Stockholm"
        meeting.audience = "registered"
        meeting.audiencePositions = []
        meeting.sequence = 0
        meeting.attendanceSequence = 0
        meeting.minutes = "Lena Holmqvist berättade om läsprojektet. Alla tackade."
        meeting.decisions = ["Fortsätta läsprojektet"]
        try await meeting.create(on: app.db)
        let attendance = Attendance()
        attendance.meetingID = meeting.id!
        attendance.personID = lena.id!
        attendance.municipalityCountry = "se"
        attendance.municipalityCode = "1281"
        attendance.status = "registered"
        attendance.sequence = 1
        attendance.checkedInAt = daysAgo(400)
        try await attendance.create(on: app.db)
        return (meeting, lena)
    }

    func testSentMailOldAuditEntriesAndFailedSignInsGoAfterTheirTime() async throws {
        let sql = app.db.sql
        for (recipient, sent) in [("gammal@lund.se", daysAgo(100)), ("ny@lund.se", daysAgo(10))] {
            try await Outbox.enqueue(to: recipient, subject: "Hej", body: "Text", settings: app.settings, on: app.db)
            try await sql.raw("""
                UPDATE outbox_messages SET status = 'sent', sent_at = \(bind: sent), body = ''
                WHERE recipient = \(bind: recipient)
                """).run()
        }
        try await Outbox.enqueue(to: "väntar@lund.se", subject: "Hej", body: "Text", settings: app.settings, on: app.db)
        for (action, at) in [("old", daysAgo(6 * 365)), ("new", daysAgo(10))] {
            let entry = AuditEntry()
            entry.at = at
            entry.actorName = "—"
            entry.action = action
            entry.subjectType = "test"
            entry.subjectID = "-"
            entry.summary = ""
            try await entry.create(on: app.db)
        }
        let failure = SignInFailure()
        failure.email = "x@lund.se"
        failure.address = "192.0.2.1"
        failure.at = daysAgo(2)
        try await failure.create(on: app.db)

        let changes = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertEqual(changes["outbox_messages"], 1)
        XCTAssertEqual(changes["audit_entries"], 1)
        XCTAssertEqual(changes["sign_in_failures"], 1)
        let left = try await OutboxMessage.query(on: app.db).all().map(\.recipient).sorted()
        XCTAssertEqual(left, ["ny@lund.se", "väntar@lund.se"])
        let actions = try await AuditEntry.query(on: app.db).all().map(\.action)
        XCTAssertFalse(actions.contains("old"))
        XCTAssertTrue(actions.contains("new"))
        let runs = try await RetentionJob.Record.query(on: app.db).count()
        XCTAssertEqual(runs, 1, "the run is recorded")
        let again = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertEqual(again, [:], "nothing more to do")
        let runsAfter = try await RetentionJob.Record.query(on: app.db).count()
        XCTAssertEqual(runsAfter, 1, "a run that changed nothing leaves no record")
    }

    func testTheInstallationsDaysAreUsed() async throws {
        try await InstallationText.write(
            RetentionTerms(outboxDays: 5, auditDays: 30), as: .retention, by: "test", on: app.db)
        try await Outbox.enqueue(to: "a@lund.se", subject: "Hej", body: "Text", settings: app.settings, on: app.db)
        try await app.db.sql.raw("UPDATE outbox_messages SET status = 'sent', sent_at = \(bind: daysAgo(6))").run()
        let changes = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertEqual(changes["outbox_messages"], 1)
    }

    func testAConcludedCollaborationPastItsMonthsKeepsItsMeetingsButNotWhoCame() async throws {
        let collaboration = network.collaboration
        let (meeting, lena) = try await meetingWithLena(collaboration)
        collaboration.status = CollaborationStatus.concluded.rawValue
        collaboration.retentionMonths = 6
        collaboration.concludedAt = daysAgo(200)
        try await collaboration.save(on: app.db)

        // Not yet: 200 days is less than six months after... it is not; six months is about 183 days.
        let early = try await RetentionJob.run(features: app.features, now: daysAgo(30), on: app.db)
        XCTAssertNil(early["attendances"], "one month earlier it was not yet time")
        let value1 = try await Attendance.query(on: app.db).count()
        XCTAssertEqual(value1, 1)

        let changes = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertEqual(changes["attendances"], 1)
        XCTAssertEqual(changes["collaborations"], 1)
        let value2 = try await Attendance.query(on: app.db).count()
        XCTAssertEqual(value2, 0)
        let kept = try await Meeting.find(meeting.id, on: app.db)
        XCTAssertEqual(kept?.minutes, "— berättade om läsprojektet. Alla tackade.")
        XCTAssertEqual(kept?.decisions, ["Fortsätta läsprojektet"])
        let value3 = try await Registration.find(network.registrations[0].id, on: app.db)
        XCTAssertNotNil(value3, "registration kept")
        let value4 = try await Person.find(lena.id, on: app.db)
        XCTAssertNotNil(value4, "the person is not erased by it")
        let reloaded = try await Collaboration.find(collaboration.id, on: app.db)
        XCTAssertNotNil(reloaded?.retentionAppliedAt)
        let again = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertNil(again["collaborations"], "cleared once")
    }

    func testWhoAMunicipalitysOwnSurveyAskedGoesAYearAfterItCloses() async throws {
        let grants = [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1281"))]
        let user = try await makeUser(app, email: "samordnare@lund.se", grants: grants)
        let coordinator = try await makeToken(app, for: user)
        let created = try await sendJSON(
            app, coordinator, .POST, "/api/v1/municipalities/se/1281/surveys",
            #"{"title":"Lunds medarbetarenkät","audience":"addresses","addresses":["lena.holmqvist@lund.se"],"#
                + #""closesAt":"2030-05-09T23:59","form":{"sections":[{"key":"s","title":{"sv":"S"},"#
                + #""questions":[{"key":"tid","kind":"yes_no","text":{"sv":"Har du tid?"}}]}]}}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let id = try XCTUnwrap(created.json["id"] as? String).lowercased()
        let sent = try await sendJSON(app, coordinator, .POST, "/api/v1/questionnaires/\(id)/send")
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        let q = try await Questionnaire.find(UUID(uuidString: id), on: app.db)!
        q.closesAt = daysAgo(400)
        try await q.save(on: app.db)

        let early = try await RetentionJob.run(features: app.features, now: daysAgo(100), on: app.db)
        XCTAssertNil(early["survey_invitations"], "less than a year after it closed")
        let changes = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertEqual(changes["survey_invitations"], 1)
        let invitation = try await SurveyInvitation.query(on: app.db).first()
        XCTAssertTrue(invitation?.email.hasPrefix("erased-") ?? false)
        XCTAssertNil(invitation?.personID)
        let links = try await SurveyToken.query(on: app.db).count()
        XCTAssertEqual(links, 0)
        let settings = try await SurveySettings.find(q.id, on: app.db)
        XCTAssertEqual(settings?.addresses, [])
        let again = try await RetentionJob.run(features: app.features, now: now, on: app.db)
        XCTAssertNil(again["survey_invitations"], "cleared once")
    }

    func body(retentionMonths: Int) -> String {
        """
        {"title":"Nätverk för skolutveckling","description":"Nätverket","kind":"standing_network",
         "organiserID":"\(network.skr.id!.uuidString)","timeZone":"Europe/Stockholm","periodStart":"2027-01-01",
         "periodEnd":"2029-12-31","deadline":"2030-06-01T12:00","seats":[],"priceKind":"free",
         "retentionMonths":\(retentionMonths)}
        """
    }

    func testAnOrganiserSetsTheMonthsAndConcludingRecordsTheDate() async throws {
        let path = "/api/v1/collaborations/\(network.collaboration.slug)"
        let wrong = try await sendJSON(app, network.organiser, .PUT, path, body(retentionMonths: 500))
        XCTAssertEqual(wrong.status, .unprocessableEntity, wrong.body.string)
        XCTAssertTrue(wrong.body.string.contains("retentionMonths"))
        let right = try await sendJSON(app, network.organiser, .PUT, path, body(retentionMonths: 24))
        XCTAssertEqual(right.status, .ok, right.body.string)
        XCTAssertEqual(right.json["retentionMonths"] as? Int, 24)
        for status in ["closed", "running", "concluded"] {
            let moved = try await sendJSON(app, network.organiser, .POST, path + "/status", #"{"status":"\#(status)"}"#)
            XCTAssertEqual(moved.status, .ok, moved.body.string)
        }
        let concluded = try await Collaboration.find(network.collaboration.id, on: app.db)
        XCTAssertNotNil(concluded?.concludedAt)
        XCTAssertFalse(RetentionJob.isExpired(concluded!, now: now))
        XCTAssertTrue(RetentionJob.isExpired(concluded!, now: now.addingTimeInterval(25 * 31 * 86_400)))
    }

    func testTheNoticeIsPublicAndOnlyAdministratorsChangeIt() async throws {
        let visitor = try await send(app, .GET, "/privacy")
        XCTAssertEqual(visitor.status, .ok)
        XCTAssertTrue(visitor.body.string.contains("/privacy/record"))
        let record = try await send(app, .GET, "/privacy/record")
        XCTAssertEqual(record.status, .ok)
        let organiser = Client(app)
        try await organiser.signIn("samordnare@skr.se", "correct horse battery")
        let refused = try await organiser.post("/privacy/edit", form: ["controller": "SKR"])
        XCTAssertEqual(refused.status, .forbidden)
        let admin = Client(app)
        try await admin.signIn("admin@example.se", "correct horse battery")
        let incomplete = try await admin.post(
            "/privacy/edit", form: ["controller": "SKR", "outboxDays": "0", "auditDays": "90"])
        XCTAssertEqual(incomplete.status, .unprocessableEntity)
        for field in ["address", "email", "purposes", "outboxDays"] {
            XCTAssertTrue(incomplete.body.string.contains("href=\"#\(field)\""), field)
        }
        let saved = try await admin.post(
            "/privacy/edit",
            form: [
                "country": "se", "controller": "Sveriges Kommuner och Regioner", "address": "Hornsgatan 20\nStockholm",
                "email": "info@skr.se", "phone": "08-452 70 00", "protectionOfficer": "Dataskyddsombud, dso@skr.se",
                "purposes": "Samarbeten om skolutveckling", "legalBasis": "Artikel 6.1 e",
                "recipients": "Deltagande kommuner", "outboxDays": "30", "auditDays": "730",
            ])
        XCTAssertEqual(saved.status, .seeOther, saved.body.string)
        let sv = try await send(app, .GET, "/privacy", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(sv.body.string.contains("Sveriges Kommuner och Regioner"))
        XCTAssertTrue(sv.body.string.contains("Integritetsskyddsmyndigheten"), "Swedish authority")
        XCTAssertTrue(sv.body.string.contains("30 dagar efter utskick"), "the days set, in Swedish plural")
        let value5 = try await InstallationText.retention(on: app.db).outboxDays
        XCTAssertEqual(value5, 30)
    }
}
