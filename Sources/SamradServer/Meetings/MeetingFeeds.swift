import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: calendars.
extension MeetingPages {
    func download(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        let organiser = try await MeetingNotices.organiserName(access, on: request.db)
        let calendar = MeetingCalendar.single(
            access.meeting, organiser: organiser, context: MailContext(request), language: request.language,
            mayJoin: access.mayJoinOnline)
        return MeetingCalendar.response(
            calendar,
            filename: "\(Slug.make(access.meeting.title).isEmpty ? "meeting" : Slug.make(access.meeting.title)).ics")
    }

    /// The public meetings of a published collaboration (not its clusters').
    func collaborationFeed(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        guard c.statusValue.isPublished else { throw SamradError.notFound("error.collaboration_not_found") }
        let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).filter(
            \.$clusterID == nil
        )
        .filter(\.$status ~~ [MeetingStatus.published, .held, .cancelled].map(\.rawValue)).sort(\.$startsAt).all()
        return MeetingCalendar.response(
            MeetingCalendar.feed(meetings, name: c.title, context: MailContext(request), language: request.language),
            filename: "\(c.slug).ics")
    }

    /// A secret feed: a person's meetings or a cluster's.
    func feed(_ request: Request) async throws -> Response {
        var token = request.parameters.get("token") ?? ""
        if token.hasSuffix(".ics") { token.removeLast(4) }
        guard let feed = try await MeetingCalendar.feed(secret: token, on: request.db) else {
            throw SamradError.notFound()
        }
        let context = MailContext(request)
        let since = Date().addingTimeInterval(-365 * 86_400)
        if let clusterID = feed.clusterID, let cluster = try await Cluster.find(clusterID, on: request.db) {
            let meetings = try await Meeting.query(on: request.db).filter(\.$clusterID == clusterID)
                .filter(\.$status ~~ [MeetingStatus.published, .held, .cancelled].map(\.rawValue)).filter(
                    \.$endsAt >= since
                ).sort(\.$startsAt).all()
            return MeetingCalendar.response(
                MeetingCalendar.feed(meetings, name: cluster.name, context: context, language: request.language),
                filename: "cluster.ics")
        }
        guard let personID = feed.personID, let person = try await Person.find(personID, on: request.db) else {
            throw SamradError.notFound()
        }
        let municipalities = try await RoleAssignment.municipalities(ofPerson: personID, on: request.db)
        let entries = try await MyMeetings.of(person, municipalities: municipalities, since: since, on: request.db)
        return MeetingCalendar.response(
            MeetingCalendar.feed(
                entries.map(\.meeting), name: "Samrad – \(person.name)", context: context, language: request.language,
                joining: Set(entries.filter { $0.attendance?.statusValue == .registered }.compactMap(\.meeting.id))),
            filename: "samrad.ics")
    }
}
