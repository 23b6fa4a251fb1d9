import Fluent
import Foundation
import SamradCore
import Vapor

/// Creating, changing, publishing and cancelling meetings, and planning a series in one step. Pages
/// and the API share these, and every change that attendees see goes to them by e-mail with the
/// updated calendar entry.
enum MeetingPlanning {
    static func create(_ c: Collaboration, _ input: MeetingInput, request: Request) async throws -> Meeting {
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let meeting = Meeting()
        try await request.db.transaction { db in
            try await input.apply(to: meeting, collaboration: c, request: request, on: db)
            try await meeting.create(on: db)
            try await Audit.record(
                "meeting:create", subject: "meeting", id: meeting.requireID().uuidString, summary: meeting.title,
                by: request, on: db)
        }
        return meeting
    }

    /// Those who run the meeting change it; attendees of a published meeting hear of a new time or place.
    static func update(_ access: MeetingAccess, _ input: MeetingInput, request: Request) async throws {
        try request.require(access.mayRun)
        let meeting = access.meeting
        try await request.db.transaction { db in
            let visible = try await input.apply(
                to: meeting, collaboration: access.collaboration, request: request, on: db)
            try await meeting.save(on: db)
            if visible && meeting.statusValue == .published {
                try await MeetingNotices.tellAttendees(.change, access, context: MailContext(request), on: db)
            }
            try await Audit.record(
                "meeting:update", subject: "meeting", id: meeting.requireID().uuidString, summary: meeting.title,
                by: request, on: db)
        }
    }

    /// planned → published → held; planned or published → cancelled; cancelled → planned.
    static func next(_ status: MeetingStatus) -> [MeetingStatus] {
        switch status {
        case .planned: [.published, .cancelled]
        case .published: [.held, .cancelled]
        case .held: []
        case .cancelled: [.planned]
        }
    }

    /// Publishing sends the invitation; cancelling tells those registered, with METHOD:CANCEL.
    /// Returns how many e-mails the change sent.
    @discardableResult
    static func changeStatus(
        _ access: MeetingAccess, to text: String?, now: Date = Date(), request: Request
    ) async throws -> Int {
        try request.require(access.mayRun)
        var v = Validation()
        let target = v.oneOf("status", text, as: MeetingStatus.self)
        try v.check()
        let meeting = access.meeting
        guard let target, next(meeting.statusValue).contains(target) else {
            throw SamradError(
                .conflict, "meetings.error.status",
                [request.t("meeting_status.\(meeting.status)"), request.t("meeting_status.\(target!.rawValue)")])
        }
        if target == .held && now < meeting.startsAt {
            throw SamradError(.conflict, "meetings.error.held_before_start")
        }
        if target == .published && meeting.endsAt < now { throw SamradError(.conflict, "meetings.error.publish_past") }
        return try await request.db.transaction { db in
            var mails = 0
            meeting.status = target.rawValue
            if target == .cancelled || target == .published { meeting.sequence += 1 }
            try await meeting.save(on: db)
            var updated = access
            updated.scope.status = target
            let context = MailContext(request)
            switch target {
            case .published: mails = try await MeetingNotices.invite(updated, context: context, on: db)
            case .cancelled: try await MeetingNotices.tellAttendees(.cancellation, updated, context: context, on: db)
            default: break
            }
            try await Audit.record(
                "meeting:status", subject: "meeting", id: meeting.requireID().uuidString,
                summary: "\(meeting.title): \(target.rawValue)",
                by: request, on: db)
            return mails
        }
    }


    /// The municipalities a series rotates among: a cluster's members, or the collaboration's
    /// registered municipalities; with how often each hosted a meeting of the same cluster or
    /// collaboration before (cancelled ones do not count), so fairness carries across series.
    static func rotation(
        _ c: Collaboration, clusterID: UUID?, request: Request, on db: any Database
    ) async throws -> (hosts: [Municipality], hosted: [Int]) {
        let keys: [MunicipalityKey]
        if let clusterID {
            keys = try await ClusterMember.query(on: db).filter(\.$clusterID == clusterID).all().map(\.municipality)
        } else {
            keys = try await Registration.registeredMunicipalities(c.requireID(), on: db)
        }
        let hosts = keys.sorted().compactMap { request.municipalities[$0] }
        var earlier = try Meeting.query(on: db).filter(\.$collaborationID == c.requireID()).filter(
            \.$status != MeetingStatus.cancelled.rawValue
        )
        .filter(\.$hostCode != nil)
        if let clusterID {
            earlier = earlier.filter(\.$clusterID == clusterID)
        } else {
            earlier = earlier.filter(\.$clusterID == nil)
        }
        var counts: [MunicipalityKey: Int] = [:]
        for meeting in try await earlier.all() { if let host = meeting.host { counts[host, default: 0] += 1 } }
        return (hosts, hosts.map { counts[$0.key] ?? 0 })
    }

