import Fluent
import Foundation
import SamradCore
import Vapor

/// Meetings over the JSON API, sharing the pages' rules: list, create, plan a series, read, change,
/// publish or cancel; the agenda, materials, attendance with check-in, minutes and commitments; and a
/// person's own meetings. Times are given in the meeting's zone ("2027-04-20T13:00") and answered in
/// both that form and UTC.
struct MeetingAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("api", "v1", "collaborations", ":slug")
        c.get("meetings", use: list)
        c.post("meetings", use: create)
        c.post("meeting-series", use: planSeries)
        let m = routes.grouped("api", "v1", "meetings", ":meeting")
        m.get(use: show)
        m.put(use: update)
        m.post("status", use: changeStatus)
        m.put("agenda", use: replaceAgenda)
        m.upload(
            "materials", maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await MeetingAccess.run($0) }, use: upload)
        m.get("attendees", use: attendees)
        m.post("attendees", use: register)
        m.delete("attendees", ":person", use: cancel)
        m.post("attendees", ":person", "check-in", use: checkIn)
        m.put("minutes", use: saveMinutes)
        m.get("commitments", use: commitments)
        m.post("commitments", use: addCommitment)
        routes.post("api", "v1", "commitments", ":commitment", "status", use: markCommitment)
        routes.delete("api", "v1", "materials", ":material", use: deleteMaterial)
        routes.get("api", "v1", "me", "meetings", use: mine)
        routes.post("api", "v1", "me", "calendar-feed", use: renewFeed)
    }

    // MARK: JSON

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
        var onlineURL: String?
        var capacity: Int?
        var quota: Int?
        var audience: String
        var audiencePositions: [String]
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
        let items = try await AgendaItem.query(on: request.db).filter(\.$meetingID == id).sort(\.$position).all()
        let starts = AgendaSchedule.starts(meetingStart: m.startsAt, durations: items.map(\.durationMinutes)).starts
        let content = access.mayViewContent
        let attendance = try await Attendance.query(on: request.db).filter(\.$meetingID == id).all()
        var materials: [MaterialJSON]?, commitments: [CommitmentJSON]?, open: [CommitmentJSON]?
        if content {
            materials = try await Material.query(on: request.db).filter(\.$meetingID == id).sort(\.$createdAt).all().map
            {
                MaterialJSON(
                    id: $0.id!, title: $0.title, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                    agendaItemID: $0.agendaItemID,
                    href: "/materials/\($0.id!.uuidString.lowercased())")
            }
            commitments = try await Commitment.query(on: request.db).filter(\.$meetingID == id).sort(\.$createdAt).all()
                .map(Self.commitmentJSON)
            open = try await MeetingMinutes.openCommitments(before: m, on: request.db).commitments.map(
                Self.commitmentJSON)
        }
        return MeetingJSON(
            meeting: summary(m, request: request), description: m.description, venueName: m.venueName,
            venueAddress: m.venueAddress,
            onlineURL: content || m.clusterID == nil ? m.onlineURL : nil, capacity: m.capacity, quota: m.quota,
            audience: m.audience,
            audiencePositions: m.audiencePositions,
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

    // MARK: Collaboration's meetings

    struct ListJSON: Content { var meetings: [SummaryJSON] }

    func list(_ request: Request) async throws -> ListJSON {
        let c = try await CollaborationAccess.load(request)
        let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$startsAt
        ).all()
        return ListJSON(
            meetings: try await MeetingAccess.visible(c, meetings, request: request).map {
                Self.summary($0.meeting, request: request)
            })
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let meeting = try await MeetingPlanning.create(
            c, try request.content.decode(MeetingInput.self), request: request)
        let access = try await MeetingAccess.of(meeting, request: request)
        let response = try await Self.json(access, request: request).encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1" + meeting.href)
        return response
    }

    func planSeries(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let meetings = try await MeetingPlanning.planSeries(
            c, try request.content.decode(MeetingSeriesInput.self), request: request)
        return try await ListJSON(meetings: meetings.map { Self.summary($0, request: request) }).encodeResponse(
            status: .created, for: request)
    }

    // MARK: One meeting

    func show(_ request: Request) async throws -> MeetingJSON {
        try await Self.json(try await MeetingAccess.load(request), request: request)
    }

    func update(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingPlanning.update(access, try request.content.decode(MeetingInput.self), request: request)
        return try await Self.json(access, request: request)
    }

    struct StatusInput: Content { var status: String? }

    func changeStatus(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingPlanning.changeStatus(
            access, to: try request.content.decode(StatusInput.self).status, request: request)
        return try await Self.json(try await MeetingAccess.of(access.meeting, request: request), request: request)
    }

    struct AgendaInput: Content { var items: [MeetingAgenda.ItemInput] }

    func replaceAgenda(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        let input = try request.content.decode(AgendaInput.self)
        try await MeetingAgenda.replace(input.items, access: access, request: request)
        return try await Self.json(access, request: request)
    }

    func upload(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let material = try await MeetingAgenda.store(
            try request.content.decode(MeetingAgenda.Upload.self), access: access, request: request)
        return try await MaterialJSON(
            id: material.id!, title: material.title, filename: material.filename, contentType: material.contentType,
            size: material.size, agendaItemID: material.agendaItemID,
            href: "/materials/\(material.id!.uuidString.lowercased())"
        )
        .encodeResponse(status: .created, for: request)
    }

    // MARK: Attendance

    struct AttendeeJSON: Content {
        var personID: UUID
        var name: String?
        var municipality: String?
        var status: String
        var sequence: Int
        /// UTC, ISO 8601.
        var checkedInAt: String?
    }
    struct AttendeesJSON: Content {
        var registered: Int; var waitlisted: Int; var checkedIn: Int; var attendees: [AttendeeJSON]
    }

    static func attendee(_ a: Attendance, name: String?) -> AttendeeJSON {
        AttendeeJSON(
            personID: a.personID, name: name, municipality: a.municipality?.description, status: a.status,
            sequence: a.sequence, checkedInAt: a.checkedInAt.map(Self.utc))
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

    struct CheckInInput: Content { var arrived: Bool? }

    func checkIn(_ request: Request) async throws -> AttendeeJSON {
        let access = try await MeetingAccess.run(request)
        guard let personID = request.parameterID("person") else {
            throw SamradError.notFound("attendance.error.not_registered")
        }
        let arrived = (try? request.content.decode(CheckInInput.self).arrived) ?? nil
        return Self.attendee(
            try await AttendanceDesk.checkIn(access, personID: personID, arrived: arrived ?? true, on: request.db),
            name: nil)
    }

    // MARK: Minutes and commitments

    func saveMinutes(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingMinutes.saveMinutes(
            access, try request.content.decode(MeetingMinutes.MinutesInput.self), request: request)
        return try await Self.json(access, request: request)
    }

    struct CommitmentsJSON: Content { var commitments: [CommitmentJSON]; var openBefore: [CommitmentJSON] }

    func commitments(_ request: Request) async throws -> CommitmentsJSON {
        let access = try await MeetingAccess.load(request)
        guard access.mayViewContent else {
            throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        let made = try await Commitment.query(on: request.db).filter(\.$meetingID == access.meeting.requireID()).sort(
            \.$createdAt
        ).all()
        return CommitmentsJSON(
            commitments: made.map(Self.commitmentJSON),
            openBefore: try await MeetingMinutes.openCommitments(before: access.meeting, on: request.db).commitments
                .map(Self.commitmentJSON))
    }

    func addCommitment(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let commitment = try await MeetingMinutes.addCommitment(
            access, try request.content.decode(MeetingMinutes.CommitmentInput.self), request: request)
        return try await Self.commitmentJSON(commitment).encodeResponse(status: .created, for: request)
    }

    func markCommitment(_ request: Request) async throws -> CommitmentJSON {
        guard let id = request.parameterID("commitment"),
            let commitment = try await Commitment.find(id, on: request.db),
            let meeting = try await Meeting.find(commitment.meetingID, on: request.db)
        else { throw SamradError.notFound() }
        let access = try await MeetingAccess.of(meeting, request: request)
        guard MeetingPolicy.mayView(request.actor, access.scope, attending: access.attending) else {
            throw SamradError.notFound()
        }
        try await MeetingMinutes.requireMayMark(commitment, request: request)
        var v = Validation()
        let status = v.oneOf("status", try request.content.decode(StatusInput.self).status, as: CommitmentState.self)
        try v.check()
        try await MeetingMinutes.mark(commitment, done: status == .done, request: request)
        return Self.commitmentJSON(commitment)
    }

    enum CommitmentState: String { case open, done }

    // MARK: Mine

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
