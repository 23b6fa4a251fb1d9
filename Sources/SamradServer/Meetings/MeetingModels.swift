import Fluent
import Foundation
import SamradCore
import Vapor

/// A meeting of a collaboration or of one of its clusters: a political meeting, a cluster meeting,
/// a conference or a webinar. Times are stored in UTC with the zone they are held in.
final class Meeting: Model, @unchecked Sendable {
    static let schema = "meetings"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @OptionalField(key: "cluster_id") var clusterID: UUID?
    /// The series it was planned in, if any.
    @OptionalField(key: "series_id") var seriesID: UUID?
    @Field(key: "title") var title: String
    /// Markdown; rendered without raw HTML.
    @Field(key: "description") var description: String
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "time_zone") var timeZone: String
    @OptionalField(key: "venue_name") var venueName: String?
    @OptionalField(key: "venue_address") var venueAddress: String?
    @OptionalField(key: "online_url") var onlineURL: String?
    /// `MeetingMode`: in person, online or hybrid.
    @Field(key: "mode") var mode: String
    /// Phone numbers and a conference id for those who join by telephone; like the link, only for
    /// those registered.
    @OptionalField(key: "dial_in") var dialIn: String?
    @OptionalField(key: "host_country") var hostCountry: String?
    @OptionalField(key: "host_code") var hostCode: String?
    @OptionalField(key: "capacity") var capacity: Int?
    /// At most this many active registrations per municipality (conferences).
    @OptionalField(key: "quota") var quota: Int?
    @Field(key: "audience") var audience: String
    /// For an open audience: the positions invited, e.g. school leaders and school chiefs.
    @Field(key: "audience_positions") var audiencePositions: [String]
    /// For an open audience: the country or region it comes from (`AudienceArea`, "se/12"); nil: anywhere.
    @OptionalField(key: "audience_area") var audienceArea: String?
    @OptionalField(key: "registration_deadline") var registrationDeadline: Date?
    /// Hours before the start the reminder goes out; nil: none.
    @OptionalField(key: "reminder_hours") var reminderHours: Int?
    @OptionalField(key: "reminder_sent_at") var reminderSentAt: Date?
    /// The iCalendar SEQUENCE: raised on every change attendees should see.
    @Field(key: "sequence") var sequence: Int
    /// Counts registrations; each first increments it, which takes the meeting's write lock.
    @Field(key: "attendance_sequence") var attendanceSequence: Int
    /// Markdown, written after the meeting.
    @Field(key: "minutes") var minutes: String
    @Field(key: "decisions") var decisions: [String]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() { mode = MeetingMode.inPerson.rawValue }

    var statusValue: MeetingStatus { MeetingStatus(rawValue: status) ?? .planned }
    var kindValue: MeetingKind { MeetingKind(rawValue: kind) ?? .meeting }
    var audienceValue: MeetingAudience { MeetingAudience(rawValue: audience) ?? .seats }
    var modeValue: MeetingMode { MeetingMode(rawValue: mode) ?? .inPerson }
    var times: MeetingTimes { MeetingTimes(start: startsAt, end: endsAt, zone: timeZone) }

    var host: MunicipalityKey? {
        guard let country = hostCountry.flatMap(Country.init(rawValue:)), let code = hostCode else { return nil }
        return MunicipalityKey(country, code)
    }

    var href: String { "/meetings/\(id!.uuidString.lowercased())" }
}

extension Meeting: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $collaborationID, $clusterID, $seriesID, $title, $description, $kind, $status, $startsAt, $endsAt,
            $timeZone, $venueName, $venueAddress, $onlineURL, $mode, $dialIn, $hostCountry, $hostCode, $capacity,
            $quota, $audience,
            $audiencePositions, $audienceArea, $registrationDeadline, $reminderHours, $reminderSentAt, $sequence,
            $attendanceSequence, $minutes, $decisions, $createdAt, $updatedAt
        ]
    }
}

