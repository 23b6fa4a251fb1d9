import Fluent
import Foundation
import SamradCore
import Vapor

/// Meetings in the browser: a collaboration's (or cluster's) list, planning one meeting or a whole
/// series, the meeting page with its agenda, materials, who comes and minutes, the printable agenda,
/// "my meetings", and the calendar files and feeds.
struct MeetingPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("collaborations", ":slug")
        c.get("meetings", use: list)
        c.grouped(ConditionalGET()).get("calendar.ics", use: collaborationFeed)
        c.get("meetings", "new", use: newForm)
        c.post("meetings", "new", use: create)
        c.get("meetings", "series", use: seriesForm)
        c.post("meetings", "series", use: planSeries)
        let m = routes.grouped("meetings", ":meeting")
        m.grouped(KeptPages()).get(use: show)
        m.get("edit", use: editForm)
        m.post("edit", use: update)
        m.post("status", use: changeStatus)
        m.grouped(ConditionalGET()).get("calendar.ics", use: download)
        m.get("print", use: printable)
        routes.get("me", "meetings", use: mine)
        routes.post("me", "calendar-feed", use: newPersonFeed)
        routes.post("collaborations", ":slug", "meetings", "cluster-feed", use: newClusterFeed)
        routes.grouped(ConditionalGET()).get("calendar", ":token", use: feed)
    }


    static func when(_ m: Meeting, _ request: Request) -> String {
        DateText.span(m.startsAt, m.endsAt, request.language, zone: m.timeZone)
    }

    static func place(_ m: Meeting, _ request: Request) -> String {
        let text = MeetingCalendar.location(
            m, directory: request.municipalities, language: request.language, catalog: request.catalog)
        return text.isEmpty ? request.t("meetings.place_unknown") : text
    }

    struct Row: Encodable {
        var href: String
        var title: String
        var when: String
        var place: String
        var status: String
        var statusLabel: String
        var kind: String
        var cluster: String?
        var attending: String?
    }

    static func row(_ m: Meeting, cluster: String?, attending: String? = nil, request: Request) -> Row {
        Row(
            href: m.href, title: m.title, when: when(m, request), place: place(m, request), status: m.status,
            statusLabel: request.t("meeting_status.\(m.status)"), kind: request.t("meeting_kind.\(m.kind)"),
            cluster: cluster, attending: attending)
    }
}
