import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAPI: JSON.
extension MeetingAPI {
    struct SummaryJSON: Content {
        var id: UUID
        var title: String
        var kind: String
        var status: String
        var clusterID: UUID?
        /// UTC, ISO 8601.
        var startsAt: String
        var endsAt: String
        var timeZone: String
        var localStart: String
        var localEnd: String
        var place: String
        var host: String?
        var href: String
        var calendar: String
    }

    static func utc(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func summary(_ m: Meeting, request: Request) -> SummaryJSON {
        SummaryJSON(
            id: m.id!, title: m.title, kind: m.kind, status: m.status, clusterID: m.clusterID,
            startsAt: Self.utc(m.startsAt), endsAt: Self.utc(m.endsAt),
            timeZone: m.timeZone, localStart: DateText.local(m.startsAt, zone: m.timeZone),
            localEnd: DateText.local(m.endsAt, zone: m.timeZone),
            place: MeetingCalendar.location(
                m, directory: request.municipalities, language: request.language, catalog: request.catalog),
            host: m.host?.description, href: m.href, calendar: m.href + "/calendar.ics")
    }

    struct ItemJSON: Content {
        var id: UUID
        var start: String
        var title: String
        var description: String
        var durationMinutes: Int
        var presenterID: UUID?
        var speakerName: String?
        var speakerAffiliation: String?
        var questions: [String]
        var questionnaireID: UUID?
    }
    struct MaterialJSON: Content {
        var id: UUID; var title: String; var filename: String; var contentType: String; var size: Int;
        var agendaItemID: UUID?; var href: String
    }
    struct CommitmentJSON: Content {
        var id: UUID; var meetingID: UUID; var municipality: String?; var text: String; var owner: String;
        var dueDate: String?; var status: String
    }
    struct MeetingJSON: Content {
        var meeting: SummaryJSON
        var description: String
        var venueName: String?
        var venueAddress: String?
        var mode: String
        /// The join link and dial-in: only for those who run the meeting and those registered.
        var onlineURL: String?
        var dialIn: String?
        var capacity: Int?
        var quota: Int?
        var audience: String
        var audiencePositions: [String]
        /// For an open audience: "se" or "se/12"; nil: anywhere.
        var audienceArea: String?
        var registrationDeadline: String?
        var reminderHours: Int?
        var sequence: Int
        var registered: Int
        var waitlisted: Int
        /// The caller's own registration: registered, waitlisted, cancelled, or nil.
        var myAttendance: String?
        var agenda: [ItemJSON]
        /// Only for participants.
        var materials: [MaterialJSON]?
        var minutes: String?
        var decisions: [String]?
        var commitments: [CommitmentJSON]?
        var openCommitments: [CommitmentJSON]?
    }

    static func commitmentJSON(_ c: Commitment) -> CommitmentJSON {
        CommitmentJSON(
            id: c.id!, meetingID: c.meetingID, municipality: c.municipality?.description, text: c.text, owner: c.owner,
            dueDate: c.dueDate, status: c.status)
    }

    static func json(_ access: MeetingAccess, request: Request) async throws -> MeetingJSON {
        let m = access.meeting
        let id = try m.requireID()
        let items = try await AgendaItem.plain(
            "SELECT * FROM agenda_items WHERE meeting_id = \(bind: id) ORDER BY position", on: request.db)
        let starts = AgendaSchedule.starts(meetingStart: m.startsAt, durations: items.map(\.durationMinutes)).starts
        let content = access.mayViewContent
        let attendance = try await Attendance.plain(
            "SELECT * FROM attendances WHERE meeting_id = \(bind: id)", on: request.db)
        var materials: [MaterialJSON]?, commitments: [CommitmentJSON]?, open: [CommitmentJSON]?
        if content {
            materials = try await Material.plain(
                "SELECT * FROM materials WHERE meeting_id = \(bind: id) ORDER BY created_at", on: request.db
            ).map {
                MaterialJSON(
                    id: $0.id!, title: $0.title, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                    agendaItemID: $0.agendaItemID,
                    href: "/materials/\($0.id!.uuidString.lowercased())")
            }
            commitments = try await Commitment.plain(
                "SELECT * FROM commitments WHERE meeting_id = \(bind: id) ORDER BY created_at", on: request.db
            ).map(Self.commitmentJSON)
            open = try await MeetingMinutes.openCommitments(before: m, on: request.db).commitments.map(
                Self.commitmentJSON)
        }
        return MeetingJSON(
            meeting: summary(m, request: request), description: m.description, venueName: m.venueName,
            venueAddress: m.venueAddress,
            mode: m.mode, onlineURL: access.mayJoinOnline ? m.onlineURL : nil,
            dialIn: access.mayJoinOnline ? m.dialIn : nil, capacity: m.capacity, quota: m.quota,
            audience: m.audience,
            audiencePositions: m.audiencePositions, audienceArea: m.audienceArea,
            registrationDeadline: m.registrationDeadline.map { DateText.local($0, zone: m.timeZone) },
            reminderHours: m.reminderHours, sequence: m.sequence,
            registered: attendance.filter { $0.statusValue == .registered }.count,
            waitlisted: attendance.filter { $0.statusValue == .waitlisted }.count,
            myAttendance: access.attendance?.status,
            agenda: items.enumerated().map { index, item in
                ItemJSON(
                    id: item.id!, start: DateText.local(starts[index], zone: m.timeZone), title: item.title,
                    description: item.description,
                    durationMinutes: item.durationMinutes, presenterID: item.presenterID, speakerName: item.speakerName,
                    speakerAffiliation: item.speakerAffiliation, questions: item.questions,
                    questionnaireID: item.questionnaireID)
            },
            materials: materials, minutes: content ? m.minutes : nil, decisions: content ? m.decisions : nil,
            commitments: commitments, openCommitments: open)
    }
}
