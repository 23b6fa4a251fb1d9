import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: the meeting page.
extension MeetingPages {
    struct Fact: Encodable { var label: String; var value: String; var href: String? }
    struct MaterialLink: Encodable { var href: String; var title: String; var detail: String }
    struct Item: Encodable {
        var id: String
        var number: Int
        var time: String
        var title: String
        var duration: String
        var descriptionHTML: HTMLFragment
        var presenter: String?
        var questions: [String]
        var materials: [MaterialLink]
        var results: AgendaResults?
    }
    /// A questionnaire's results under an agenda item, as far as the viewer may see them.
    struct AgendaResults: Encodable {
        var title: String
        var href: String
        var questions: [ResultsSummary.Question]
        var note: String?
    }
    struct CommitmentRow: Encodable {
        var id: String
        var text: String
        var who: String
        var owner: String
        var due: String?
        var status: String
        var statusLabel: String
        var from: Link?
    }
    struct StatusButton: Encodable { var value: String; var label: String }
    struct PersonRow { var name: String; var href: String; var place: String; var status: String }
    /// An agenda item on the meeting page: its markup written in Swift (`itemHTML`), with the template
    /// adding the questionnaire results under it, as the results page shows them.
    struct AgendaEntry: Encodable { var id: String; var html: HTMLFragment; var results: AgendaResults? }

    struct ShowContext: Encodable {
        var page: PageContext
        var id: String
        var href: String
        var title: String
        var collaboration: Link
        var cluster: Link?
        var status: String
        var statusLabel: String
        var kind: String
        var when: String
        var zone: String
        var facts: [Fact]
        var descriptionHTML: HTMLFragment
        /// The printable agenda's items; the page's are `agendaEntries`.
        var agenda: [Item]
        var agendaEntries: [AgendaEntry]
        var agendaEnd: String?
        var materialsHTML: HTMLFragment
        var openCommitments: [CommitmentRow]
        var showContent: Bool
        var mayRun: Bool
        /// The host's coordinator: the agenda only.
        var mayShapeAgenda: Bool
        var mayPlan: Bool
        var statusButtons: [StatusButton]
        var attendance: AttendanceBox
        var attendeesHTML: HTMLFragment
        var attendeeSummary: String?
        var minutesHTML: HTMLFragment
        var decisions: [String]
        var commitments: [CommitmentRow]
        var isCancelled: Bool
        var printable: Bool
        /// Its evaluation, for organisers and the host.
        var evaluation: EvaluationSummary.View?
    }

    /// What the person sees about their own registration, and the button.
    struct AttendanceBox: Encodable {
        var message: String?
        var canRegister: Bool
        var canCancel: Bool
        var seatsLeft: String?
        /// Where a visitor without the personal link signs in to register.
        var signInHref: String?
        /// "You are registering as … through your personal link."
        var viaLink: String?
    }

    /// The results the viewer may see; otherwise a link and a word on when they come.
    static func results(_ id: UUID, request: Request) async throws -> AgendaResults? {
        guard let q = try await Questionnaire.find(id, on: request.db),
            let c = try await Collaboration.find(q.collaborationID, on: request.db)
        else { return nil }
        let access = QuestionnaireAccess(questionnaire: q, origin: .collaboration(c), actor: request.actor)
        do {
            let questions = try await ResultsSummary.questions(
                access, scope: "a\(id.uuidString.prefix(8).lowercased())",
                request: request)
            return AgendaResults(title: q.title, href: q.href + "/results", questions: questions, note: nil)
        } catch let error as SamradError where error.kind == .forbidden {
            return AgendaResults(
                title: q.title, href: q.href, questions: [],
                note: request.t("questionnaires.error.results_not_published"))
        }
    }

    /// An agenda item as the page shows it, with its presenter's name: one query, plain rows.
    struct AgendaRow: Decodable {
        var id: UUID
        var title: String
        var description: String
        var duration_minutes: Int
        var presenter_name: String?
        var speaker_name: String?
        var speaker_affiliation: String?
        var questions: [String]
        var questionnaire_id: UUID?
    }
    struct MaterialRow: Decodable {
        var id: UUID; var agenda_item_id: UUID?; var title: String; var content_type: String; var size: Int
    }

