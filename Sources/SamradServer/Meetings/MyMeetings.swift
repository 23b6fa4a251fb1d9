import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: my meetings.
extension MeetingPages {
    struct MineContext: Encodable {
        var page: PageContext
        var sections: [Section]
        var feedHref: String?
        var feedMade: String?
        var hasPerson: Bool
    }

    func mine(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        var rows: [(meeting: Meeting, row: Row)] = []
        var feedHref: String?
        var feedMade: String?
        if let personID = request.actor.personID, let person = try await Person.find(personID, on: request.db) {
            for entry in try await MyMeetings.of(
                person, municipalities: request.actor.municipalities, since: Date().addingTimeInterval(-365 * 86_400),
                on: request.db)
            {
                let attending = entry.attendance.flatMap {
                    $0.statusValue.isActive ? request.t("attendance_status.\($0.status)") : nil
                }
                rows.append(
                    (entry.meeting, Self.row(entry.meeting, cluster: nil, attending: attending, request: request)))
            }
            feedHref = Self.shownOnce(request)
            feedMade = try await MeetingCalendar.personFeedMadeAt(personID, on: request.db)
                .map { request.t("meetings.feed_made", [Self.madeOn($0, request)]) }
        }
        return try await request.view.render(
            "meetings/mine",
            MineContext(
                page: PageContext(request, titleKey: "meetings.mine_title"),
                sections: Section.split(rows, request: request),
                feedHref: feedHref, feedMade: feedMade, hasPerson: request.actor.personID != nil))
    }

    /// Makes (or replaces, when the old address leaked) the person's secret feed address.
    func newPersonFeed(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        guard let personID = request.actor.personID else { throw SamradError(.conflict, "attendance.no_person") }
        let href = try await MeetingCalendar.renewPersonFeed(personID, on: request.db)
        request.session.data[MeetingCalendar.shownOnceKey] = href
        return request.redirect(to: "/me/meetings", notice: "meetings.feed_created")
    }
}