/// A series planned in one step; its meetings point to it, and it remembers how it was asked for.
final class MeetingSeriesRecord: Model, @unchecked Sendable {
    static let schema = "meeting_series"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @OptionalField(key: "cluster_id") var clusterID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "pattern") var pattern: String
    @Field(key: "step") var step: String
    @Field(key: "count") var count: Int
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class AgendaItem: Model, @unchecked Sendable {
    static let schema = "agenda_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "title") var title: String
    /// Markdown.
    @Field(key: "description") var description: String
    @Field(key: "duration_minutes") var durationMinutes: Int
    /// A person of the platform presents, or a guest speaker with an affiliation.
    @OptionalField(key: "presenter_id") var presenterID: UUID?
    @OptionalField(key: "speaker_name") var speakerName: String?
    @OptionalField(key: "speaker_affiliation") var speakerAffiliation: String?
    /// Questions for discussion at the tables.
    @Field(key: "questions") var questions: [String]
    /// A questionnaire whose results are discussed under this item.
    @OptionalField(key: "questionnaire_id") var questionnaireID: UUID?

    init() {}
}

extension AgendaItem: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $meetingID, $position, $title, $description, $durationMinutes, $presenterID, $speakerName,
            $speakerAffiliation, $questions, $questionnaireID
        ]
    }
}

/// An uploaded file on a meeting (or one agenda item). The bytes live in `MaterialContent`, so lists
/// of materials never read them.
final class Material: Model, @unchecked Sendable {
    static let schema = "materials"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @OptionalField(key: "agenda_item_id") var agendaItemID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

extension Material: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $meetingID, $agendaItemID, $title, $filename, $contentType, $size, $uploadedBy, $createdAt
        ]
    }
}

final class MaterialContent: FileBytes, @unchecked Sendable {
    static let schema = "material_contents"

    @ID(custom: "material_id", generatedBy: .user) var id: UUID?
    @Field(key: "bytes") var bytes: Data

    init() {}
}

/// A person's registration for a meeting.
/// The personal link in a meeting's e-mail (only its SHA-256 is kept). Opening it lets the browser
/// register for the meeting, or cancel, as that person, without an account.
final class MeetingLink: Model, @unchecked Sendable {
    static let schema = "meeting_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var pass: MeetingPass { MeetingPass(meetingID: meetingID, personID: personID) }
}

final class Attendance: Model, @unchecked Sendable {
    static let schema = "attendances"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "person_id") var personID: UUID
    /// The municipality the person came for (for quotas and lists); nil for guests of organisations.
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @Field(key: "status") var status: String
    /// Order of arrival, for the waiting list.
    @Field(key: "sequence") var sequence: Int
    @OptionalField(key: "registered_by") var registeredBy: UUID?
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?
    /// Checked in as taking part online rather than in the room (a hybrid meeting).
    @Field(key: "checked_in_online") var checkedInOnline: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() { checkedInOnline = false }

    var statusValue: AttendanceStatus { AttendanceStatus(rawValue: status) ?? .cancelled }
    var municipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, code)
    }
}

extension Attendance: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $meetingID, $personID, $municipalityCountry, $municipalityCode, $status, $sequence, $registeredBy,
            $checkedInAt, $checkedInOnline, $createdAt, $updatedAt
        ]
    }
}

/// What a municipality or a cluster undertakes at a meeting to do before the next one.
final class Commitment: Model, @unchecked Sendable {
    static let schema = "commitments"

    enum Status: String { case open, done }

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "collaboration_id") var collaborationID: UUID
    @OptionalField(key: "cluster_id") var clusterID: UUID?
    /// The municipality that undertakes it; nil: the cluster (or the collaboration) as a whole.
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @Field(key: "text") var text: String
    /// Who sees to it, by name (a person of the platform or not).
    @Field(key: "owner") var owner: String
    /// ISO day, "2027-06-01".
    @OptionalField(key: "due_date") var dueDate: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "done_at") var doneAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var municipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, code)
    }
}

extension Commitment: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $meetingID, $collaborationID, $clusterID, $municipalityCountry, $municipalityCode, $text, $owner,
            $dueDate, $status, $doneAt, $createdAt
        ]
    }
}

/// A secret calendar subscription address: a person's own meetings, or a cluster's meetings.
final class CalendarFeed: Model, @unchecked Sendable {
    static let schema = "calendar_feeds"

    @ID(key: .id) var id: UUID?
    /// The SHA-256 of the address's secret: a copy of the database gives no working address.
    @Field(key: "token") var token: String
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "cluster_id") var clusterID: UUID?
    /// A cluster's address belongs to the account that made it (each member makes their own).
    @OptionalField(key: "user_id") var userID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
