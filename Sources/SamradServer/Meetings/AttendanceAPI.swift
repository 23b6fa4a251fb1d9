import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAPI: attendance.
extension MeetingAPI {
    struct AttendeeJSON: Content {
        var personID: UUID
        var name: String?
        var municipality: String?
        var status: String
        var sequence: Int
        /// UTC, ISO 8601.
        var checkedInAt: String?
        /// Checked in as taking part online.
        var checkedInOnline: Bool
    }
    struct AttendeesJSON: Content {
        var registered: Int; var waitlisted: Int; var checkedIn: Int; var attendees: [AttendeeJSON]
    }

    static func attendee(_ a: Attendance, name: String?) -> AttendeeJSON {
        AttendeeJSON(
            personID: a.personID, name: name, municipality: a.municipality?.description, status: a.status,
            sequence: a.sequence, checkedInAt: a.checkedInAt.map(Self.utc), checkedInOnline: a.checkedInOnline)
    }

    func attendees(_ request: Request) async throws -> AttendeesJSON {
        let access = try await MeetingAccess.run(request)
        let rows = try await AttendanceDesk.list(access.meeting.requireID(), on: request.db)
        return AttendeesJSON(
            registered: rows.filter { $0.attendance.statusValue == .registered }.count,
            waitlisted: rows.filter { $0.attendance.statusValue == .waitlisted }.count,
            checkedIn: rows.filter { $0.attendance.checkedInAt != nil }.count,
            attendees: rows.map { Self.attendee($0.attendance, name: $0.person?.name) })
    }

    struct RegisterInput: Content { var personID: UUID? }

    func register(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        let input = try request.content.decode(RegisterInput.self)
        let person = try await AttendancePages.person(request, input.personID?.uuidString, access)
        let attendance = try await AttendancePages.register(access, person: person, request: request)
        return try await Self.attendee(attendance, name: person.name).encodeResponse(status: .created, for: request)
    }

    func cancel(_ request: Request) async throws -> AttendeeJSON {
        let access = try await MeetingAccess.load(request)
        guard let personID = request.parameterID("person") else {
            throw SamradError.notFound("attendance.error.not_registered")
        }
        let outcome = try await AttendancePages.cancel(access, personID: personID, request: request)
        return Self.attendee(outcome.attendance, name: nil)
    }

    struct CheckInInput: Content { var arrived: Bool?; var online: Bool? }

    func checkIn(_ request: Request) async throws -> AttendeeJSON {
        let access = try await MeetingAccess.run(request)
        guard let personID = request.parameterID("person") else {
            throw SamradError.notFound("attendance.error.not_registered")
        }
        let input = try? request.content.decode(CheckInInput.self)
        return Self.attendee(
            try await AttendanceDesk.checkIn(
                access, personID: personID, arrived: input?.arrived ?? true, online: input?.online ?? false,
                on: request.db),
            name: nil)
    }
}