    static func agenda(
        _ access: MeetingAccess, showContent: Bool, request: Request
    ) async throws -> (items: [Item], end: String?, loose: [MaterialLink]) {
        let m = access.meeting
        let id = try m.requireID()
        let sql = request.db.sql
        let items = try await sql.raw(
            """
            SELECT a.id, a.title, a.description, a.duration_minutes, p.name AS presenter_name, a.speaker_name,
            a.speaker_affiliation, a.questions, a.questionnaire_id FROM agenda_items a
            LEFT JOIN people p ON p.id = a.presenter_id WHERE a.meeting_id = \(bind: id) ORDER BY a.position
            """
        ).all(decoding: AgendaRow.self)
        let materials =
            showContent
            ? try await sql.raw(
                """
                SELECT id, agenda_item_id, title, content_type, size FROM materials
                WHERE meeting_id = \(bind: id) ORDER BY created_at
                """
            ).all(decoding: MaterialRow.self)
            : []
        let schedule = AgendaSchedule.starts(meetingStart: m.startsAt, durations: items.map(\.duration_minutes))
        func link(_ material: MaterialRow) -> MaterialLink {
            MaterialLink(
                href: "/materials/\(material.id.uuidString.lowercased())", title: material.title,
                detail:
                    "\(MaterialRules.label(material.content_type)), "
                    + NumberText.bytes(material.size, request.language))
        }
        var results: [UUID: AgendaResults] = [:]
        if showContent {
            for id in Set(items.compactMap(\.questionnaire_id)) {
                results[id] = try await Self.results(id, request: request)
            }
        }
        let out = items.enumerated().map { index, item in
            let presenter =
                item.presenter_name
                ?? item.speaker_name.map { name in item.speaker_affiliation.map { "\(name), \($0)" } ?? name }
            return Item(
                id: item.id.uuidString.lowercased(), number: index + 1,
                time: DateText.time(schedule.starts[index], request.language, zone: m.timeZone),
                title: item.title, duration: request.t("meetings.minutes_count", [String(item.duration_minutes)]),
                descriptionHTML: .markdown(item.description), presenter: presenter, questions: item.questions,
                materials: materials.filter { $0.agenda_item_id == item.id }.map(link),
                results: item.questionnaire_id.flatMap { results[$0] })
        }
        let end =
            items.isEmpty
            ? nil
            : request.t(
                "meetings.agenda_end",
                [
                    DateText.time(schedule.end, request.language, zone: m.timeZone),
                    DateText.time(m.endsAt, request.language, zone: m.timeZone),
                ])
        return (out, end, materials.filter { $0.agenda_item_id == nil }.map(link))
    }

    func show(_ request: Request) async throws -> View {
        try await request.view.render("meetings/show", try await showContext(request, printable: false))
    }

    func printable(_ request: Request) async throws -> View {
        try await request.view.render("meetings/print", try await showContext(request, printable: true))
    }

