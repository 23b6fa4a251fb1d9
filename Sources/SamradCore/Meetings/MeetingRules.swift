import Foundation

public enum MeetingKind: String, CaseIterable, Codable, Sendable {
    case meeting
    case clusterMeeting = "cluster_meeting"
    case conference
    case webinar
}

public enum MeetingStatus: String, CaseIterable, Codable, Sendable {
    /// Being prepared: only those who run it see it.
    case planned
    /// Announced: invited people see it and register.
    case published
    case held
    case cancelled
}

/// Where people take part: in a room, online, or either (hybrid). The join link and dial-in of an
/// online or hybrid meeting are for those registered to come (`MeetingPolicy.mayJoinOnline`).
public enum MeetingMode: String, CaseIterable, Codable, Sendable {
    case inPerson = "in_person"
    case online
    case hybrid

    public var hasOnlinePart: Bool { self != .inPerson }

    /// The mode a meeting has when none is said: online with a link and no place, hybrid with both.
    public static func implied(onlineURL: String?, hasPlace: Bool) -> MeetingMode {
        guard onlineURL != nil else { return .inPerson }
        return hasPlace ? .hybrid : .online
    }
}

/// Where an open meeting's audience comes from: one country, or one region of a country (a
/// regional conference invites the chosen positions of Skåne only). Written "se" or "se/12".
public enum AudienceArea: Equatable, Sendable {
    case country(Country)
    case region(Country, String)

    /// nil for text that names no country or no region of it in `directory`.
    public init?(_ text: String, in directory: MunicipalityDirectory) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let country = parts.first.flatMap(Country.init(rawValue:)) else { return nil }
        switch parts.count {
        case 1: self = .country(country)
        case 2 where directory.regions(of: country).contains(where: { $0.code == parts[1] }):
            self = .region(country, parts[1])
        default: return nil
        }
    }

    public var text: String {
        switch self {
        case .country(let country): return country.rawValue
        case .region(let country, let code): return "\(country.rawValue)/\(code)"
        }
    }

    public func contains(_ m: Municipality) -> Bool {
        switch self {
        case .country(let country): return m.country == country
        case .region(let country, let code): return m.country == country && m.regionCode == code
        }
    }

    /// The municipalities of the area.
    public func municipalities(in directory: MunicipalityDirectory) -> Set<MunicipalityKey> {
        let country: Country
        switch self {
        case .country(let c), .region(let c, _): country = c
        }
        let all = directory.search(MunicipalityQuery(country: country, perPage: MunicipalityQuery.maxPerPage))
        return Set(all.items.filter(contains).map(\.key))
    }
}

/// Who may come to a meeting.
public enum MeetingAudience: String, CaseIterable, Codable, Sendable {
    /// The people in the seats of the collaboration's registered municipalities.
    case seats
    /// The people of the cluster's municipalities (a cluster meeting).
    case cluster
    /// Anyone of the target positions (e.g. every school leader), with a quota per municipality.
    case open
}

public enum AttendanceStatus: String, CaseIterable, Codable, Sendable {
    case registered
    case waitlisted
    case cancelled

    public var isActive: Bool { self != .cancelled }
}

/// The zones meetings are usually held in, offered first in forms; any IANA zone is accepted.
public enum MeetingZones {
    public static let common = [
        "Europe/Copenhagen", "Europe/Stockholm", "Europe/Oslo", "Europe/Helsinki", "Atlantic/Faroe", "America/Nuuk",
        "UTC",
    ]

    public static func isKnown(_ identifier: String) -> Bool {
        identifier == "UTC" || (identifier.contains("/") && TimeZone(identifier: identifier) != nil)
    }
}

/// A meeting's time and terms as the rules need them.
public struct MeetingTimes: Sendable, Equatable {
    public var start: Date
    public var end: Date
    public var zone: String

    public init(start: Date, end: Date, zone: String) {
        self.start = start
        self.end = end
        self.zone = zone
    }

    public func overlaps(_ other: MeetingTimes) -> Bool { start < other.end && other.start < end }

    /// The local calendar day of the start, "2014-05-27".
    public var startDay: String { String(DateText.local(start, zone: zone).prefix(10)) }
    public var endDay: String { String(DateText.local(end, zone: zone).prefix(10)) }
}

/// The rules of meetings and their attendance, as pure decisions. The server runs the attendance
/// rules inside one transaction that holds the meeting's lock, so the counts they see are current.
public enum MeetingRules {
    /// The longest meeting: a conference of a few days.
    public static let longest: TimeInterval = 7 * 86_400

