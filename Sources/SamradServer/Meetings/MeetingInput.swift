import Fluent
import Foundation
import SamradCore
import Vapor

/// What an organiser says about one meeting, from a form or a JSON body. Times are local to
/// `timeZone` ("2027-04-20T13:00"). One validation for both.
struct MeetingInput: Content {
    var title: String?
    var description: String?
    var kind: String?
    /// Only when creating: the cluster the meeting is for.
    var clusterID: UUID?
    var startsAt: String?
    var endsAt: String?
    var timeZone: String?
    var venueName: String?
    var venueAddress: String?
    var onlineURL: String?
    /// `MeetingMode`; when left out, online with a link and no place, hybrid with both.
    var mode: String?
    var dialIn: String?
    /// "dk/751"
    var host: String?
    var capacity: Int?
    var quota: Int?
    var audience: String?
    var audiencePositions: [String]?
    /// For an open audience: "se" or "se/12" (a country or a region of it); empty: anywhere.
    var audienceArea: String?
    var registrationDeadline: String?
    var reminderHours: Int?

    /// Checks everything and copies it onto `meeting` (new or existing). Returns whether something
    /// attendees see in their calendars changed (time, place, title), which raises the SEQUENCE.
    @discardableResult
    func apply(
        to meeting: Meeting, collaboration c: Collaboration, request: Request, on db: any Database
    ) async throws -> Bool {
        var v = Validation()
        let title = v.required("title", title, maxLength: 200)
        let description = v.optional("description", description, maxLength: 20_000) ?? ""
        let isNew = meeting.id == nil
        // The cluster is chosen when the meeting is made; it does not move between clusters.
        var clusterID = isNew ? clusterID : meeting.clusterID
        var members: [MunicipalityKey] = []
        if let id = clusterID {
            if let cluster = try await Cluster.find(id, on: db), cluster.collaborationID == c.id {
                members = try await ClusterMember.query(on: db).filter(\.$clusterID == id).all().map(\.municipality)
            } else {
                v.add("clusterID", "meetings.error.cluster")
                clusterID = nil
            }
        }
        let kind: MeetingKind? =
            (kind ?? "").isEmpty
            ? (clusterID == nil ? .meeting : .clusterMeeting) : v.oneOf("kind", kind, as: MeetingKind.self)
        let zone = (timeZone ?? "").isEmpty ? c.timeZone : timeZone!
        let zoneKnown = MeetingZones.isKnown(zone)
        if !zoneKnown { v.add("timeZone", "meetings.error.zone") }
        func moment(_ field: String, _ text: String?, required: Bool) -> Date? {
            guard let text, !text.isEmpty else {
                if required { v.add(field, "validation.required") }
                return nil
            }
            guard zoneKnown, let date = DateText.parseLocal(text, zone: zone) else {
                v.add(field, "validation.date_time"); return nil
            }
            return date
        }
        let start = moment("startsAt", startsAt, required: true)
        let end = moment("endsAt", endsAt, required: true)
        let deadline = moment("registrationDeadline", registrationDeadline, required: false)
        let venueName = v.optional("venueName", venueName, maxLength: 200)
        let venueAddress = v.optional("venueAddress", venueAddress, maxLength: 300)
        let onlineURL = v.optional("onlineURL", onlineURL, maxLength: 500)
        if let onlineURL,
            !(onlineURL.hasPrefix("https://") && onlineURL.count > 10 && !onlineURL.contains(where: \.isWhitespace))
        {
            v.add("onlineURL", "validation.url")
        }
        let dialIn = v.optional("dialIn", dialIn, maxLength: 300)
        let mode: MeetingMode? =
            (self.mode ?? "").isEmpty
            ? .implied(
                onlineURL: onlineURL, hasPlace: venueName != nil || venueAddress != nil || !(host ?? "").isEmpty)
            : v.oneOf("mode", self.mode, as: MeetingMode.self)
        if mode == .inPerson {
            // A link on a meeting in the room would be shown to nobody; say so rather than keep it.
            if onlineURL != nil { v.add("onlineURL", "meetings.error.link_in_person") }
            if dialIn != nil { v.add("dialIn", "meetings.error.link_in_person") }
        }
        var host: MunicipalityKey?
        if let text = self.host?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let key = MunicipalityKey(path: text), request.municipalities[key] != nil {
                if clusterID != nil && !members.contains(key) {
                    v.add("host", "meetings.error.host_not_member")
                } else {
                    host = key
                }
            } else {
                v.add("host", "validation.municipality")
            }
        }
        if let capacity, !(1...100_000).contains(capacity) { v.add("capacity", "validation.range", ["1", "100000"]) }
        if let quota, !(1...1_000).contains(quota) { v.add("quota", "validation.range", ["1", "1000"]) }
        let audience: MeetingAudience? =
            (audience ?? "").isEmpty
            ? (clusterID == nil ? .seats : .cluster) : v.oneOf("audience", audience, as: MeetingAudience.self)
        if audience == .cluster && clusterID == nil { v.add("audience", "meetings.error.audience_cluster") }
        var positions: [String] = []
        for p in audiencePositions ?? [] where !p.isEmpty {
            if Position(rawValue: p) == nil {
                v.add("audiencePositions", "validation.choice")
            } else if !positions.contains(p) {
                positions.append(p)
            }
        }
        if audience == .open && positions.isEmpty { v.add("audiencePositions", "meetings.error.positions") }
        var area: AudienceArea?
        if let text = audienceArea?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            area = AudienceArea(text, in: request.municipalities)
            if area == nil { v.add("audienceArea", "validation.choice") }
            if audience != .open { v.add("audienceArea", "meetings.error.area_open_only") }
        }
        if let reminderHours, !(1...720).contains(reminderHours) {
            v.add("reminderHours", "validation.range", ["1", "720"])
        }
        if let start, let end {
            let others = try await Self.others(clusterID: clusterID, excluding: meeting.id, on: db)
            MeetingRules.checkTimes(
                MeetingTimes(start: start, end: end, zone: zone), deadline: deadline,
                period: (c.periodStart, c.periodEnd),
                others: others, into: &v)
        }
        if let capacity, meeting.id != nil {
            let registered = try await Attendance.query(on: db).filter(\.$meetingID == meeting.requireID())
                .filter(\.$status == AttendanceStatus.registered.rawValue).count()
            if capacity < registered { v.add("capacity", "meetings.error.capacity_below", [String(registered)]) }
        }
        try v.check()

        let visible =
            !isNew
            && (meeting.title != title || meeting.startsAt != start || meeting.endsAt != end || meeting.timeZone != zone
                || meeting.venueName != venueName || meeting.venueAddress != venueAddress
                || meeting.onlineURL != onlineURL || meeting.host != host || meeting.mode != mode!.rawValue
                || meeting.dialIn != dialIn)
        meeting.collaborationID = try c.requireID()
        meeting.clusterID = clusterID
        meeting.title = title
        meeting.description = description
        meeting.kind = kind!.rawValue
        meeting.startsAt = start!
        meeting.endsAt = end!
        meeting.timeZone = zone
        meeting.venueName = venueName
        meeting.venueAddress = venueAddress
        meeting.onlineURL = onlineURL
        meeting.mode = mode!.rawValue
        meeting.dialIn = dialIn
        meeting.hostCountry = host?.country.rawValue
        meeting.hostCode = host?.code
        meeting.capacity = capacity
        meeting.quota = quota
        meeting.audience = audience!.rawValue
        meeting.audiencePositions = positions
        meeting.audienceArea = area?.text
        meeting.registrationDeadline = deadline
        meeting.reminderHours = reminderHours
        if isNew {
            meeting.status = MeetingStatus.planned.rawValue
            meeting.sequence = 0
            meeting.attendanceSequence = 0
            meeting.minutes = ""
            meeting.decisions = []
        } else if visible {
            meeting.sequence += 1
            meeting.reminderSentAt = nil
        }
        return visible
    }

    /// The other active meetings of the same cluster, which a meeting may not overlap.
    static func others(
        clusterID: UUID?, excluding id: UUID?, on db: any Database
    ) async throws -> [(title: String, times: MeetingTimes)] {
        guard let clusterID else { return [] }
        var query = Meeting.query(on: db).filter(\.$clusterID == clusterID).filter(
            \.$status != MeetingStatus.cancelled.rawValue)
        if let id { query = query.filter(\.$id != id) }
        return try await query.all().map { (title: $0.title, times: $0.times) }
    }

    /// The input that reproduces a meeting (for the edit form and the API).
    init(_ m: Meeting) {
        title = m.title
        description = m.description
        kind = m.kind
        clusterID = m.clusterID
        startsAt = DateText.local(m.startsAt, zone: m.timeZone)
        endsAt = DateText.local(m.endsAt, zone: m.timeZone)
        timeZone = m.timeZone
        venueName = m.venueName
        venueAddress = m.venueAddress
        onlineURL = m.onlineURL
        mode = m.mode
        dialIn = m.dialIn
        host = m.host?.description
        capacity = m.capacity
        quota = m.quota
        audience = m.audience
        audiencePositions = m.audiencePositions
        audienceArea = m.audienceArea
        registrationDeadline = m.registrationDeadline.map { DateText.local($0, zone: m.timeZone) }
        reminderHours = m.reminderHours
    }

    init(
        title: String? = nil, description: String? = nil, kind: String? = nil, clusterID: UUID? = nil,
        startsAt: String? = nil, endsAt: String? = nil,
        timeZone: String? = nil, venueName: String? = nil, venueAddress: String? = nil, onlineURL: String? = nil,
        mode: String? = nil, dialIn: String? = nil, host: String? = nil,
        capacity: Int? = nil, quota: Int? = nil, audience: String? = nil, audiencePositions: [String]? = nil,
        audienceArea: String? = nil, registrationDeadline: String? = nil,
        reminderHours: Int? = nil
    ) {
        self.title = title
        self.description = description
        self.kind = kind
        self.clusterID = clusterID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.timeZone = timeZone
        self.venueName = venueName
        self.venueAddress = venueAddress
        self.onlineURL = onlineURL
        self.mode = mode
        self.dialIn = dialIn
        self.host = host
        self.capacity = capacity
        self.quota = quota
        self.audience = audience
        self.audiencePositions = audiencePositions
        self.audienceArea = audienceArea
        self.registrationDeadline = registrationDeadline
        self.reminderHours = reminderHours
    }
}

/// A series as the organiser asks for it.
struct MeetingSeriesInput: Content {
    var title: String?
    var clusterID: UUID?
    var kind: String?
    var firstStart: String?
    var durationMinutes: Int?
    var count: Int?
    var every: Int?
    /// "months" or "weeks".
    var unit: String?
    var timeZone: String?
    var pattern: String?
    /// The fixed venue of a pattern with fixed meetings.
    var venueName: String?
    var venueAddress: String?
    var avoidWeekends: Bool?
    var capacity: Int?
    var reminderHours: Int?
}
