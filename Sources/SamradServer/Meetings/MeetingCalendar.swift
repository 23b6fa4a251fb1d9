import Fluent
import Foundation
import SamradCore
import Vapor

/// Meetings as iCalendar: the .ics of one meeting, the e-mail attachment, and the subscription feeds
/// of a collaboration (its public meetings), a cluster and a person (secret addresses, because
/// calendar programs cannot sign in).
enum MeetingCalendar {
    /// Stable across changes and instances: the meeting's id at the installation's host.
    static func uid(_ m: Meeting, settings: Settings) -> String {
        let host = URL(string: settings.publicBaseURL)?.host ?? "samrad.localhost"
        return "\(m.id!.uuidString.lowercased())@\(host)"
    }

    /// Where the meeting is, as everyone may read it: the place, and that it is also or only online
    /// — never the join link, which `joinText` gives only to those who may join.
    static func location(_ m: Meeting, directory: MunicipalityDirectory, language: Language, catalog: Catalog) -> String
    {
        var parts = [m.venueName, m.venueAddress].compactMap { $0 }
        if parts.isEmpty, let host = m.host.flatMap({ directory[$0] }) {
            parts.append(catalog.text("meetings.hosted_by", language, [host.name]))
        }
        if m.modeValue.hasOnlinePart { parts.append(catalog.text("meeting_mode.place.\(m.mode)", language)) }
        return parts.joined(separator: ", ")
    }

    /// The join link and dial-in for someone who may join (`MeetingPolicy.mayJoinOnline`), as lines
    /// for a calendar entry or an e-mail; nil when the meeting has neither.
    static func joinText(_ m: Meeting, language: Language, catalog: Catalog) -> String? {
        guard m.modeValue.hasOnlinePart else { return nil }
        var lines: [String] = []
        if let link = m.onlineURL { lines.append(catalog.text("meetings.join_line", language, [link])) }
        if let dialIn = m.dialIn { lines.append(catalog.text("meetings.dial_in_line", language, [dialIn])) }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// `mayJoin`: the entry is for someone who may join online; only then does it carry the link (in
    /// the description, and as the location of a meeting that is only online).
    static func event(
        _ m: Meeting, context: MailContext, language: Language, organiser: String? = nil, mayJoin: Bool = false
    ) -> ICalendar.Event {
        let url = context.settings.publicBaseURL + m.href
        var text = m.description.isEmpty ? url : m.description + "\n\n" + url
        var location = location(m, directory: context.directory, language: language, catalog: context.catalog)
        if mayJoin, let join = joinText(m, language: language, catalog: context.catalog) {
            text = join + "\n\n" + text
            if m.modeValue == .online, let link = m.onlineURL { location = link }
        }
        return ICalendar.Event(
            uid: uid(m, settings: context.settings), sequence: m.sequence, start: m.startsAt, end: m.endsAt,
            zone: m.timeZone,
            summary: m.title, description: text,
            location: location, url: url,
            cancelled: m.statusValue == .cancelled, tentative: m.statusValue == .planned, lastModified: m.updatedAt,
            organizerName: organiser, organizerEmail: organiser == nil ? nil : Self.address(context.settings.mailFrom))
    }

    /// "Samrad <no-reply@samrad.dk>" → "no-reply@samrad.dk".
    static func address(_ from: String) -> String {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            return String(from[from.index(after: open)..<close])
        }
        return from
    }

    /// One meeting as a file: METHOD:CANCEL once it is cancelled, so importing it removes the entry.
    static func single(
        _ m: Meeting, organiser: String, context: MailContext, language: Language, mayJoin: Bool
    ) -> ICalendar {
        ICalendar(
            method: m.statusValue == .cancelled ? .cancel : .publish,
            events: [event(m, context: context, language: language, organiser: organiser, mayJoin: mayJoin)])
    }

    static func attachment(
        _ m: Meeting, organiser: String, context: MailContext, language: Language, mayJoin: Bool
    ) -> EmailMessage.Attachment {
        let calendar = single(m, organiser: organiser, context: context, language: language, mayJoin: mayJoin)
        return EmailMessage.Attachment(
            filename: "meeting.ics", contentType: "text/calendar; method=\(calendar.method!.rawValue)",
            text: calendar.text())
    }

    static func response(_ calendar: ICalendar, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(string: calendar.text()))
        var type = "text/calendar; charset=utf-8"
        if let method = calendar.method { type += "; method=\(method.rawValue)" }
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        return response
    }

    /// A feed: every meeting in it, cancelled ones kept with STATUS:CANCELLED so subscribers drop
    /// them; no method, as RFC 5545 feeds carry none.
    /// `joining`: the meetings whose entries carry the join link (a person's own feed: those they
    /// are registered for); none in a collaboration's or a cluster's feed, whose address is shared.
    static func feed(
        _ meetings: [Meeting], name: String, context: MailContext, language: Language, joining: Set<UUID> = []
    ) -> ICalendar {
        ICalendar(
            method: nil, name: name,
            events: meetings.map {
                event($0, context: context, language: language, mayJoin: $0.id.map(joining.contains) ?? false)
            })
    }

    /// Feed addresses are secrets kept only as their SHA-256: an address is shown once, when it is
    /// made (the page after making it, or the API's answer); making a new one ends the old one.
    static let shownOnceKey = "calendar_feed_once"

    /// The feed of a secret from an address, if there is one.
    static func feed(secret: String, on db: any Database) async throws -> CalendarFeed? {
        guard !secret.isEmpty else { return nil }
        return try await CalendarFeed.query(on: db).filter(\.$token == Secret.hash(secret)).first()
    }

    /// When the person's secret feed address was made, if it has been.
    static func personFeedMadeAt(_ personID: UUID, on db: any Database) async throws -> Date? {
        try await CalendarFeed.query(on: db).filter(\.$personID == personID).first()?.createdAt
    }

    /// Makes (or replaces, when the old address leaked) the person's secret feed address.
    static func renewPersonFeed(_ personID: UUID, on db: any Database) async throws -> String {
        try await renew(on: db, replacing: { $0.filter(\.$personID == personID) }) { $0.personID = personID }
    }

    /// When this account made its address for the cluster, if it did.
    static func clusterFeedMadeAt(_ clusterID: UUID, userID: UUID, on db: any Database) async throws -> Date? {
        try await CalendarFeed.query(on: db).filter(\.$clusterID == clusterID).filter(\.$userID == userID).first()?
            .createdAt
    }

    /// Makes (or replaces) this account's secret address of the cluster's meetings.
    static func renewClusterFeed(_ clusterID: UUID, userID: UUID, on db: any Database) async throws -> String {
        try await renew(on: db, replacing: { $0.filter(\.$clusterID == clusterID).filter(\.$userID == userID) }) {
            $0.clusterID = clusterID
            $0.userID = userID
        }
    }

    private static func renew(
        on db: any Database,
        replacing old: @escaping @Sendable (QueryBuilder<CalendarFeed>) -> QueryBuilder<CalendarFeed>,
        _ fill: @escaping @Sendable (CalendarFeed) -> Void
    ) async throws -> String {
        let secret = newToken()
        try await db.transaction { db in
            try await old(CalendarFeed.query(on: db)).delete()
            let feed = CalendarFeed()
            feed.token = Secret.hash(secret)
            fill(feed)
            try await feed.create(on: db)
        }
        return "/calendar/\(secret).ics"
    }

    /// A new secret address for a feed.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URL
    }
}
