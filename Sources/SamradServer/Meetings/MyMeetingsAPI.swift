import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAPI: mine.
extension MeetingAPI {
    struct MineJSON: Content {
        struct Entry: Content { var meeting: SummaryJSON; var attendance: String? }
        var meetings: [Entry]
        /// Always null: the secret address is shown only in the answer that makes it (POST
        /// /api/v1/me/calendar-feed); it is kept as its SHA-256 only.
        var calendarFeed: String?
        /// When the person's address was made, if it was.
        var calendarFeedMadeAt: Date?
    }

    struct FeedJSON: Content { var calendarFeed: String }

    func mine(_ request: Request) async throws -> MineJSON {
        _ = try request.requireSignedIn()
        guard let personID = request.actor.personID, let person = try await Person.find(personID, on: request.db) else {
            return MineJSON(meetings: [], calendarFeed: nil, calendarFeedMadeAt: nil)
        }
        let entries = try await MyMeetings.of(
            person, municipalities: request.actor.municipalities, since: Date().addingTimeInterval(-365 * 86_400),
            on: request.db)
        return MineJSON(
            meetings: entries.map {
                .init(meeting: Self.summary($0.meeting, request: request), attendance: $0.attendance?.status)
            },
            calendarFeed: nil, calendarFeedMadeAt: try await MeetingCalendar.personFeedMadeAt(personID, on: request.db))
    }

    /// A new secret feed address for the signed-in person; the old one stops working.
    func renewFeed(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        guard let personID = request.actor.personID else { throw SamradError(.conflict, "attendance.no_person") }
        let href = try await MeetingCalendar.renewPersonFeed(personID, on: request.db)
        return try await FeedJSON(calendarFeed: href).encodeResponse(status: .created, for: request)
    }

    func deleteMaterial(_ request: Request) async throws -> HTTPStatus {
        let (material, access) = try await MeetingAgenda.material(request)
        try await MeetingAgenda.remove(material, access: access, request: request)
        return .noContent
    }
}
