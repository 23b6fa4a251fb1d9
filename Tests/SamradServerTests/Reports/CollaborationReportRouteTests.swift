import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The annual and final report (issue 26, case 1's report to the funder and case 3's results across
/// clusters): what was held, who came, what was decided and committed to, the questionnaires, goals
/// and published materials, by year and for the whole; for its organisers only.
extension CollaborationRouteTests {
    /// Two registered municipalities in two clusters, a meeting in 2025 and one in 2026 with their
    /// attendance, decisions and commitments, a questionnaire, goals and materials.
    func reportFixture() async throws -> (slug: String, collaboration: Collaboration) {
        let slug = try await politicalTrack()
        let found = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()
        let c = try XCTUnwrap(found)
        let keys = [MunicipalityKey(.dk, "751"), MunicipalityKey(.dk, "461")]
        for (index, key) in keys.enumerated() {
            let r = Registration()
            r.collaborationID = c.id!
            r.municipalityCountry = "dk"
            r.municipalityCode = key.code
            r.status = RegistrationStatus.registered.rawValue
            r.sequence = index + 1
            try await r.create(on: app.db)
            let cluster = Cluster()
            cluster.collaborationID = c.id!
            cluster.name = index == 0 ? "Klynge Øst" : "Klynge Fyn"
            cluster.position = index
            cluster.wave = 1
            try await cluster.create(on: app.db)
            let member = ClusterMember()
            member.clusterID = cluster.id!
            member.collaborationID = c.id!
            member.municipalityCountry = "dk"
            member.municipalityCode = key.code
            try await member.create(on: app.db)
        }
        func meeting(_ title: String, _ day: String, decisions: [String]) async throws -> Meeting {
            let m = Meeting()
            m.collaborationID = c.id!
            m.title = title
            m.description = ""
            m.kind = MeetingKind.meeting.rawValue
            m.status = MeetingStatus.held.rawValue
            m.startsAt = try XCTUnwrap(DateText.parseLocal("\(day)T10:00", zone: "Europe/Copenhagen"))
            m.endsAt = m.startsAt.addingTimeInterval(3 * 3600)
            m.timeZone = "Europe/Copenhagen"
            m.mode = "in_person"
            m.hostCountry = "dk"
            m.hostCode = "751"
            m.audience = "seats"
            m.audiencePositions = []
            m.sequence = 0
            m.attendanceSequence = 0
            m.minutes = ""
            m.decisions = decisions
            try await m.create(on: app.db)
            return m
        }
        let spring = try await meeting("Forårsmøde 2025", "2025-03-10", decisions: ["Læsning er årets tema"])
        let autumn = try await meeting("Efterårsmøde 2026", "2026-10-05", decisions: ["Fortsæt i 2027"])
        // Three registered for the spring meeting, two came; one cancelled does not count.
        let towns = ["aarhus", "odense"]
        let positions = [Position.committeeChair, .committeeMember, .administration]
        for (n, position) in positions.enumerated() {
            let a = Attendance()
            a.meetingID = spring.id!
            a.personID = people["\(towns[n % 2]).\(position.rawValue)"]!
            a.municipalityCountry = "dk"
            a.municipalityCode = n % 2 == 0 ? "751" : "461"
            a.status = AttendanceStatus.registered.rawValue
            a.sequence = n + 1
            a.checkedInOnline = false
            a.checkedInAt = n < 2 ? spring.startsAt : nil
            try await a.create(on: app.db)
        }
        let cancelled = Attendance()
        cancelled.meetingID = spring.id!
        cancelled.personID = people["odense.administration"]!
        cancelled.status = AttendanceStatus.cancelled.rawValue
        cancelled.sequence = 9
        cancelled.checkedInOnline = false
        try await cancelled.create(on: app.db)
        for (text, status, due) in [
            ("Aarhus deler sin læseplan", "done", "2025-05-01"), ("Odense samler data om fravær", "open", "2025-06-01"),
        ] {
            let k = Commitment()
            k.meetingID = spring.id!
            k.collaborationID = c.id!
            k.municipalityCountry = "dk"
            k.municipalityCode = text.hasPrefix("Aarhus") ? "751" : "461"
            k.text = text
            k.owner = "Skolechefen"
            k.dueDate = due
            k.status = status
            try await k.create(on: app.db)
        }
        _ = autumn
        let q = Questionnaire()
        q.collaborationID = c.id!
        q.title = "Statusmåling 2025"
        q.intro = ""
        q.form = QuestionnaireForm()
        q.audience = QuestionnaireAudience.registered.rawValue
        q.people = []
        q.closesAt = try XCTUnwrap(DateText.parseLocal("2025-04-30T23:59", zone: "Europe/Copenhagen"))
        q.sentAt = q.closesAt.addingTimeInterval(-30 * 86_400)
        q.reminderDays = []
        q.remindersSent = []
        q.threshold = 3
        q.prefill = false
        q.visibility = ResultsVisibility.organisers.rawValue
        q.textsPublished = false
        q.revision = 1
        try await q.create(on: app.db)
        let answered = QuestionnaireResponse()
        answered.questionnaireID = q.id!
        answered.municipalityCountry = "dk"
        answered.municipalityCode = "751"
        answered.status = ResponseStatus.submitted.rawValue
        answered.submittedAt = q.closesAt.addingTimeInterval(-86_400)
        answered.reopened = 0
        try await answered.create(on: app.db)
        for (title, visibility) in [("Læseplanen i Aarhus", "public"), ("Intern evaluering", "members")] {
            let m = KnowledgeMaterial()
            m.slug = title == "Intern evaluering" ? "intern-evaluering" : "laeseplanen-i-aarhus"
            m.kind = MaterialKind.example.rawValue
            m.title = title
            m.summary = "Sådan."
            m.body = "Tekst."
            m.themes = []
            m.gradeBands = []
            m.authors = ["Skolechefen"]
            m.language = "da"
            m.licence = "cc-by-4.0"
            m.consent = true
            m.visibility = visibility
            m.status = EditorialStatus.published.rawValue
            m.collaborationID = c.id!
            m.publishedAt = spring.startsAt.addingTimeInterval(86_400)
            try await m.create(on: app.db)
        }
        let goalRequest = GoalRequest()
        goalRequest.collaborationID = c.id!
        goalRequest.indicators = ["dk.school_absence_pct"]
        goalRequest.message = "Sæt et mål for fravær."
        try await goalRequest.create(on: app.db)
        for key in keys {
            let goal = Goal()
            goal.level = IndicatorLevel.municipality.rawValue
            goal.country = "dk"
            goal.unitCode = key.code
            goal.municipalityCode = key.code
            goal.indicator = "dk.school_absence_pct"
            goal.baselineYear = 2024
            goal.baselineValue = 6
            goal.targetYear = 2030
            goal.targetValue = 4
            goal.reason = "Fravær"
            goal.owner = "Skolechefen"
            goal.requestID = goalRequest.id
            try await goal.create(on: app.db)
        }
        return (slug, c)
    }

    func testTheAnnualAndFinalReportTellWhatWasHeldWhoCameAndWhatWasDecided() async throws {
        let (slug, _) = try await reportFixture()
        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let year = try await web.get("/collaborations/\(slug)/report?year=2025", headers: en)
        XCTAssertEqual(year.status, .ok, year.body.string)
        let page = year.body.string
        for text in [
            "Annual report 2025", "Aarhus", "Odense", "Forårsmøde 2025", "2 of 3 registered people came", "67 %",
            "Læsning er årets tema", "Aarhus deler sin læseplan", "Odense samler data om fravær", "Statusmåling 2025",
            "1 of 2 asked answered (50 %)", "Læseplanen i Aarhus",
            "1 more material is published for the collaboration&#39;s members only.", "Klynge Øst", "Klynge Fyn",
            "1 open commitment is past its date", "Goals set",
        ] {
            XCTAssertTrue(page.contains(text), "the 2025 report shows \(text)")
        }
        XCTAssertFalse(page.contains("Efterårsmøde 2026"), "a meeting of another year is not in it")
        XCTAssertFalse(page.contains("Intern evaluering"), "a members' material is counted, not named")
        XCTAssertTrue(page.contains(#"<option value="2026""#), "every year of the collaboration can be chosen")

        let whole = try await web.get("/collaborations/\(slug)/report", headers: en).body.string
        XCTAssertTrue(whole.contains("Final report"))
        XCTAssertTrue(whole.contains("Forårsmøde 2025") && whole.contains("Efterårsmøde 2026"))
        XCTAssertTrue(whole.contains("Fortsæt i 2027"))
        let later = try await web.get("/collaborations/\(slug)/report?year=2026", headers: en).body.string
        XCTAssertTrue(later.contains("No questionnaire closed in the period."))
        XCTAssertTrue(later.contains("No material was published in the period."))

        let danish = try await web.get("/collaborations/\(slug)/report?year=2025", headers: ["Accept-Language": "da"])
        XCTAssertTrue(danish.body.string.contains("2 af 3 tilmeldte mødte op"))
        let swedish = try await web.get("/collaborations/\(slug)/report?year=2025", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(swedish.body.string.contains("Årsrapport 2025"))

        let bad = try await web.get("/collaborations/\(slug)/report?year=tjugo", headers: en)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("Give a number from 1990 to 2100."), bad.body.string)

        let pdf = try await web.get("/collaborations/\(slug)/report.pdf?year=2025")
        if ReportPDF.tool != nil {
            XCTAssertEqual(pdf.status, .ok)
            XCTAssertEqual(pdf.headers.contentType?.subType, "pdf")
            XCTAssertTrue(pdf.body.string.hasPrefix("%PDF"))
        } else {
            XCTAssertEqual(pdf.status, .notFound, "without Chromium the page offers the browser's print")
        }
    }

    func testOnlyItsOrganisersReadTheReport() async throws {
        let (slug, _) = try await reportFixture()
        let path = "/collaborations/\(slug)/report"
        let visitor = try await Client(app).get(path)
        XCTAssertEqual(visitor.status, .seeOther, "a visitor is sent to sign in")
        for email in ["coord@aarhus.dk", "member@example.dk"] {
            let web = Client(app)
            try await web.signIn(email, "correct horse battery")
            let refused = try await web.get(path)
            XCTAssertEqual(refused.status, .forbidden, "\(email) takes part but does not report to the funder")
            XCTAssertFalse(refused.body.string.contains("Aarhus deler sin læseplan"))
            let pdf = try await web.get(path + ".pdf")
            XCTAssertEqual(pdf.status, .forbidden)
        }
        let elsewhere = Organisation(name: "SKR", kind: .association, country: .se)
        try await elsewhere.create(on: app.db)
        _ = try await makeUser(
            app, email: "samordnare@skr.se", grants: [RoleGrant(kind: .organiser, organisationID: elsewhere.id)])
        let other = Client(app)
        try await other.signIn("samordnare@skr.se", "correct horse battery")
        let otherOrganiser = try await other.get(path)
        XCTAssertEqual(otherOrganiser.status, .forbidden)
    }

    func testAProgrammesReportSetsItsTracksSideBySide() async throws {
        let (slug, c) = try await reportFixture()
        let created = try await json(
            organiser, .POST, "/api/v1/programmes",
            #"{"title":"Kommunesamarbejde om folkeskolen 2025","organiserID":"\#(kl.id!.uuidString)"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let programmeSlug = try XCTUnwrap(created.json["slug"] as? String)
        c.programmeID = UUID(uuidString: try XCTUnwrap(created.json["id"] as? String))
        try await c.save(on: app.db)
        let second = try await politicalTrack()
        let foundTrack = try await Collaboration.query(on: app.db).filter(\.$slug == second).first()
        let track = try XCTUnwrap(foundTrack)
        track.programmeID = c.programmeID
        track.title = "Fagligt spor"
        try await track.save(on: app.db)

        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let page = try await web.get(
            "/programmes/\(programmeSlug)/report?year=2025", headers: ["Accept-Language": "en"])
        XCTAssertEqual(page.status, .ok, page.body.string)
        let body = page.body.string
        XCTAssertTrue(body.contains("/collaborations/\(slug)/report?year=2025"), "each track leads to its report")
        XCTAssertTrue(body.contains("Fagligt spor"))
        XCTAssertTrue(body.contains("The programme in all"))
        XCTAssertTrue(body.contains("67 %"), "attendance of the tracks together")
        let detail = try await web.get("/programmes/\(programmeSlug)").body.string
        XCTAssertTrue(detail.contains("/programmes/\(programmeSlug)/report"), "the programme's page leads there")

        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let refused = try await coordinator.get("/programmes/\(programmeSlug)/report")
        XCTAssertEqual(refused.status, .forbidden)
    }
}
