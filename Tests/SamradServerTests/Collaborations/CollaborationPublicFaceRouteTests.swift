import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// A standing network's public page (case 5): its municipalities, its meetings with their hosts, its
/// history and its public materials; a cluster's meetings and members' materials stay with them.
extension CollaborationRouteTests {
    func testTheCollaborationsPageShowsItsMembersMeetingsHistoryAndPublicMaterials() async throws {
        let (slug, c) = try await reportFixture()
        let east = try await Cluster.query(on: app.db).filter(\.$name == "Klynge Øst").first()
        let clusterMeeting = Meeting()
        clusterMeeting.collaborationID = c.id!
        clusterMeeting.clusterID = try XCTUnwrap(east).id
        clusterMeeting.title = "Klyngemøde Øst"
        clusterMeeting.description = ""
        clusterMeeting.kind = MeetingKind.meeting.rawValue
        clusterMeeting.status = MeetingStatus.held.rawValue
        clusterMeeting.startsAt = try XCTUnwrap(DateText.parseLocal("2026-02-02T10:00", zone: "Europe/Copenhagen"))
        clusterMeeting.endsAt = clusterMeeting.startsAt.addingTimeInterval(3600)
        clusterMeeting.timeZone = "Europe/Copenhagen"
        clusterMeeting.mode = "in_person"
        clusterMeeting.audience = "seats"
        clusterMeeting.audiencePositions = []
        clusterMeeting.sequence = 0
        clusterMeeting.attendanceSequence = 0
        clusterMeeting.minutes = ""
        clusterMeeting.decisions = []
        try await clusterMeeting.create(on: app.db)

        let en: HTTPHeaders = ["Accept-Language": "en"]
        let page = try await Client(app).get("/collaborations/\(slug)", headers: en)
        XCTAssertEqual(page.status, .ok)
        let body = page.body.string
        for text in [
            "2 municipalities take part", #"<a href="/municipalities/dk/751">Aarhus</a>"#,
            #"<a href="/municipalities/dk/461">Odense</a>"#, "Forårsmøde 2025", "Efterårsmøde 2026",
            "(hosted by Aarhus)", "<dt>2025</dt>", "1 meeting", "Læseplanen i Aarhus",
            "/knowledge?collaboration=\(slug)",
        ] {
            XCTAssertTrue(body.contains(text), "a visitor reads \(text)")
        }
        XCTAssertFalse(body.contains("Klyngemøde Øst"), "a cluster's meeting is for the cluster")
        XCTAssertFalse(body.contains("Intern evaluering"), "a material for members is not on the public page")
        XCTAssertFalse(body.contains("Aarhus deler sin læseplan"), "commitments are not on the public page")

        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let own = try await coordinator.get("/collaborations/\(slug)", headers: en).body.string
        XCTAssertTrue(own.contains("Klyngemøde Øst"), "the cluster's own members see its meeting")
        XCTAssertTrue(own.contains("<dt>2026</dt>") && own.contains("2 meetings"), "two held in 2026 for them")
        let swedish = try await Client(app).get("/collaborations/\(slug)", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(swedish.body.string.contains("2 kommuner deltar"))
    }
}
