import Fluent
import Foundation
import SamradCore
import Vapor

/// Registering for a meeting and cancelling in the browser; the list of who comes for those who run
/// the meeting, with check-in on the day, adding walk-ins, and an export.
struct AttendancePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let m = routes.grouped("meetings", ":meeting")
        routes.get("meeting-links", ":key", use: openLink)
        m.post("register", use: register)
        m.post("cancel", use: cancel)
        m.get("attendance", use: list)
        m.post("attendance", ":person", "check-in", use: checkIn)
        m.spreadsheet("attendance", "export", use: export)
    }

    struct PersonForm: Content { var personID: String? }

    /// The personal link of a meeting's e-mail (`/meeting-links/{key}`): gives this browser session
    /// the pass to register or cancel as the person it was sent to, then goes to the meeting.
    func openLink(_ request: Request) async throws -> Response {
        guard let key = request.parameters.get("key"),
            let link = try await MeetingLink.query(on: request.db).filter(\.$tokenHash == Secret.hash(key)).first(),
            link.expiresAt > Date(), let meeting = try await Meeting.find(link.meetingID, on: request.db)
        else {
            throw SamradError.notFound("attendance.link_invalid")
        }
        link.lastUsedAt = Date()
        try await link.save(on: request.db)
        MeetingPasses.store.add(link.pass, until: link.expiresAt, to: request.session)
        CSRFToken.renew(for: request)
        return request.redirect(to: meeting.href)
    }

    /// The person a form is about: the one named (for coordinators and organisers) or the signed-in person.
    static func person(_ request: Request, _ text: String?, _ access: MeetingAccess) async throws -> Person {
        if let text, !text.isEmpty {
            guard let id = UUID(uuidString: text), let person = try await Person.find(id, on: request.db) else {
                throw SamradError.invalid([FieldError(field: "personID", "attendance.error.person")])
            }
            return person
        }
        // Signed in, or holding the meeting's personal link.
        guard request.actor.isSignedIn || access.actingPerson != nil else { throw SamradError.unauthenticated }
        guard let id = access.actingPerson, let person = try await Person.find(id, on: request.db) else {
            throw SamradError(.conflict, "attendance.no_person")
        }
        return person
    }

    /// Registers and sends the confirmation (or the waiting-list notice) with the calendar entry.
    static func register(_ access: MeetingAccess, person: Person, request: Request) async throws -> Attendance {
        let outcome = try await AttendanceDesk.register(
            access, person: person, directory: request.municipalities, on: request.db)
        let kind: MeetingNotices.Kind = outcome.attendance.statusValue == .registered ? .confirmation : .waitlisted
        try await MeetingNotices.tell(
            kind, access, personIDs: [person.requireID()], context: MailContext(request), on: request.db)
        return outcome.attendance
    }

    static func cancel(_ access: MeetingAccess, personID: UUID, request: Request) async throws -> AttendanceDesk.Outcome
    {
        let outcome = try await AttendanceDesk.cancel(access, personID: personID, on: request.db)
        try await MeetingNotices.tell(
            .promoted, access, personIDs: outcome.promoted.map(\.personID), context: MailContext(request),
            on: request.db)
        return outcome
    }

    func register(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        let form = try request.content.decode(PersonForm.self)
        let back = (form.personID ?? "").isEmpty ? access.meeting.href : access.meeting.href + "/attendance"
        do {
            let attendance = try await Self.register(
                access, person: try await Self.person(request, form.personID, access), request: request)
            request.setNotice(
                attendance.statusValue == .registered ? "attendance.registered" : "attendance.waitlisted")
        } catch let error as SamradError
            where [.conflict, .invalidInput].contains(error.kind) || error.messageKey == "attendance.error.not_invited"
        {
            // The message (deadline passed, quota reached, …) is shown on the page; nothing changed.
            request.setNotice(refusal: error)
        }
        return request.redirect(to: back)
    }

    func cancel(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        let form = try request.content.decode(PersonForm.self)
        let person = try await Self.person(request, form.personID, access)
        _ = try await Self.cancel(access, personID: person.requireID(), request: request)
        request.setNotice("attendance.cancelled")
        return request.redirect(
            to: (form.personID ?? "").isEmpty ? access.meeting.href : access.meeting.href + "/attendance")
    }


    struct Row: Encodable {
        var personID: String
        var name: String
        var place: String
        var position: String
        var status: String
        var statusLabel: String
        var checkedIn: String?
        var canCheckIn: Bool
    }
    /// A check-in button: in the room, online, or (one mode only) just arrived.
    struct CheckInChoice: Encodable { var value: String; var label: String }

    struct ListContext: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var downloads: [DownloadLinks]
        var when: String
        var rows: [Row]
        var summary: String
        var people: [Option]
        var checkInChoices: [CheckInChoice]
    }

    func list(_ request: Request) async throws -> View {
        let access = try await MeetingAccess.run(request)
        let m = access.meeting
        let rows = try await AttendanceDesk.list(m.requireID(), on: request.db)
        let registered = rows.filter { $0.attendance.statusValue == .registered }
        let arrived = registered.filter { $0.attendance.checkedInAt != nil }.count
        let waiting = rows.filter { $0.attendance.statusValue == .waitlisted }.count
        let taken = Set(rows.filter { $0.attendance.statusValue.isActive }.map(\.attendance.personID))
        let invitees = try await AttendanceDesk.candidates(
            access, directory: request.municipalities, on: request.db
        ).filter { !taken.contains($0.id!) }
            .sorted { $0.name < $1.name }
        return try await request.view.render(
            "meetings/attendance",
            ListContext(
                page: PageContext(request, titleKey: "attendance.title"), title: m.title, href: m.href,
                downloads: [DownloadLinks(base: m.href + "/attendance/export", label: request.t("attendance.export"))],
                when: MeetingPages.when(m, request),
                rows: rows.map { row in
                    Row(
                        personID: row.attendance.personID.uuidString, name: row.person?.name ?? "—",
                        place: row.attendance.municipality.flatMap { request.municipalities[$0]?.name } ?? "",
                        position: row.person.map { request.t("position.\($0.position)") } ?? "",
                        status: row.attendance.status,
                        statusLabel: request.t("attendance_status.\(row.attendance.status)"),
                        checkedIn: row.attendance.checkedInAt.map {
                            let time = DateText.time($0, request.language, zone: m.timeZone)
                            return row.attendance.checkedInOnline && m.modeValue == .hybrid
                                ? request.t("attendance.time_online", [time]) : time
                        },
                        canCheckIn: row.attendance.statusValue == .registered)
                },
                summary: request.t("attendance.summary", [String(registered.count), String(arrived), String(waiting)]),
                people: [.init(value: "", label: request.t("attendance.choose_person"), selected: true)]
                    + invitees.map {
                        .init(
                            value: $0.id!.uuidString,
                            label:
                                "\($0.name) ("
                                + ($0.municipality.flatMap { request.municipalities[$0]?.name }
                                    ?? request.t("position.\($0.position)")) + ")",
                            selected: false)
                    },
                checkInChoices: m.modeValue == .hybrid
                    ? [
                        CheckInChoice(value: "room", label: request.t("attendance.check_in_room")),
                        CheckInChoice(value: "online", label: request.t("attendance.check_in_online")),
                    ]
                    : [CheckInChoice(value: "", label: request.t("attendance.check_in"))]))
    }

    struct CheckInForm: Content { var arrived: String?; var place: String? }

    func checkIn(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        guard let personID = request.parameterID("person") else {
            throw SamradError.notFound()
        }
        let form = try request.content.decode(CheckInForm.self)
        _ = try await AttendanceDesk.checkIn(
            access, personID: personID, arrived: form.arrived != "no", online: form.place == "online", on: request.db)
        return request.redirect(to: access.meeting.href + "/attendance#p-\(personID.uuidString)")
    }

    func export(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let m = access.meeting
        var csv = CSVWriter(header: [
            "name", "email", "position", "municipality", "status", "registered_at", "checked_in_at",
            "checked_in_online",
        ])
        for row in try await AttendanceDesk.list(m.requireID(), on: request.db) {
            csv.append([
                row.person?.name ?? "", row.person?.email ?? "", row.person?.position ?? "",
                row.attendance.municipality.flatMap { request.municipalities[$0]?.name } ?? "", row.attendance.status,
                row.attendance.createdAt.map { DateText.local($0, zone: m.timeZone) } ?? "",
                row.attendance.checkedInAt.map { DateText.local($0, zone: m.timeZone) } ?? "",
                row.attendance.checkedInAt == nil ? "" : (row.attendance.checkedInOnline ? "yes" : "no"),
            ])
        }
        return try csv.download(request, name: "meeting-attendance")
    }
}