    /// Checks every meeting of a planned series as a single one would be checked, and against the
    /// meetings before it in the series when they share a cluster (`sameCluster`). A meeting outside
    /// the period or on top of another is reported on the first start, naming which meeting it is.
    public static func checkSeries(
        _ planned: [PlannedMeeting], title: String, period: (start: String?, end: String?),
        others: [(title: String, times: MeetingTimes)], sameCluster: Bool, into v: inout Validation
    ) {
        let seriesKeys = [
            "meetings.error.before_period": "meetings.error.series_before_period",
            "meetings.error.after_period": "meetings.error.series_after_period",
            "meetings.error.overlap": "meetings.error.series_overlap",
        ]
        var others = others
        for meeting in planned {
            var check = Validation()
            checkTimes(meeting.times, deadline: nil, period: period, others: others, into: &check)
            for f in check.errors {
                if let key = seriesKeys[f.messageKey] {
                    v.add("firstStart", key, [String(meeting.number), meeting.times.startDay] + f.arguments)
                } else {
                    v.add(f.field, f.messageKey, f.arguments)
                }
            }
            if sameCluster { others.append((title: "\(title) \(meeting.number)", times: meeting.times)) }
        }
    }

    /// Checks a meeting's times against each other, the collaboration's period (ISO days, inclusive)
    /// and the other meetings of the same cluster, adding a message per problem.
    /// `others`: the other active meetings of the same cluster, with their titles.
    public static func checkTimes(
        _ times: MeetingTimes, deadline: Date?, period: (start: String?, end: String?),
        others: [(title: String, times: MeetingTimes)], into v: inout Validation, field: String = ""
    ) {
        let startField = field + "startsAt", endField = field + "endsAt"
        if times.end <= times.start {
            v.add(endField, "meetings.error.end_before_start")
        } else if times.end.timeIntervalSince(times.start) > longest {
            v.add(endField, "meetings.error.too_long", ["7"])
        }
        if let first = period.start, times.startDay < first {
            v.add(startField, "meetings.error.before_period", [first])
        }
        if let last = period.end, times.endDay > last {
            v.add(startField, "meetings.error.after_period", [last])
        }
        if let deadline, deadline > times.start {
            v.add(field + "registrationDeadline", "meetings.error.deadline_after_start")
        }
        if times.end > times.start, let clash = others.first(where: { $0.times.overlaps(times) }) {
            v.add(startField, "meetings.error.overlap", [clash.title])
        }
    }

    /// Whether a person may still register: the meeting is published and upcoming and the deadline
    /// (if any) has not passed.
    public static func checkOpen(status: MeetingStatus, start: Date, deadline: Date?, now: Date) throws {
        guard status == .published, now < start else { throw SamradError(.conflict, "attendance.error.closed") }
        if let deadline, now > deadline { throw SamradError(.conflict, "attendance.error.after_deadline") }
    }

    /// A conference's quota: at most `quota` active registrations per municipality.
    public static func checkQuota(_ quota: Int?, activeOfMunicipality: Int, municipalityName: String) throws {
        if let quota, activeOfMunicipality >= quota {
            throw SamradError(.conflict, "attendance.error.quota", [String(quota), municipalityName])
        }
    }

    /// A new registration takes a seat or joins the waiting list.
    public static func placement(registered: Int, capacity: Int?) -> AttendanceStatus {
        guard let capacity else { return .registered }
        return registered < capacity ? .registered : .waitlisted
    }

    /// When seats free up, the waiting list moves up in order of arrival.
    public static func promotions(waitlisted: [(id: UUID, sequence: Int)], registered: Int, capacity: Int?) -> [UUID] {
        RegistrationRules.promotions(waitlisted: waitlisted, registeredCount: registered, capacity: capacity)
    }
}

/// An agenda's items with the clock time each starts, from the meeting's start and the durations.
public enum AgendaSchedule {
    /// Start of each item, and the time the last one ends.
    public static func starts(meetingStart: Date, durations: [Int]) -> (starts: [Date], end: Date) {
        var clock = meetingStart
        var starts: [Date] = []
        for minutes in durations {
            starts.append(clock)
            clock = clock.addingTimeInterval(TimeInterval(max(0, minutes) * 60))
        }
        return (starts, clock)
    }
}
