import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: the collaboration's meetings.
extension MeetingPages {
    /// Upcoming and past meetings, as two tables.
    struct Section: Encodable {
        var id: String
        var heading: String
        var rows: [Row]
        var empty: String

        static func split(_ rows: [(meeting: Meeting, row: Row)], request: Request) -> [Section] {
            let now = Date()
            return [
                Section(
                    id: "upcoming", heading: request.t("meetings.upcoming"),
                    rows: rows.filter { $0.meeting.endsAt >= now }.map(\.row),
                    empty: request.t("meetings.none_upcoming")),
                Section(
                    id: "past", heading: request.t("meetings.past"),
                    rows: rows.filter { $0.meeting.endsAt < now }.reversed().map(\.row),
                    empty: request.t("meetings.none_past")),
            ]
        }
    }

    struct ListContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var canPlan: Bool
        var clusters: [Option]
        var clusterName: String?
        var sections: [Section]
        var feedHref: String?
        var feedNote: String
        /// When this account made its cluster address; the form that makes a new one.
        var feedMade: String?
        var feedAction: String?
        var feedButton: String
    }

    func list(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        let chosen = request.query[String.self, at: "cluster"].flatMap(UUID.init(uuidString:)).flatMap { id in
            clusters.first { $0.id == id }
        }
        var query = try Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(\.$startsAt)
        if let chosen { query = query.filter(\.$clusterID == chosen.id!) }
        let visible = try await MeetingAccess.visible(c, try await query.all(), request: request)
        let names = Dictionary(uniqueKeysWithValues: clusters.map { ($0.id!, $0.name) })
        let rows = visible.map {
            (
                meeting: $0.meeting,
                row: Self.row($0.meeting, cluster: $0.meeting.clusterID.flatMap { names[$0] }, request: request)
            )
        }
        let canPlan = MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        // A cluster's feed is secret (cluster meetings are not public): each account makes its own
        // address, shown once; the collaboration's feed is public.
        var feedHref: String? = c.statusValue.isPublished ? "/collaborations/\(c.slug)/calendar.ics" : nil
        var feedNote = request.t("meetings.feed_public")
        var feedMade: String?
        var feedAction: String?
        var feedButton = ""
        if let chosen {
            let seesCluster = visible.contains { $0.meeting.clusterID == chosen.id } || canPlan
            feedHref = nil
            feedNote = request.t("meetings.feed_secret")
            if seesCluster, let user = request.actor.userID {
                feedHref = Self.shownOnce(request)
                let made = try await MeetingCalendar.clusterFeedMadeAt(chosen.requireID(), userID: user, on: request.db)
                feedMade = made.map { request.t("meetings.feed_made", [Self.madeOn($0, request)]) }
                let clusterID = try chosen.requireID().uuidString.lowercased()
                feedAction = "/collaborations/\(c.slug)/meetings/cluster-feed?cluster=\(clusterID)"
                feedButton = request.t(made == nil ? "meetings.cluster_feed_create" : "meetings.cluster_feed_replace")
            }
        }
        let clusterOptions =
            clusters.isEmpty
            ? []
            : [Option(value: "", label: request.t("meetings.all_clusters"), selected: chosen == nil)]
                + clusters.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == chosen?.id) }
        return try await request.view.render(
            "meetings/list",
            ListContext(
                page: PageContext(request, titleKey: "meetings.title"), title: c.title, slug: c.slug, canPlan: canPlan,
                clusters: clusterOptions,
                clusterName: chosen?.name, sections: Section.split(rows, request: request), feedHref: feedHref,
                feedNote: feedNote,
                feedMade: feedMade, feedAction: feedAction, feedButton: feedButton))
    }

    /// A feed address made by this request's session a moment ago, shown once.
    static func shownOnce(_ request: Request) -> String? {
        guard request.hasSession, let href = request.session.data[MeetingCalendar.shownOnceKey] else { return nil }
        request.session.data[MeetingCalendar.shownOnceKey] = nil
        return href
    }

    static func madeOn(_ date: Date, _ request: Request) -> String {
        DateText.dateTime(
            date, request.language, zone: request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen")
    }

    /// Makes this account's secret address of a cluster's meetings (or a new one), for those who
    /// see the cluster; the next page shows it once.
    func newClusterFeed(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let c = try await CollaborationAccess.load(request)
        guard let id = request.query[String.self, at: "cluster"].flatMap(UUID.init(uuidString:)),
            let cluster = try await Cluster.find(id, on: request.db), cluster.collaborationID == c.id
        else {
            throw SamradError.notFound()
        }
        let meetings = try await Meeting.query(on: request.db).filter(\.$clusterID == id).all()
        var sees = MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        if !sees { sees = !(try await MeetingAccess.visible(c, meetings, request: request)).isEmpty }
        try request.require(sees)
        let href = try await MeetingCalendar.renewClusterFeed(id, userID: user.requireID(), on: request.db)
        request.session.data[MeetingCalendar.shownOnceKey] = href
        return request.redirect(
            to: "/collaborations/\(c.slug)/meetings?cluster=\(id.uuidString.lowercased())",
            notice: "meetings.feed_created")
    }
}
