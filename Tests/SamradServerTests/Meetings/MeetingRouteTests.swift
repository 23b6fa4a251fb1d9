import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Meetings through the API and the pages: series and host rotation, bad input, attendance with
/// quotas, waiting list and check-in, calendar output, materials and who may fetch them, minutes
/// and commitments. Case 5's network (Swedish municipalities) and case 3's clusters (Danish).
final class MeetingRouteTests: XCTestCase {
    var app: Application!
    var file: String?
    var skr: Organisation!
    var collaboration: Collaboration!
    var organiser: String!, stockholmCoordinator: String!, outsider: String!
    var cluster: Cluster!
    /// 14 municipalities of the network (Stockholm, Göteborg, Malmö, …).
    let network = [
        "0180", "1480", "1280", "0580", "0380", "0780", "0581", "0680", "1980", "2180", "1080", "1880", "1380", "1283",
    ]
    var people: [String: Person] = [:]

    override func setUp() async throws {
        file = NSTemporaryDirectory() + "samrad-meetings-\(UUID().uuidString).sqlite"
        app = try await makeTestApp(sqliteFile: file)
        let fixture = try await makeNetwork(app, registered: network, description: "Case 5")
        (skr, organiser, collaboration) = (fixture.skr, fixture.organiser, fixture.collaboration)
        stockholmCoordinator = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@stockholm.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "0180"))]))
        outsider = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@kiruna.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "2584"))]))
        for (registration, code) in zip(fixture.registrations, network) {
            let chief = try await person("Skolchef \(code)", code, .schoolChief)
            let seat = RegistrationSeat()
            seat.registrationID = registration.id!
            seat.position = Position.schoolChief.rawValue
            seat.personID = chief.id!
            try await seat.create(on: app.db)
        }
        // A cluster of four with a facilitator.
        let facilitator = try await person("Processledare", nil, .consultant)
        cluster = Cluster()
        cluster.collaborationID = collaboration.id!
        cluster.name = "Kluster Syd"
        cluster.position = 0
        cluster.wave = 1
        cluster.facilitatorID = facilitator.id
        try await cluster.create(on: app.db)
        for code in ["1280", "1283", "0780", "1080"] {
            let member = ClusterMember()
            member.clusterID = cluster.id!
            member.collaborationID = collaboration.id!
            member.municipalityCountry = "se"
            member.municipalityCode = code
            try await member.create(on: app.db)
        }
    }

    override func tearDown() async throws {
        try await app.asyncShutdown()
        if let file {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
    }

    @discardableResult
    func person(_ name: String, _ code: String?, _ position: Position) async throws -> Person {
        let p = Person()
        p.name = name
        p.email =
            name.lowercased().replacingOccurrences(of: " ", with: ".").folding(
                options: .diacriticInsensitive, locale: nil) + "@example.se"
        p.position = position.rawValue
        p.municipalityCountry = code == nil ? nil : "se"
        p.municipalityCode = code
        p.isExample = false
        try await p.create(on: app.db)
        people[name] = p
        return p
    }

    func json(
        _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
    ) async throws -> XCTHTTPResponse {
        try await sendJSON(app, token, method, path, body)
    }

    var slug: String { collaboration.slug }

    func createMeeting(_ fields: String) async throws -> [String: Any] {
        let response = try await json(organiser, .POST, "/api/v1/collaborations/\(slug)/meetings", "{\(fields)}")
        XCTAssertEqual(response.status, .created, response.body.string)
        return response.json
    }

    func meetingID(_ created: [String: Any]) -> String {
        ((created["meeting"] as! [String: Any])["id"] as! String).lowercased()
    }

    func fieldErrors(_ response: XCTHTTPResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }

    // MARK: Series

    func testTheNetworksSeriesRotatesSpringHostsAndMeetsInStockholmInAutumn() async throws {
        let path = "/api/v1/collaborations/\(slug)/meeting-series"
        let body = """
            {"title":"Nätverksmöte","firstStart":"2027-04-20T10:00","durationMinutes":360,"count":4,"every":6,
                "unit":"months",
             "pattern":"rotation_then_fixed","venueName":"SKR","venueAddress":"Hornsgatan 20, Stockholm"}
            """
        do { let r = try await json(nil, .POST, path, body); XCTAssertEqual(r.status, .unauthorized) }
        do { let r = try await json(stockholmCoordinator, .POST, path, body); XCTAssertEqual(r.status, .forbidden) }
        let planned = try await json(organiser, .POST, path, body)
        XCTAssertEqual(planned.status, .created, planned.body.string)
        let meetings = try XCTUnwrap(planned.json["meetings"] as? [[String: Any]])
        XCTAssertEqual(
            meetings.map { $0["localStart"] as! String },
            ["2027-04-20T10:00", "2027-10-20T10:00", "2028-04-20T10:00", "2028-10-20T10:00"])
        XCTAssertEqual(
            meetings.map { $0["title"] as! String },
            ["Nätverksmöte 1", "Nätverksmöte 2", "Nätverksmöte 3", "Nätverksmöte 4"])
        let springHosts = [meetings[0]["host"] as? String, meetings[2]["host"] as? String].compactMap { $0 }
        XCTAssertEqual(springHosts.count, 2)
        XCTAssertNotEqual(springHosts[0], springHosts[1])
        XCTAssertTrue(springHosts.allSatisfy { network.map { "se/\($0)" }.contains($0) })
        XCTAssertNil(meetings[1]["host"] as? String)
        XCTAssertEqual(meetings[1]["place"] as? String, "SKR, Hornsgatan 20, Stockholm")

        // The next series goes on from the hosting so far: 14 spring meetings over the years reach every member once.
        var hosts = springHosts
        for year in 0..<6 {
            let next = try await json(
                organiser, .POST, path,
                """
                {"title":"Nätverksmöte \(2029)","firstStart":"2029-0\(1 + year)-1\(year)T10:00","durationMinutes":120,
                    "count":2,"every":1,"unit":"weeks","pattern":"rotation"}
                """)
            XCTAssertEqual(next.status, .created, next.body.string)
            hosts += (next.json["meetings"] as! [[String: Any]]).compactMap { $0["host"] as? String }
        }
        XCTAssertEqual(hosts.count, 14)
        XCTAssertEqual(Set(hosts).count, 14, "nobody hosts twice before every member has hosted: \(hosts)")

        // A series that leaves the collaboration's period is refused as a whole, naming the meeting.
        let before = try await Meeting.query(on: app.db).count()
        let late = try await json(
            organiser, .POST, path,
            """
            {"title":"För sent","firstStart":"2029-06-02T10:00","durationMinutes":120,"count":3,"every":6,
                "unit":"months","pattern":"fixed","venueName":"SKR"}
            """)
        XCTAssertEqual(late.status, .unprocessableEntity)
        XCTAssertTrue(late.body.string.contains("2030-06-03"), late.body.string)
        XCTAssertEqual(fieldErrors(late), ["firstStart"])
        let after = try await Meeting.query(on: app.db).count()
        XCTAssertEqual(after, before, "nothing is half written")
    }

    // MARK: Bad input

    func testBadMeetingsGetClearMessagesAndChangeNothing() async throws {
        let path = "/api/v1/collaborations/\(slug)/meetings"
        let endBefore = try await json(
            organiser, .POST, path, #"{"title":"Möte","startsAt":"2027-05-27T16:00","endsAt":"2027-05-27T13:00"}"#)
        XCTAssertEqual(endBefore.status, .unprocessableEntity)
        XCTAssertEqual(fieldErrors(endBefore), ["endsAt"])
        let outside = try await json(
            organiser, .POST, path, #"{"title":"Möte","startsAt":"2026-05-27T13:00","endsAt":"2026-05-27T16:00"}"#)
        XCTAssertEqual(fieldErrors(outside), ["startsAt"])
        XCTAssertTrue(outside.body.string.contains("2027-01-01"))
        let zone = try await json(
            organiser, .POST, path,
            #"{"title":"Möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","timeZone":"Mars/Olympus","#
                + #""onlineURL":"javascript:alert(1)"}"#
        )
        XCTAssertTrue(Set(fieldErrors(zone)).isSuperset(of: ["timeZone", "onlineURL"]), zone.body.string)
        let malformed = try await json(organiser, .POST, path, #"{"title":["not","a","string"]}"#)
        XCTAssertEqual(malformed.status.code / 100, 4, malformed.body.string)
        XCTAssertEqual(malformed.headers.contentType?.description.hasPrefix("application/problem+json"), true)

        // Two meetings of the same cluster may not overlap.
        _ = try await createMeeting(
            #""title":"Klustermöte "#
                + #"1","clusterID":"\#(cluster.id!.uuidString)","startsAt":"2027-03-02T09:00","#
                + #""endsAt":"2027-03-02T12:00""#
        )
        let overlap = try await json(
            organiser, .POST, path,
            #"{"title":"Klustermöte "#
                + #"2","clusterID":"\#(cluster.id!.uuidString)","startsAt":"2027-03-02T11:00","#
                + #""endsAt":"2027-03-02T14:00"}"#
        )
        XCTAssertEqual(overlap.status, .unprocessableEntity)
        XCTAssertTrue(overlap.body.string.contains("Klustermöte 1"), overlap.body.string)
        // Other meetings of the collaboration may be at the same time.
        _ = try await createMeeting(
            #""title":"Politiskt möte","startsAt":"2027-03-02T11:00","endsAt":"2027-03-02T14:00""#)
        // A host outside the cluster is refused.
        let host = try await json(
            organiser, .POST, path,
            #"{"title":"Klustermöte "#
                + #"3","clusterID":"\#(cluster.id!.uuidString)","startsAt":"2027-05-02T09:00","#
                + #""endsAt":"2027-05-02T12:00","host":"se/0180"}"#
        )
        XCTAssertEqual(fieldErrors(host), ["host"])
        let count = try await Meeting.query(on: app.db).count()
        XCTAssertEqual(count, 2)
    }

    // MARK: Attendance

    func testConferenceQuotasWaitingListCancellationAndCheckIn() async throws {
        let leaders = try await (1...3).asyncMap {
            try await self.person("Rektor \($0) Stockholm", "0180", .schoolLeader)
        }
        let malmo = try await person("Rektor Malmö", "1280", .schoolLeader)
        let teacher = try await person("Lärare Malmö", "1280", .teacher)
        let created = try await createMeeting(
            """
            "title":"Regional konferens Syd","kind":"conference","startsAt":"2028-03-10T09:00",
                "endsAt":"2028-03-10T16:00",
            "audience":"open","audiencePositions":["school_leader","school_chief"],"capacity":2,"quota":2,
                "venueName":"Malmö Live"
            """)
        let id = meetingID(created)
        let attendees = "/api/v1/meetings/\(id)/attendees"
        // Not published yet: registration is closed, and the meeting is hidden from others.
        let early = try await json(
            stockholmCoordinator, .POST, attendees, #"{"personID":"\#(leaders[0].id!.uuidString)"}"#)
        XCTAssertEqual(early.status, .notFound)
        let published = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)
        let invitations = try await OutboxMessage.query(on: app.db).filter(\.$subject ~~ "Regional konferens Syd").all()
        XCTAssertEqual(invitations.count, 14 + 4, "every school chief and school leader with an address")
        XCTAssertTrue(
            invitations.allSatisfy {
                $0.attachmentType == "text/calendar; method=PUBLISH" && ($0.attachment ?? "").contains("BEGIN:VEVENT")
            })

        func register(_ token: String, _ person: Person) async throws -> XCTHTTPResponse {
            try await json(token, .POST, attendees, #"{"personID":"\#(person.id!.uuidString)"}"#)
        }
        let first = try await register(stockholmCoordinator, leaders[0])
        XCTAssertEqual(first.status, .created, first.body.string)
        XCTAssertEqual(first.json["status"] as? String, "registered")
        do {
            let r = try await register(stockholmCoordinator, leaders[0]); XCTAssertEqual(r.status, .conflict, "twice")
        }
        do {
            let r = try await register(stockholmCoordinator, leaders[1]);
            XCTAssertEqual(r.json["status"] as? String, "registered")
        }
        let quota = try await register(stockholmCoordinator, leaders[2])
        XCTAssertEqual(quota.status, .conflict)
        XCTAssertTrue(quota.body.string.contains("Stockholm"), quota.body.string)
        do {
            let r = try await register(stockholmCoordinator, malmo);
            XCTAssertEqual(r.status, .forbidden, "another municipality's person")
        }
        do { let r = try await register(outsider, malmo); XCTAssertEqual(r.status, .forbidden) }
        // The organiser registers Malmö's school leader: the two places are taken, so the waiting list.
        let waiting = try await register(organiser, malmo)
        XCTAssertEqual(waiting.json["status"] as? String, "waitlisted")
        let notInvited = try await register(organiser, teacher)
        XCTAssertEqual(notInvited.status, .created, "those who run the meeting may add anyone")
        XCTAssertEqual(notInvited.json["status"] as? String, "waitlisted")

        // A cancellation moves the first on the waiting list up, who is told by e-mail.
        let cancelled = try await json(stockholmCoordinator, .DELETE, "\(attendees)/\(leaders[0].id!.uuidString)")
        XCTAssertEqual(cancelled.status, .ok, cancelled.body.string)
        let list = try await json(organiser, .GET, attendees)
        let statuses = Dictionary(
            uniqueKeysWithValues: (list.json["attendees"] as! [[String: Any]]).map {
                ($0["personID"] as! String, $0["status"] as! String)
            })
        XCTAssertEqual(statuses[malmo.id!.uuidString], "registered")
        XCTAssertEqual(statuses[teacher.id!.uuidString], "waitlisted")
        XCTAssertEqual(statuses[leaders[0].id!.uuidString], "cancelled")
        let promoted = try await OutboxMessage.query(on: app.db).filter(\.$recipient == malmo.email!).all().map(
            \.subject)
        XCTAssertTrue(promoted.contains { $0.hasPrefix("Du har fått en plats") }, "\(promoted)")
        do {
            let r = try await json(stockholmCoordinator, .GET, attendees);
            XCTAssertEqual(r.status, .forbidden, "the list is for those who run the meeting")
        }

        // Check-in on the day.
        let arrived = try await json(
            organiser, .POST, "\(attendees)/\(malmo.id!.uuidString)/check-in", #"{"arrived":true}"#)
        XCTAssertEqual(arrived.status, .ok, arrived.body.string)
        XCTAssertNotNil(arrived.json["checkedInAt"] as? String)
        do {
            let r = try await json(organiser, .POST, "\(attendees)/\(teacher.id!.uuidString)/check-in", "{}");
            XCTAssertEqual(r.status, .notFound, "waiting list")
        }
        let csv = try await Client(app).get("/meetings/\(id)/attendance/export.csv")
        XCTAssertEqual(csv.status, .seeOther, "visitors are sent to sign in")
        XCTAssertTrue(csv.headers.first(name: .location)?.hasPrefix("/sign-in") ?? false)

        // After the deadline nobody registers but the organisers.
        let meeting = try await Meeting.find(UUID(uuidString: id), on: app.db)!
        meeting.registrationDeadline = Date().addingTimeInterval(-60)
        try await meeting.save(on: app.db)
        let late = try await register(stockholmCoordinator, leaders[0])
        XCTAssertEqual(late.status, .conflict)
        XCTAssertTrue(
            late.body.string.contains("deadline") || late.body.string.contains("anmälningsdag"), late.body.string)
    }

    // MARK: Calendars

    func conditional(
        _ token: String?, _ path: String, tag: String? = nil, since: String? = nil, language: String? = nil
    ) async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        if let tag { headers.replaceOrAdd(name: .ifNoneMatch, value: tag) }
        if let since { headers.replaceOrAdd(name: .ifModifiedSince, value: since) }
        if let language { headers.replaceOrAdd(name: .acceptLanguage, value: language) }
        return try await send(app, .GET, path, headers: headers)
    }

    func testFeedsAndJSONAnswerNotModifiedUntilSomethingChanges() async throws {
        let id = meetingID(
            try await createMeeting(
                #""title":"Nätverksmöte","startsAt":"2027-04-20T10:00","endsAt":"2027-04-20T16:00""#))
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let ics = "/meetings/\(id)/calendar.ics"
        let first = try await conditional(nil, ics)
        XCTAssertEqual(first.status, .ok)
        let tag = try XCTUnwrap(first.headers.first(name: .eTag))
        XCTAssertNotNil(first.headers.lastModified)
        XCTAssertEqual(first.headers.first(name: .cacheControl), "private, max-age=0, must-revalidate")

        // Asked again with its label: 304 without a body, also through a proxy that made it weak.
        for label in [tag, "W/\(tag)", "\"other\", \(tag)"] {
            let again = try await conditional(nil, ics, tag: label)
            XCTAssertEqual(again.status, .notModified, label)
            XCTAssertEqual(again.body.readableBytes, 0)
            XCTAssertEqual(again.headers.first(name: .eTag), tag)
        }
        // Asked again without a label: the answer kept under the label, the same bytes.
        let keptAgain = try await conditional(nil, ics)
        XCTAssertEqual(keptAgain.body.string, first.body.string)
        XCTAssertEqual(keptAgain.headers.first(name: .contentType), first.headers.first(name: .contentType))
        XCTAssertNotNil(app.keptAnswers.answer(tag))
        // Another language, another asker: another label, so the visitor's is not theirs.
        let danish = try await conditional(nil, ics, tag: tag, language: "da")
        XCTAssertEqual(danish.status, .ok)
        XCTAssertNotEqual(danish.headers.first(name: .eTag), tag)
        let asOrganiser = try await conditional(organiser, ics, tag: tag)
        XCTAssertEqual(asOrganiser.status, .ok)
        let organiserTag = try XCTUnwrap(asOrganiser.headers.first(name: .eTag))
        XCTAssertNotEqual(organiserTag, tag)
        let outsiderWithTheOrganisersTag = try await conditional(outsider, ics, tag: organiserTag)
        XCTAssertEqual(outsiderWithTheOrganisersTag.status, .ok)

        // The JSON and the collaboration's feed the same way.
        for path in ["/api/v1/meetings/\(id)", "/collaborations/\(slug)/calendar.ics",
            "/api/v1/collaborations/\(slug)/meetings"] {
            let fetched = try await conditional(organiser, path)
            XCTAssertEqual(fetched.status, .ok, path)
            let label = try XCTUnwrap(fetched.headers.first(name: .eTag), path)
            let again = try await conditional(organiser, path, tag: label)
            XCTAssertEqual(again.status, .notModified, path)
        }

        // A change is seen at once, never a stale copy: a new title, then withdrawn from visitors.
        let moved = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)",
            #"{"title":"Nätverksmöte i Lund","startsAt":"2027-04-20T10:00","endsAt":"2027-04-20T16:00"}"#)
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        let changed = try await conditional(nil, ics, tag: tag)
        XCTAssertEqual(changed.status, .ok)
        XCTAssertTrue(changed.body.string.contains("SUMMARY:Nätverksmöte i Lund"))
        let newTag = try XCTUnwrap(changed.headers.first(name: .eTag))
        XCTAssertNotEqual(newTag, tag)
        for status in ["cancelled", "planned"] {
            let r = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"\#(status)"}"#)
            XCTAssertEqual(r.status, .ok, r.body.string)
        }
        let withdrawn = try await conditional(nil, ics, tag: newTag)
        XCTAssertEqual(withdrawn.status, .notFound)
        XCTAssertNil(withdrawn.headers.first(name: .eTag))

        // If-Modified-Since, when the last change lies in an earlier second.
        try await app.db.sql.raw("UPDATE data_versions SET changed_at = changed_at - 10").run()
        let dated = try await conditional(organiser, ics)
        let lastModified = try XCTUnwrap(dated.headers.first(name: .lastModified))
        let unchanged = try await conditional(organiser, ics, since: lastModified)
        XCTAssertEqual(unchanged.status, .notModified)
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let republished = try await conditional(organiser, ics, since: lastModified)
        XCTAssertEqual(republished.status, .ok)
    }

    /// Visitors share one kept page until the data change or the clock passes the registration
    /// deadline; a signed-in person's is kept under their own label; nobody's form token is kept or
    /// shown to another.
    func testVisitorsShareAKeptPageUntilTheDataOrTheDeadlineChangeIt() async throws {
        let id = meetingID(
            try await createMeeting(
                #""title":"Nätverksmöte","startsAt":"2027-04-20T10:00","endsAt":"2027-04-20T16:00""#))
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let deadline = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970) + 3600)
        let meeting = try await Meeting.find(UUID(uuidString: id), on: app.db)!
        meeting.registrationDeadline = deadline
        try await meeting.save(on: app.db)
        let path = "/meetings/\(id)"
        let reloading = try await Client(app).get(path, headers: ["Cache-Control": "no-cache"])
        XCTAssertEqual(reloading.status, .ok)
        XCTAssertTrue(
            app.keptAnswers.all.values.allSatisfy { !String(buffer: $0.body).contains("Nätverksmöte") },
            "a reload asking for no cache gets a page made anew, and it is not kept")
        let first = Client(app), second = Client(app)
        let a = try await first.get(path)
        XCTAssertEqual(a.status, .ok)
        let kept = app.keptAnswers.all.filter { String(buffer: $0.value.body).contains("Nätverksmöte") }
        XCTAssertEqual(kept.count, 1, "the visitor's page is kept")
        let (tag, answer) = try XCTUnwrap(kept.first)
        XCTAssertEqual(answer.until, deadline, "registration closes at the deadline, the start comes later")
        XCTAssertNil(app.keptAnswers.answer(tag, now: deadline), "not shown once the deadline has come")
        let b = try await second.get(path)
        XCTAssertEqual(b.body.string, a.body.string)
        XCTAssertFalse(first.csrf.isEmpty)
        XCTAssertNotEqual(first.csrf, second.csrf, "each visitor has a token of their own")
        for page in [a.body.string, b.body.string] {
            XCTAssertFalse(page.contains(CSRFToken.placeholder))
            XCTAssertFalse(page.contains(first.csrf) || page.contains(second.csrf))
        }

        // A signed-in person: their own page, the sign-out form with their own token.
        try await makeUser(app, email: "kim@example.se")
        let kim = Client(app)
        try await kim.signIn("kim@example.se", "correct horse battery")
        let own = try await kim.get(path)
        XCTAssertEqual(own.status, .ok)
        XCTAssertTrue(own.body.string.contains("value=\"\(kim.csrf)\""))
        XCTAssertFalse(own.body.string.contains(CSRFToken.placeholder))
        XCTAssertTrue(own.body.string.contains("Kim"))
        let ownAgain = try await kim.get(path)
        XCTAssertEqual(ownAgain.body.string, own.body.string)
        XCTAssertEqual(
            app.keptAnswers.all.values.filter { String(buffer: $0.body).contains("Kim") }.count, 1,
            "kept once, under Kim's own label")
        let visitorAfterKim = try await Client(app).get(path)
        XCTAssertFalse(visitorAfterKim.body.string.contains("Kim"))
        XCTAssertFalse(visitorAfterKim.body.string.contains(kim.csrf))
        let missing = try await kim.get("/meetings/\(UUID().uuidString)")
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertTrue(missing.body.string.contains("value=\"\(kim.csrf)\""), "the error page's sign-out form")
        XCTAssertFalse(missing.body.string.contains(CSRFToken.placeholder))

        // A change is seen by the next visitor at once.
        let moved = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)",
            #"{"title":"Nätverksmöte i Lund","startsAt":"2027-04-20T10:00","endsAt":"2027-04-20T16:00"}"#)
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        let c = try await Client(app).get(path)
        XCTAssertTrue(c.body.string.contains("Nätverksmöte i Lund"))
        XCTAssertNil(app.keptAnswers.answer(tag))
    }

    func testCalendarFilesFollowChangesAndCancellations() async throws {
        let created = try await createMeeting(
            #""title":"Politiskt möte; vår, "#
                + #"2027","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"Scandic "#
                + #"Continental","venueAddress":"Vasagatan 22, Stockholm""#
        )
        let id = meetingID(created)
        do {
            let r = try await json(nil, .GET, "/meetings/\(id)/calendar.ics");
            XCTAssertEqual(r.status, .notFound, "planned: not for visitors")
        }
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let ics = try await json(nil, .GET, "/meetings/\(id)/calendar.ics")
        XCTAssertEqual(ics.status, .ok)
        XCTAssertEqual(ics.headers.first(name: .contentType), "text/calendar; charset=utf-8; method=PUBLISH")
        let text = ics.body.string
        XCTAssertTrue(text.contains("UID:\(id)@127.0.0.1\r\n"), text)
        XCTAssertTrue(text.contains("SEQUENCE:1\r\n"))
        XCTAssertTrue(text.contains("DTSTART;TZID=Europe/Stockholm:20270527T130000\r\n"))
        XCTAssertTrue(text.contains("SUMMARY:Politiskt möte\\; vår\\, 2027\r\n"))
        XCTAssertTrue(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"))

        // A registered school chief hears of a new time, with the updated entry.
        let chief = people["Skolchef 0180"]!
        do {
            let r = try await json(
                stockholmCoordinator, .POST, "/api/v1/meetings/\(id)/attendees",
                #"{"personID":"\#(chief.id!.uuidString)"}"#);
            XCTAssertEqual(r.status, .created)
        }
        let moved = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)",
            #"{"title":"Politiskt möte; vår, "#
                + #"2027","startsAt":"2027-05-28T13:00","endsAt":"2027-05-28T16:00","venueName":"Scandic "#
                + #"Continental","venueAddress":"Vasagatan 22, Stockholm"}"#
        )
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        XCTAssertEqual(moved.json["sequence"] as? Int, 2)
        let change = try await OutboxMessage.query(on: app.db).filter(\.$recipient == chief.email!).all().first {
            $0.subject.hasPrefix("Ändrat")
        }
        XCTAssertTrue(change?.attachment?.contains("SEQUENCE:2") ?? false)
        XCTAssertTrue(change?.attachment?.contains("DTSTART;TZID=Europe/Stockholm:20270528T130000") ?? false)

        // The collaboration's public feed carries it; the person's secret feed too.
        let feed = try await json(nil, .GET, "/collaborations/\(slug)/calendar.ics")
        XCTAssertTrue(feed.body.string.contains("UID:\(id)@"))
        XCTAssertFalse(feed.body.string.contains("METHOD:"), "feeds carry no method")
        let personal = CalendarFeed()
        let secret = MeetingCalendar.newToken()
        personal.token = Secret.hash(secret)
        personal.personID = chief.id
        try await personal.create(on: app.db)
        do {
            let r = try await json(nil, .GET, "/calendar/\(secret).ics");
            XCTAssertTrue(r.body.string.contains("UID:\(id)@"))
        }
        do { let r = try await json(nil, .GET, "/calendar/not-a-token.ics"); XCTAssertEqual(r.status, .notFound) }

        // Cancelled: METHOD:CANCEL in the file and the e-mail, STATUS:CANCELLED in the feeds.
        let cancelled = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"cancelled"}"#)
        XCTAssertEqual(cancelled.status, .ok)
        let cancelFile = try await json(nil, .GET, "/meetings/\(id)/calendar.ics").body.string
        XCTAssertTrue(
            cancelFile.contains("METHOD:CANCEL\r\n") && cancelFile.contains("STATUS:CANCELLED\r\n")
                && cancelFile.contains("SEQUENCE:3\r\n"))
        let notice = try await OutboxMessage.query(on: app.db).filter(\.$recipient == chief.email!).all().first {
            $0.subject.hasPrefix("Inställt")
        }
        XCTAssertEqual(notice?.attachmentType, "text/calendar; method=CANCEL")
        do {
            let r = try await json(nil, .GET, "/calendar/\(secret).ics");
            XCTAssertTrue(r.body.string.contains("STATUS:CANCELLED"))
        }
        // A cancelled meeting cannot be published again directly.
        do {
            let r = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"held"}"#);
            XCTAssertEqual(r.status, .conflict)
        }
    }

    // MARK: Clusters, materials, minutes and commitments

    func testClusterMeetingsMaterialsAndCommitments() async throws {
        let series = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/meeting-series",
            """
            {"title":"Klustermöte","clusterID":"\(cluster.id!.uuidString)","firstStart":"2027-02-02T09:00",
                "durationMinutes":180,"count":2,"every":2,"unit":"months","pattern":"rotation"}
            """)
        XCTAssertEqual(series.status, .created, series.body.string)
        let ids = (series.json["meetings"] as! [[String: Any]]).map { ($0["id"] as! String).lowercased() }
        for id in ids {
            let r = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#);
            XCTAssertEqual(r.status, .ok)
        }
        let malmoCoordinator = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@malmo.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1280"))]))
        // Only the cluster (and those who run it) sees its meetings.
        do {
            let r = try await json(malmoCoordinator, .GET, "/api/v1/meetings/\(ids[0])"); XCTAssertEqual(r.status, .ok)
        }
        do {
            let r = try await json(stockholmCoordinator, .GET, "/api/v1/meetings/\(ids[0])");
            XCTAssertEqual(r.status, .notFound, "registered, but not in the cluster")
        }
        do { let r = try await json(nil, .GET, "/api/v1/meetings/\(ids[0])"); XCTAssertEqual(r.status, .notFound) }
        let feed = try await json(nil, .GET, "/collaborations/\(slug)/calendar.ics")
        XCTAssertFalse(feed.body.string.contains(ids[0]), "cluster meetings are not in the public feed")
        // M6: a member of the cluster makes their own secret address of its meetings, shown once;
        // someone outside the cluster cannot.
        let malmo = Client(app)
        try await malmo.signIn("coord@malmo.se", "correct horse battery")
        let clusterPath = "/collaborations/\(slug)/meetings?cluster=\(cluster.id!.uuidString.lowercased())"
        let action = "/collaborations/\(slug)/meetings/cluster-feed?cluster=\(cluster.id!.uuidString.lowercased())"
        do {
            let page = try await malmo.get(clusterPath).body.string
            XCTAssertTrue(page.contains("Make a calendar address for the cluster"), page)
            XCTAssertFalse(page.contains("id=\"feed-link\""), "no address before one is made")
        }
        do { let r = try await malmo.post(action, form: [:]); XCTAssertEqual(r.status, .seeOther) }
        let shown = try await malmo.get(clusterPath).body.string
        let clusterFeed = try XCTUnwrap(
            shown.range(of: #"/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression).map { String(shown[$0]) })
        do { let r = try await send(app, .GET, clusterFeed); XCTAssertTrue(r.body.string.contains("UID:\(ids[0])@")) }
        do {
            let page = try await malmo.get(clusterPath).body.string
            XCTAssertNil(page.range(of: #"/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression), "shown once")
            XCTAssertTrue(page.contains("Make a new calendar address for the cluster"))
        }
        try await makeUser(
            app, email: "coord@stockholm2.se",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "0180"))])
        let stockholm = Client(app)
        try await stockholm.signIn("coord@stockholm2.se", "correct horse battery")
        do {
            let r = try await stockholm.post(action, form: [:]);
            XCTAssertEqual(r.status, .forbidden, "not in the cluster")
        }

        // An agenda with a guest speaker, and a material on an item.
        let agenda = try await json(
            organiser, .PUT, "/api/v1/meetings/\(ids[0])/agenda",
            """
            {"items":[{"title":"Välkommen","durationMinutes":15},{"title":"Forskning om återkoppling",
                "durationMinutes":45,"speakerName":"Anna Lind","speakerAffiliation":"Malmö universitet",
                "questions":["Vad gör vi redan?","Vad prövar vi?"]},{"title":"Nästa steg","durationMinutes":30}]}
            """)
        XCTAssertEqual(agenda.status, .ok, agenda.body.string)
        let items = agenda.json["agenda"] as! [[String: Any]]
        XCTAssertEqual(
            items.map { $0["start"] as! String }, ["2027-02-02T09:00", "2027-02-02T09:15", "2027-02-02T10:00"])
        let itemID = items[1]["id"] as! String
        let pdf = Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)
        let upload = try await multipart(
            organiser, "/api/v1/meetings/\(ids[0])/materials", fields: ["title": "Bilder", "agendaItemID": itemID],
            file: ("bilder.pdf", pdf))
        XCTAssertEqual(upload.status, .created, upload.body.string)
        let href = upload.json["href"] as! String
        let fake = try await multipart(
            organiser, "/api/v1/meetings/\(ids[0])/materials", fields: [:],
            file: ("bilder.pdf", Data("<script>alert(1)</script>".utf8)))
        XCTAssertEqual(fake.status, .unprocessableEntity, "a PDF in name only")
        let script = try await multipart(
            organiser, "/api/v1/meetings/\(ids[0])/materials", fields: [:], file: ("page.html", Data("<html>".utf8)))
        XCTAssertEqual(script.status, .unprocessableEntity)
        do {
            let r = try await multipart(
                malmoCoordinator, "/api/v1/meetings/\(ids[0])/materials", fields: [:], file: ("a.pdf", pdf));
            XCTAssertEqual(r.status, .forbidden)
        }
        // The material goes to the cluster only, with its type.
        let fetched = try await json(malmoCoordinator, .GET, href)
        XCTAssertEqual(fetched.status, .ok)
        XCTAssertEqual(fetched.headers.first(name: .contentType), "application/pdf")
        XCTAssertEqual(Data(fetched.body.readableBytesView), pdf)
        do { let r = try await json(stockholmCoordinator, .GET, href); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await json(nil, .GET, href); XCTAssertEqual(r.status, .notFound) }
        let materialsBefore = try await Material.query(on: app.db).count()
        XCTAssertEqual(materialsBefore, 1, "refused uploads left nothing")
        // Only those who run the meeting delete a material; its bytes go with it.
        let materialAPI = href.replacingOccurrences(of: "/materials/", with: "/api/v1/materials/")
        do { let r = try await json(malmoCoordinator, .DELETE, materialAPI); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await json(stockholmCoordinator, .DELETE, materialAPI); XCTAssertEqual(r.status, .notFound) }
        do {
            let r = try await json(organiser, .DELETE, materialAPI); XCTAssertEqual(r.status, .noContent, r.body.string)
        }
        do { let r = try await json(malmoCoordinator, .GET, href); XCTAssertEqual(r.status, .notFound) }
        let contentsLeft = try await MaterialContent.query(on: app.db).count()
        XCTAssertEqual(contentsLeft, 0)

        // Minutes with a commitment of Malmö, shown on the next meeting and on Malmö's page.
        do {
            let r = try await json(
                organiser, .PUT, "/api/v1/meetings/\(ids[0])/minutes",
                ##"{"minutes":"# Referat\nVi talade om återkoppling.","decisions":["Alla prövar exit tickets"]}"##);
            XCTAssertEqual(r.status, .ok)
        }
        let commitment = try await json(
            organiser, .POST, "/api/v1/meetings/\(ids[0])/commitments",
            #"{"municipality":"se/1280","text":"Pröva exit tickets i årskurs 7","owner":"Rektor "#
                + #"Malmö","dueDate":"2027-03-31"}"#
        )
        XCTAssertEqual(commitment.status, .created, commitment.body.string)
        let wrong = try await json(
            organiser, .POST, "/api/v1/meetings/\(ids[0])/commitments",
            #"{"municipality":"se/0180","text":"x","owner":"y","dueDate":"31/3"}"#)
        XCTAssertEqual(Set(fieldErrors(wrong)), ["municipality", "dueDate"])
        let next = try await json(malmoCoordinator, .GET, "/api/v1/meetings/\(ids[1])")
        XCTAssertEqual(
            (next.json["openCommitments"] as? [[String: Any]])?.map { $0["text"] as! String },
            ["Pröva exit tickets i årskurs 7"])
        let malmoPage = try await sendJSON(app, malmoCoordinator, .GET, "/municipalities/se/1280")
        XCTAssertTrue(malmoPage.body.string.contains("Pröva exit tickets i årskurs 7"))
        let publicPage = try await sendJSON(app, nil, .GET, "/municipalities/se/1280")
        XCTAssertEqual(publicPage.status, .ok)
        XCTAssertTrue(publicPage.body.string.contains("Malmö"), "L4: the page itself is there")
        XCTAssertFalse(publicPage.body.string.contains("Pröva exit tickets"), "minutes of a cluster are not public")
        // Malmö's coordinator marks it done; it leaves the next agenda.
        let done = try await json(
            malmoCoordinator, .POST, "/api/v1/commitments/\(commitment.json["id"] as! String)/status",
            #"{"status":"done"}"#)
        XCTAssertEqual(done.status, .ok, done.body.string)
        do {
            let r = try await json(malmoCoordinator, .GET, "/api/v1/meetings/\(ids[1])");
            XCTAssertEqual((r.json["openCommitments"] as? [[String: Any]])?.count, 0)
        }
        do {
            let r = try await json(
                stockholmCoordinator, .POST, "/api/v1/commitments/\(commitment.json["id"] as! String)/status",
                #"{"status":"open"}"#);
            XCTAssertEqual(r.status, .notFound)
        }
    }

    func testMeetingPagesRenderInEveryLanguage() async throws {
        let created = try await createMeeting(
            #""title":"Politiskt möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"Scandic""#
        )
        let id = meetingID(created)
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        _ = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)/agenda",
            #"{"items":[{"title":"Välkommen","durationMinutes":20},{"title":"Läget i "#
                + #"kommunerna","durationMinutes":70}]}"#
        )
        for (language, end) in [("da", "kl. 14.30"), ("sv", "kl. 14:30"), ("en", "14:30")] {
            var headers = HTTPHeaders()
            headers.add(name: .acceptLanguage, value: language)
            let page = try await send(app, .GET, "/meetings/\(id)", headers: headers)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(
                page.body.string.contains("13:20") || page.body.string.contains("13.20"), "agenda times from durations")
            XCTAssertTrue(page.body.string.contains(end), "\(language): \(page.body.string)")
            let print = try await send(app, .GET, "/meetings/\(id)/print", headers: headers)
            XCTAssertTrue(print.body.string.contains("/css/print.css"))
            let list = try await send(app, .GET, "/collaborations/\(slug)/meetings", headers: headers)
            XCTAssertTrue(list.body.string.contains("Politiskt möte"))
        }
    }

    /// P7: the organiser's own staff may present; another organisation's may not. The editor shows
    /// items folded with time, title and presenter, and a refused change opens its item again.
    func testTheOrganisersStaffPresentAndTheEditorFoldsItems() async throws {
        let id = meetingID(
            try await createMeeting(
                #""title":"Politiskt "#
                    + #"möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"Scandic""#
            ))
        let consultant = try await person("Karin Konsulent", nil, .consultant)
        consultant.organisationID = skr.id
        try await consultant.save(on: app.db)
        let elsewhere = Organisation(name: "KL", kind: .association, country: .dk)
        try await elsewhere.create(on: app.db)
        let stranger = try await person("Kim Andersen", nil, .consultant)
        stranger.organisationID = elsewhere.id
        try await stranger.save(on: app.db)
        let ok = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)/agenda",
            #"{"items":[{"title":"Välkommen","durationMinutes":20,"presenterID":"\#(consultant.id!.uuidString)"}]}"#)
        XCTAssertEqual(ok.status, .ok, ok.body.string)
        let refused = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)/agenda",
            #"{"items":[{"title":"Välkommen","durationMinutes":20,"presenterID":"\#(stranger.id!.uuidString)"}]}"#)
        XCTAssertEqual(refused.status, .unprocessableEntity, refused.body.string)
        XCTAssertTrue(fieldErrors(refused).contains("items[0].presenterID"), refused.body.string)

        let browser = Client(app)
        _ = try await makeUser(
            app, email: "redaktor@skr.se", grants: [RoleGrant(kind: .organiser, organisationID: skr.id)])
        try await browser.signIn("redaktor@skr.se", "correct horse battery")
        let editor = try await browser.get("/meetings/\(id)/agenda")
        XCTAssertEqual(editor.status, .ok)
        let page = editor.body.string
        XCTAssertTrue(page.contains("<details name=\"agenda-item\">"), "items start folded")
        XCTAssertTrue(page.contains("Karin Konsulent"), "the presenter is named in the folded item")
        XCTAssertFalse(page.contains(">Kim Andersen<"), "another organisation's staff is not offered")
        let item = try XCTUnwrap(
            page.range(of: #"id="item-([0-9a-f-]+)""#, options: .regularExpression)
                .map { String(page[$0].dropFirst(9).dropLast()) })
        let bad = try await browser.post(
            "/meetings/\(id)/agenda/\(item)", form: ["title": "", "durationMinutes": "20"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("<details name=\"agenda-item\" open>"), "the refused item opens again")
        let saved = try await browser.post(
            "/meetings/\(id)/agenda/\(item)", form: ["title": "Välkomna", "durationMinutes": "25"])
        XCTAssertEqual(saved.status, .seeOther)
        XCTAssertEqual(saved.headers.first(name: .location), "/meetings/\(id)/agenda?item=\(item)#item-\(item)")
    }

    /// P1: the invited, who have no account, register and cancel from the e-mailed personal link,
    /// as themselves only and for that meeting only.
    func testAnInvitedPersonRegistersAndCancelsFromTheEmailedLinkWithoutAnAccount() async throws {
        let first = meetingID(
            try await createMeeting(
                #""title":"Politiskt "#
                    + #"möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"Scandic""#
            ))
        let second = meetingID(
            try await createMeeting(
                #""title":"Höstmöte","startsAt":"2027-10-07T13:00","endsAt":"2027-10-07T16:00","venueName":"Scandic""#))
        for id in [first, second] {
            let published = try await json(
                organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
            XCTAssertEqual(published.status, .ok, published.body.string)
        }
        let visitor = Client(app)
        let before = try await visitor.get("/meetings/\(first)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(before.body.string.contains("/sign-in?next=/meetings/\(first)"), "signing in is a link")
        XCTAssertTrue(before.body.string.contains("through the link in it"))

        let mail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "skolchef.0180@example.se")
            .filter(\.$subject ~~ "Politiskt möte").first()
        let body = try XCTUnwrap(mail?.body)
        let start = try XCTUnwrap(body.range(of: "/meeting-links/"))
        let key = String(body[start.upperBound...].prefix { !$0.isWhitespace })
        XCTAssertTrue(body.contains("utan konto"), body)
        let stored = try await MeetingLink.query(on: app.db).all()
        XCTAssertFalse(stored.contains { $0.tokenHash == key }, "only the hash is kept")
        XCTAssertEqual(RequestLog.redacted("/meeting-links/\(key)"), "/meeting-links/…")
        let wrong = try await visitor.get("/meeting-links/not-a-key")
        XCTAssertEqual(wrong.status, .notFound)

        let opened = try await visitor.get("/meeting-links/\(key)")
        XCTAssertEqual(opened.status, .seeOther)
        XCTAssertEqual(opened.headers.first(name: .location), "/meetings/\(first)")
        let page = try await visitor.get("/meetings/\(first)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("You are registering as Skolchef 0180 through your personal link."))
        XCTAssertTrue(page.body.string.contains(#"id="register""#), "the button, without an account")
        let chief = people["Skolchef 0180"]!.id!
        let other = people["Skolchef 1480"]!.id!.uuidString
        let forOther = try await visitor.post("/meetings/\(first)/register", form: ["personID": other])
        XCTAssertEqual(forOther.status, .unauthorized, "the link acts for its own person only")
        let registered = try await visitor.post("/meetings/\(first)/register", form: [:])
        XCTAssertEqual(registered.status, .seeOther, registered.body.string)
        let attendance = try await Attendance.query(on: app.db).filter(\.$personID == chief).first()
        XCTAssertEqual(attendance?.status, "registered")
        let confirmation = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "skolchef.0180@example.se")
            .filter(\.$subject ~~ "Anmäld").count()
        XCTAssertEqual(confirmation, 1, "a confirmation, with a new personal link")
        let elsewhere = try await visitor.post("/meetings/\(second)/register", form: [:])
        XCTAssertEqual(elsewhere.status, .unauthorized, "the link is for one meeting")
        let cancelled = try await visitor.post("/meetings/\(first)/cancel", form: [:])
        XCTAssertEqual(cancelled.status, .seeOther)
        let after = try await Attendance.query(on: app.db).filter(\.$personID == chief).first()
        XCTAssertEqual(after?.status, "cancelled")
    }

    func testAPersonSignsInFindsTheMeetingRegistersAndSubscribes() async throws {
        let created = try await createMeeting(
            #""title":"Politiskt möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","venueName":"Scandic""#
        )
        let id = meetingID(created)
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        // The account has the school chief's address, so signing in links it to that person.
        let chief = try await makeUser(app, email: "skolchef.0180@example.se")
        let client = Client(app)
        try await client.signIn("skolchef.0180@example.se", "correct horse battery")
        let mine = try await client.get("/me/meetings")
        XCTAssertEqual(mine.status, .ok)
        XCTAssertTrue(mine.body.string.contains("Politiskt möte"), "invited by the seat")
        let registered = try await client.post("/meetings/\(id)/register", form: [:])
        XCTAssertEqual(registered.status, .seeOther)
        let page = try await client.get("/meetings/\(id)")
        XCTAssertTrue(page.body.string.contains("attendance-message"), page.body.string)
        XCTAssertTrue(page.body.string.contains("cancel-registration"))
        let attendance = try await Attendance.query(on: app.db).filter(\.$personID == people["Skolchef 0180"]!.id!)
            .first()
        XCTAssertEqual(attendance?.status, "registered")
        // Someone of another municipality is not invited to the seats' meeting.
        try await person("Rektor Kiruna", "2584", .schoolLeader)
        try await makeUser(app, email: "rektor.kiruna@example.se")
        let stranger = Client(app)
        try await stranger.signIn("rektor.kiruna@example.se", "correct horse battery")
        _ = try await stranger.post("/meetings/\(id)/register", form: [:])
        let count = try await Attendance.query(on: app.db).count()
        XCTAssertEqual(count, 1)
        // A secret feed of one's own meetings.
        let made = try await client.post("/me/calendar-feed", form: [:])
        XCTAssertEqual(made.status, .seeOther)
        let withFeed = try await client.get("/me/meetings").body.string
        let token = try XCTUnwrap(
            withFeed.range(of: #"/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression).map {
                String(withFeed[$0])
            })
        let feed = try await send(app, .GET, token)
        XCTAssertTrue(feed.body.string.contains("UID:\(id)@"))
        XCTAssertEqual(feed.headers.first(name: .contentType), "text/calendar; charset=utf-8")
        // The same over the API; a new address replaces the old one.
        let apiToken = try await makeToken(app, for: chief)
        // M6: the address is shown once; the database keeps its SHA-256 only.
        let again = try await client.get("/me/meetings").body.string
        XCTAssertNil(again.range(of: #"/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression), "shown once")
        XCTAssertTrue(again.contains("It is shown only when made"))
        let secretOfToken = String(token.dropFirst("/calendar/".count).dropLast(".ics".count))
        let stored = try await CalendarFeed.query(on: app.db).filter(\.$personID == people["Skolchef 0180"]!.id!).all()
            .map(\.token)
        XCTAssertEqual(stored, [Secret.hash(secretOfToken)])
        let listed = try await json(apiToken, .GET, "/api/v1/me/meetings")
        XCTAssertNil(listed.json["calendarFeed"] as? String)
        XCTAssertNotNil(listed.json["calendarFeedMadeAt"] as? String)
        XCTAssertEqual((listed.json["meetings"] as? [[String: Any]])?.first?["attendance"] as? String, "registered")
        let renewed = try await json(apiToken, .POST, "/api/v1/me/calendar-feed")
        XCTAssertEqual(renewed.status, .created)
        let newFeed = try XCTUnwrap(renewed.json["calendarFeed"] as? String)
        XCTAssertNotEqual(newFeed, token)
        do {
            let r = try await send(app, .GET, token);
            XCTAssertEqual(r.status, .notFound, "the leaked address stops working")
        }
        do { let r = try await send(app, .GET, newFeed); XCTAssertEqual(r.status, .ok) }
        do {
            let r = try await json(organiser, .POST, "/api/v1/me/calendar-feed");
            XCTAssertEqual(r.status, .conflict, "an account without a person has no feed")
        }
    }

    func testUploadsOverTheLimitAreRefusedWithTheirSize() async throws {
        let id = meetingID(
            try await createMeeting(#""title":"Konferens","startsAt":"2027-05-27T09:00","endsAt":"2027-05-27T16:00""#))
        var large = Data("%PDF-1.4\n".utf8)
        large.append(Data(count: MaterialRules.maxBytes + 500_000))
        let tooLarge = try await multipart(
            organiser, "/api/v1/meetings/\(id)/materials", fields: [:], file: ("stor.pdf", large))
        XCTAssertEqual(tooLarge.status, .payloadTooLarge)
        XCTAssertTrue(tooLarge.body.string.contains("20 MB"), tooLarge.body.string)
        large.append(Data(count: 1_000_000))
        let beyond = try await multipart(
            organiser, "/api/v1/meetings/\(id)/materials", fields: [:], file: ("storre.pdf", large))
        XCTAssertEqual(beyond.status, .payloadTooLarge)
        XCTAssertTrue(beyond.body.string.contains("20 MB"), beyond.body.string)
        let count = try await Material.query(on: app.db).count()
        XCTAssertEqual(count, 0)
        let browser = Client(app)
        try await browser.signIn("samordnare@skr.se", "correct horse battery")
        try await checkUploadLimits(
            app, browser, "/meetings/\(id)/materials", fields: ["title": "Bilder"], name: "bilder.pdf",
            head: "%PDF-1.4\n", limitMB: 20)
    }

    func testRemindersGoOnceBeforeTheMeetingAndAgainAfterAChangeOfTime() async throws {
        let id = meetingID(
            try await createMeeting(
                #""title":"Politiskt "#
                    + #"möte","startsAt":"2027-05-27T13:00","endsAt":"2027-05-27T16:00","reminderHours":24"#
            ))
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(id)/status", #"{"status":"published"}"#)
        let chief = people["Skolchef 0180"]!
        _ = try await json(
            stockholmCoordinator, .POST, "/api/v1/meetings/\(id)/attendees", #"{"personID":"\#(chief.id!.uuidString)"}"#
        )
        let start = try await Meeting.find(UUID(uuidString: id), on: app.db)!.startsAt
        func reminders() async throws -> Int {
            try await OutboxMessage.query(on: app.db).filter(\.$recipient == chief.email!).all().filter {
                $0.subject.hasPrefix("Påminnelse")
            }.count
        }
        let early = try await MeetingNotices.sendDue(application: app, now: start.addingTimeInterval(-30 * 3600))
        XCTAssertEqual(early, 0)
        let due = try await MeetingNotices.sendDue(application: app, now: start.addingTimeInterval(-20 * 3600))
        XCTAssertEqual(due, 1)
        let again = try await MeetingNotices.sendDue(application: app, now: start.addingTimeInterval(-10 * 3600))
        XCTAssertEqual(again, 0, "once")
        let sent = try await reminders()
        XCTAssertEqual(sent, 1)
        // A new time means a new reminder.
        _ = try await json(
            organiser, .PUT, "/api/v1/meetings/\(id)",
            #"{"title":"Politiskt möte","startsAt":"2027-05-28T13:00","endsAt":"2027-05-28T16:00","reminderHours":24}"#)
        let moved = try await MeetingNotices.sendDue(application: app, now: start.addingTimeInterval(10 * 3600))
        XCTAssertEqual(moved, 1)
    }

    func multipart(
        _ token: String, _ path: String, fields: [String: String], file: (String, Data)
    ) async throws -> XCTHTTPResponse {
        try await sendMultipart(app, token, path, fields: fields, file: file)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