    static func planSeries(_ c: Collaboration, _ input: MeetingSeriesInput, request: Request) async throws -> [Meeting]
    {
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        var v = Validation()
        let title = v.required("title", input.title, maxLength: 180)
        var clusterID = input.clusterID
        if let id = clusterID, try await Cluster.find(id, on: request.db)?.collaborationID != c.id {
            v.add("clusterID", "meetings.error.cluster")
            clusterID = nil
        }
        let pattern = v.oneOf(
            "pattern", (input.pattern ?? "").isEmpty ? "rotation" : input.pattern, as: MeetingSeriesRequest.Pattern.self
        )
        let step = MeetingSeriesRequest.Step(unit: input.unit, every: input.every)
        if step == nil { v.add("unit", "validation.choice") }
        let venueName = v.optional("venueName", input.venueName, maxLength: 200)
        let venueAddress = v.optional("venueAddress", input.venueAddress, maxLength: 300)
        if pattern != nil && pattern != .rotation && venueName == nil {
            v.add("venueName", "meetings.error.fixed_venue")
        }
        if let capacity = input.capacity, !(1...100_000).contains(capacity) {
            v.add("capacity", "validation.range", ["1", "100000"])
        }
        if let hours = input.reminderHours, !(1...720).contains(hours) {
            v.add("reminderHours", "validation.range", ["1", "720"])
        }
        let kind: MeetingKind? =
            (input.kind ?? "").isEmpty
            ? (clusterID == nil ? .meeting : .clusterMeeting) : v.oneOf("kind", input.kind, as: MeetingKind.self)
        let zone = (input.timeZone ?? "").isEmpty ? c.timeZone : input.timeZone!
        let (hosts, hosted) = try await rotation(c, clusterID: clusterID, request: request, on: request.db)
        var planned: [PlannedMeeting] = []
        do {
            planned = try MeetingSeries.plan(
                MeetingSeriesRequest(
                    firstStart: input.firstStart ?? "", durationMinutes: input.durationMinutes ?? 180,
                    count: input.count ?? 2, step: step ?? .months(6),
                    zone: zone, pattern: pattern ?? .rotation, avoidWeekends: input.avoidWeekends ?? true),
                hosts: hosts.map { (latitude: $0.latitude, longitude: $0.longitude) }, hosted: hosted)
        } catch let error as SamradError {
            for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) }
        }
        // Every meeting of the series is checked as a single one would be, and against the others.
        let others = try await MeetingInput.others(clusterID: clusterID, excluding: nil, on: request.db)
        MeetingRules.checkSeries(
            planned, title: title, period: (c.periodStart, c.periodEnd), others: others,
            sameCluster: clusterID != nil, into: &v)
        try v.check()

        let cluster = clusterID, plan = planned
        return try await request.db.transaction { db in
            var meetings: [Meeting] = []
            let series = MeetingSeriesRecord()
            series.collaborationID = try c.requireID()
            series.clusterID = cluster
            series.title = title
            series.pattern = pattern!.rawValue
            series.step = (step ?? .months(6)).text
            series.count = plan.count
            series.createdBy = request.actor.userID
            try await series.create(on: db)
            for p in plan {
                let m = Meeting()
                m.collaborationID = series.collaborationID
                m.clusterID = cluster
                m.seriesID = series.id
                m.title = "\(title) \(p.number)"
                m.description = ""
                m.kind = kind!.rawValue
                m.status = MeetingStatus.planned.rawValue
                m.startsAt = p.times.start
                m.endsAt = p.times.end
                m.timeZone = zone
                if let host = p.host.map({ hosts[$0] }) {
                    m.hostCountry = host.country.rawValue
                    m.hostCode = host.code
                } else {
                    m.venueName = venueName
                    m.venueAddress = venueAddress
                }
                m.capacity = input.capacity
                m.audience = (cluster == nil ? MeetingAudience.seats : .cluster).rawValue
                m.audiencePositions = []
                m.reminderHours = input.reminderHours ?? 24
                m.sequence = 0
                m.attendanceSequence = 0
                m.minutes = ""
                m.decisions = []
                try await m.create(on: db)
                meetings.append(m)
            }
            try await Audit.record(
                "meeting:series", subject: "meeting_series", id: series.requireID().uuidString,
                summary: "\(title) (\(plan.count))", by: request, on: db)
            return meetings
        }
    }
}
