import Fluent
import Foundation
import SamradCore
import Vapor

/// What a collaboration's page tells everyone about a standing network (case 5) or any other
/// collaboration: the municipalities taking part, the meetings coming and held with their hosts,
/// its history year by year and its latest public materials. Only what is public elsewhere: a
/// municipality's page lists its collaborations, the meetings are those the reader may see, the
/// materials are published for everybody.
struct CollaborationPublicFace: Encodable {
    struct MeetingLine: Encodable { var date: String; var title: String; var href: String; var host: String? }
    struct MeetingGroup: Encodable { var heading: String; var lines: [MeetingLine] }
    struct YearLine: Encodable { var year: String; var meetings: String; var hosts: String }

    var participants: [Link]
    var participantsHeading: String
    /// Coming, then held (latest first); a group without meetings is left out.
    var meetings: [MeetingGroup]
    var history: [YearLine]
    var materials: [Link]
    var meetingsHref: String
    var materialsHref: String

    /// Meetings shown of each kind; the meetings page has them all.
    static let shown = 5

    static func of(_ c: Collaboration, request: Request) async throws -> CollaborationPublicFace {
        let id = try c.requireID()
        let directory = request.municipalities
        let registered = try await Registration.registeredMunicipalities(id, on: request.db)
            .sorted { directory.order(of: $0) < directory.order(of: $1) }
        let participants = registered.compactMap { directory[$0] }.map {
            Link(href: "/municipalities/\($0.country.rawValue)/\($0.code)", label: $0.name)
        }
        let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == id)
            .filter(\.$status ~~ [MeetingStatus.published.rawValue, MeetingStatus.held.rawValue])
            .sort(\.$startsAt).all()
        let visible = try await MeetingAccess.visible(c, meetings, request: request).map(\.meeting)
        let now = Date()
        func line(_ m: Meeting) -> MeetingLine {
            MeetingLine(
                date: DateText.date(m.startsAt, request.language, zone: m.timeZone), title: m.title, href: m.href,
                host: m.host.flatMap { directory[$0]?.name })
        }
        let coming = visible.filter { $0.endsAt >= now }
        // The page changes when the next meeting is over.
        request.keepUntil(coming.first?.endsAt)
        let held = visible.filter { $0.endsAt < now }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: c.timeZone) ?? .current
        // The history counts a meeting once it has begun, as the report does.
        let begun = visible.filter { $0.startsAt <= now }
        let byYear = Dictionary(grouping: begun) { calendar.component(.year, from: $0.startsAt) }
        let history = byYear.keys.sorted(by: >).map { year in
            let ofYear = byYear[year] ?? []
            var hosts: [String] = []
            for name in ofYear.compactMap({ $0.host.flatMap { directory[$0]?.name } }) where !hosts.contains(name) {
                hosts.append(name)
            }
            return YearLine(
                year: String(year), meetings: request.t("network.meetings_held", count: ofYear.count),
                hosts: hosts.joined(separator: ", "))
        }
        let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$collaborationID == id)
            .filter(\.$status == EditorialStatus.published.rawValue)
            .filter(\.$visibility == MaterialVisibility.public.rawValue)
            .sort(\.$publishedAt, .descending).limit(shown).all()
        return CollaborationPublicFace(
            participants: participants,
            participantsHeading: request.t("network.participants", count: participants.count),
            meetings: [
                MeetingGroup(heading: request.t("meetings.upcoming"), lines: coming.prefix(shown).map(line)),
                MeetingGroup(heading: request.t("network.held"), lines: held.suffix(shown).reversed().map(line)),
            ].filter { !$0.lines.isEmpty },
            history: history,
            materials: materials.map { Link(href: $0.href, label: $0.title) },
            meetingsHref: "/collaborations/\(c.slug)/meetings", materialsHref: "/knowledge?collaboration=\(c.slug)")
    }
}