    func showContext(_ request: Request, printable: Bool) async throws -> ShowContext {
        let access = try await MeetingAccess.load(request)
        let m = access.meeting
        let c = access.collaboration
        let showContent = access.mayViewContent
        var facts = [
            Fact(label: request.t("meetings.when"), value: Self.when(m, request), href: nil),
            Fact(label: request.t("meetings.where"), value: Self.place(m, request), href: nil),
        ]
        if let host = m.host.flatMap({ request.municipalities[$0] }) {
            facts.append(
                Fact(
                    label: request.t("meetings.host"), value: host.name,
                    href: "/municipalities/\(host.country.rawValue)/\(host.code)"))
        }
        facts.append(Fact(label: request.t("meetings.mode"), value: request.t("meeting_mode.\(m.mode)"), href: nil))
        if m.modeValue.hasOnlinePart {
            // The link lets anyone in, so only those registered (and who run it) see it.
            let label = request.t("meetings.online")
            if !access.mayJoinOnline {
                facts.append(Fact(label: label, value: request.t("meetings.join_when_registered"), href: nil))
            } else if let online = m.onlineURL {
                facts.append(Fact(label: label, value: online, href: online))
            } else {
                facts.append(Fact(label: label, value: request.t("meetings.join_follows"), href: nil))
            }
            if access.mayJoinOnline, let dialIn = m.dialIn {
                facts.append(Fact(label: request.t("meetings.dial_in"), value: dialIn, href: nil))
            }
        }
        if let deadline = m.registrationDeadline {
            facts.append(
                Fact(
                    label: request.t("meetings.registration_deadline"),
                    value: DateText.dateTime(deadline, request.language, zone: m.timeZone), href: nil))
        }
        if let quota = m.quota {
            facts.append(
                Fact(
                    label: request.t("meetings.quota"), value: request.t("meetings.quota_value", [String(quota)]),
                    href: nil))
        }
        facts.append(Fact(label: request.t("meetings.audience"), value: Self.audienceText(m, request), href: nil))
        let agenda = try await Self.agenda(access, showContent: showContent, request: request)
        let rows =
            showContent || access.mayRun ? try await AttendanceDesk.attendees(m.requireID(), on: request.db) : []
        let registered =
            showContent || access.mayRun
            ? rows.filter { $0.status == .registered }.count
            : try await AttendanceDesk.registeredCount(m.requireID(), on: request.db)
        let waiting = rows.filter { $0.status == .waitlisted }.count
        let attendees = rows.filter { $0.status.isActive }.map { row in
            PersonRow(
                name: row.name ?? "—", href: row.name == nil ? "" : "/people/\(row.personID.uuidString)",
                place: row.municipality.flatMap { request.municipalities[$0]?.name } ?? "",
                status: request.t("attendance_status.\(row.status.rawValue)"))
        }
        let summary = request.t("meetings.attendee_summary", [String(registered), String(waiting)])
        let commitments = showContent ? try await MeetingMinutes.rows(madeAt: m, request: request) : []
        let open = showContent ? try await MeetingMinutes.openBefore(m, request: request) : []
        return ShowContext(
            page: PageContext(request, titleKey: "", title: m.title), id: m.id!.uuidString.lowercased(), href: m.href,
            title: m.title,
            collaboration: Link(href: "/collaborations/\(c.slug)/meetings", label: c.title),
            cluster: access.cluster.map {
                Link(href: "/collaborations/\(c.slug)/meetings?cluster=\($0.id!.uuidString)", label: $0.name)
            },
            status: m.status, statusLabel: request.t("meeting_status.\(m.status)"),
            kind: request.t("meeting_kind.\(m.kind)"),
            when: Self.when(m, request), zone: m.timeZone, facts: facts,
            descriptionHTML: .markdown(m.description),
            agenda: printable ? agenda.items : [],
            agendaEntries: printable ? [] : Self.entries(agenda.items, request),
            agendaEnd: agenda.end, materialsHTML: Self.materialsHTML(agenda.loose), openCommitments: open,
            showContent: showContent,
            mayRun: access.mayRun, mayShapeAgenda: access.mayShapeAgenda,
            mayPlan: MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID),
            statusButtons: access.mayRun
                ? MeetingPlanning.next(m.statusValue).map {
                    StatusButton(value: $0.rawValue, label: request.t("meeting_action.\($0.rawValue)"))
                } : [],
            attendance: try await Self.attendanceBox(access, registered: registered, request: request),
            attendeesHTML: Self.attendeesHTML(attendees), attendeeSummary: showContent || access.mayRun ? summary : nil,
            minutesHTML: showContent ? .markdown(m.minutes) : "", decisions: showContent ? m.decisions : [],
            commitments: commitments, isCancelled: m.statusValue == .cancelled, printable: printable,
            evaluation: printable ? nil : try await EvaluationSummary.of(m, zone: m.timeZone, request: request))
    }

    // The agenda's items, the materials and who comes are written in Swift: Leaf resolved every
    // variable of every item by its path and was a third of the page (bench/README.md).

    static func entries(_ items: [Item], _ request: Request) -> [AgendaEntry] {
        let questionsLabel = request.t("meetings.questions")
        return items.map { item in
            var html: HTMLFragment = """
                <p class="agenda-time"><time>\(item.time)</time> <span class="note">(\(item.duration))</span></p>
                    <h3>\(item.title)</h3>
                """
            if let presenter = item.presenter { html.append("<p class=\"presenter\">\(presenter)</p>") }
            if !item.descriptionHTML.isEmpty { html.append("<div class=\"prose\">\(item.descriptionHTML)</div>") }
            if !item.questions.isEmpty {
                html.append(
                    """

                    <p class="questions-label">\(questionsLabel)</p>
                        <ul class="questions">\(HTMLFragment(joining: item.questions.map { "<li>\($0)</li>" }))</ul>
                    """)
            }
            html.append(materialsHTML(item.materials))
            return AgendaEntry(id: item.id, html: html, results: item.results)
        }
    }

    static func materialsHTML(_ materials: [MaterialLink]) -> HTMLFragment {
        guard !materials.isEmpty else { return "" }
        let items = materials.map { m -> HTMLFragment in
            """
            <li><a href="\(m.href)">\(m.title)</a>
                <span class="note">(\(m.detail))</span></li>
            """
        }
        return "\n<ul class=\"materials\">\(HTMLFragment(joining: items))</ul>"
    }

    static func attendeesHTML(_ people: [PersonRow]) -> HTMLFragment {
        HTMLFragment(
            joining: people.map { a in
                let place: HTMLFragment = a.place.isEmpty ? "" : ", \(a.place)"
                return """
                    <li><a href="\(a.href)">\(a.name)</a>\(place)
                        <span class="note">(\(a.status))</span></li>
                    """
            })
    }

    static func audienceText(_ m: Meeting, _ request: Request) -> String {
        switch m.audienceValue {
        case .open:
            let positions = m.audiencePositions.map { request.t("position.\($0)") }.joined(separator: ", ")
            switch m.audienceArea.flatMap({ AudienceArea($0, in: request.municipalities) }) {
            case .country(let country):
                let name = request.t("country.\(country.rawValue)")
                return request.t("meeting_audience.open_positions_area", [positions, name])
            case .region(let country, let code):
                let name = request.municipalities.regions(of: country).first { $0.code == code }?.name ?? code
                return request.t("meeting_audience.open_positions_area", [positions, name])
            case nil:
                return request.t("meeting_audience.open_positions", [positions])
            }
        default: return request.t("meeting_audience.\(m.audience)")
        }
    }

    static func attendanceBox(_ access: MeetingAccess, registered: Int, request: Request) async throws -> AttendanceBox
    {
        let m = access.meeting
        var box = AttendanceBox(message: nil, canRegister: false, canCancel: false, seatsLeft: nil)
        if !request.actor.isSignedIn, let personID = access.actingPerson,
            let person = try await Person.plain(personID, on: request.db)
        {
            box.viaLink = request.t("attendance.via_link", [person.name])
        }
        if let capacity = m.capacity {
            box.seatsLeft = request.t("meetings.seats_left", [String(max(0, capacity - registered)), String(capacity)])
        }
        if let attendance = access.attendance, attendance.statusValue.isActive {
            box.message = request.t(
                attendance.statusValue == .registered ? "attendance.you_are_registered" : "attendance.you_are_waiting")
            box.canCancel = m.statusValue == .published
            return box
        }
        // Registration closes at the deadline and at the start: a page kept for visitors goes then.
        request.keepUntil(m.startsAt)
        request.keepUntil(m.registrationDeadline)
        guard m.statusValue == .published, Date() < m.startsAt else { return box }
        if let deadline = m.registrationDeadline, Date() > deadline {
            box.message = request.t("attendance.error.after_deadline")
            return box
        }
        guard let personID = access.actingPerson, let person = try await Person.plain(personID, on: request.db) else {
            if request.actor.isSignedIn {
                box.message = request.t("attendance.no_person")
            } else {
                box.signInHref = "/sign-in?next=" + m.href  // letters, digits, hyphens and slashes only
            }
            return box
        }
        let audience = try await AttendanceDesk.audience(access, directory: request.municipalities, on: request.db)
        if audience.admits(person) || access.mayRun {
            box.canRegister = true
        } else {
            box.message = request.t("attendance.error.not_invited")
        }
        return box
    }
}
