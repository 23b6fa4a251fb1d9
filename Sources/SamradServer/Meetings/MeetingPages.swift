import Fluent
import Foundation
import SamradCore
import Vapor

/// Meetings in the browser: a collaboration's (or cluster's) list, planning one meeting or a whole
/// series, the meeting page with its agenda, materials, who comes and minutes, the printable agenda,
/// "my meetings", and the calendar files and feeds.
struct MeetingPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("collaborations", ":slug")
        c.get("meetings", use: list)
        c.get("calendar.ics", use: collaborationFeed)
        c.get("meetings", "new", use: newForm)
        c.post("meetings", "new", use: create)
        c.get("meetings", "series", use: seriesForm)
        c.post("meetings", "series", use: planSeries)
        let m = routes.grouped("meetings", ":meeting")
        m.get(use: show)
        m.get("edit", use: editForm)
        m.post("edit", use: update)
        m.post("status", use: changeStatus)
        m.get("calendar.ics", use: download)
        m.get("print", use: printable)
        routes.get("me", "meetings", use: mine)
        routes.post("me", "calendar-feed", use: newPersonFeed)
        routes.post("collaborations", ":slug", "meetings", "cluster-feed", use: newClusterFeed)
        routes.get("calendar", ":token", use: feed)
    }

    // MARK: Shared texts

    static func when(_ m: Meeting, _ request: Request) -> String {
        DateText.span(m.startsAt, m.endsAt, request.language, zone: m.timeZone)
    }

    static func place(_ m: Meeting, _ request: Request) -> String {
        let text = MeetingCalendar.location(
            m, directory: request.municipalities, language: request.language, catalog: request.catalog)
        return text.isEmpty ? request.t("meetings.place_unknown") : text
    }

    struct Row: Encodable {
        var href: String
        var title: String
        var when: String
        var place: String
        var status: String
        var statusLabel: String
        var kind: String
        var cluster: String?
        var attending: String?
    }

    static func row(_ m: Meeting, cluster: String?, attending: String? = nil, request: Request) -> Row {
        Row(
            href: m.href, title: m.title, when: when(m, request), place: place(m, request), status: m.status,
            statusLabel: request.t("meeting_status.\(m.status)"), kind: request.t("meeting_kind.\(m.kind)"),
            cluster: cluster, attending: attending)
    }

    // MARK: The collaboration's meetings

    /// Upcoming and past meetings, as two tables.
    struct Section: Encodable {
        var id: String
        var heading: String
        var rows: [Row]
        var empty: String

        static func split(_ rows: [(meeting: Meeting, row: Row)], request: Request) -> [Section] {
            let now = Date()
            return [
                Section(
                    id: "upcoming", heading: request.t("meetings.upcoming"),
                    rows: rows.filter { $0.meeting.endsAt >= now }.map(\.row),
                    empty: request.t("meetings.none_upcoming")),
                Section(
                    id: "past", heading: request.t("meetings.past"),
                    rows: rows.filter { $0.meeting.endsAt < now }.reversed().map(\.row),
                    empty: request.t("meetings.none_past")),
            ]
        }
    }

    struct ListContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var canPlan: Bool
        var clusters: [Option]
        var clusterName: String?
        var sections: [Section]
        var feedHref: String?
        var feedNote: String
        /// When this account made its cluster address; the form that makes a new one.
        var feedMade: String?
        var feedAction: String?
        var feedButton: String
    }

    func list(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        let chosen = request.query[String.self, at: "cluster"].flatMap(UUID.init(uuidString:)).flatMap { id in
            clusters.first { $0.id == id }
        }
        var query = try Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(\.$startsAt)
        if let chosen { query = query.filter(\.$clusterID == chosen.id!) }
        let visible = try await MeetingAccess.visible(c, try await query.all(), request: request)
        let names = Dictionary(uniqueKeysWithValues: clusters.map { ($0.id!, $0.name) })
        let rows = visible.map {
            (
                meeting: $0.meeting,
                row: Self.row($0.meeting, cluster: $0.meeting.clusterID.flatMap { names[$0] }, request: request)
            )
        }
        let canPlan = MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        // A cluster's feed is secret (cluster meetings are not public): each account makes its own
        // address, shown once; the collaboration's feed is public.
        var feedHref: String? = c.statusValue.isPublished ? "/collaborations/\(c.slug)/calendar.ics" : nil
        var feedNote = request.t("meetings.feed_public")
        var feedMade: String?
        var feedAction: String?
        var feedButton = ""
        if let chosen {
            let seesCluster = visible.contains { $0.meeting.clusterID == chosen.id } || canPlan
            feedHref = nil
            feedNote = request.t("meetings.feed_secret")
            if seesCluster, let user = request.actor.userID {
                feedHref = Self.shownOnce(request)
                let made = try await MeetingCalendar.clusterFeedMadeAt(chosen.requireID(), userID: user, on: request.db)
                feedMade = made.map { request.t("meetings.feed_made", [Self.madeOn($0, request)]) }
                let clusterID = try chosen.requireID().uuidString.lowercased()
                feedAction = "/collaborations/\(c.slug)/meetings/cluster-feed?cluster=\(clusterID)"
                feedButton = request.t(made == nil ? "meetings.cluster_feed_create" : "meetings.cluster_feed_replace")
            }
        }
        let clusterOptions =
            clusters.isEmpty
            ? []
            : [Option(value: "", label: request.t("meetings.all_clusters"), selected: chosen == nil)]
                + clusters.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == chosen?.id) }
        return try await request.view.render(
            "meetings/list",
            ListContext(
                page: PageContext(request, titleKey: "meetings.title"), title: c.title, slug: c.slug, canPlan: canPlan,
                clusters: clusterOptions,
                clusterName: chosen?.name, sections: Section.split(rows, request: request), feedHref: feedHref,
                feedNote: feedNote,
                feedMade: feedMade, feedAction: feedAction, feedButton: feedButton))
    }

    /// A feed address made by this request's session a moment ago, shown once.
    static func shownOnce(_ request: Request) -> String? {
        guard request.hasSession, let href = request.session.data[MeetingCalendar.shownOnceKey] else { return nil }
        request.session.data[MeetingCalendar.shownOnceKey] = nil
        return href
    }

    static func madeOn(_ date: Date, _ request: Request) -> String {
        DateText.dateTime(
            date, request.language, zone: request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen")
    }

    /// Makes this account's secret address of a cluster's meetings (or a new one), for those who
    /// see the cluster; the next page shows it once.
    func newClusterFeed(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let c = try await CollaborationAccess.load(request)
        guard let id = request.query[String.self, at: "cluster"].flatMap(UUID.init(uuidString:)),
            let cluster = try await Cluster.find(id, on: request.db), cluster.collaborationID == c.id
        else {
            throw SamradError.notFound()
        }
        let meetings = try await Meeting.query(on: request.db).filter(\.$clusterID == id).all()
        var sees = MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        if !sees { sees = !(try await MeetingAccess.visible(c, meetings, request: request)).isEmpty }
        try request.require(sees)
        let href = try await MeetingCalendar.renewClusterFeed(id, userID: user.requireID(), on: request.db)
        request.session.data[MeetingCalendar.shownOnceKey] = href
        return request.redirect(
            to: "/collaborations/\(c.slug)/meetings?cluster=\(id.uuidString.lowercased())",
            notice: "meetings.feed_created")
    }

    // MARK: One meeting: the form

    struct FormContext: Encodable {
        var page: PageContext
        var title: String
        var action: String
        var backHref: String
        var form: FormState
        var isNew: Bool
        var kinds: [Option]
        var clusters: [Option]
        var zones: [Option]
        var hosts: [Option]
        var audiences: [Option]
        var positions: [Option]
    }

    func formContext(
        _ request: Request, _ c: Collaboration, form: FormState, action: String, isNew: Bool, clusterID: UUID?
    ) async throws -> FormContext {
        let v = form.values
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        let hostKeys: [MunicipalityKey]
        if let clusterID {
            hostKeys = try await ClusterMember.query(on: request.db).filter(\.$clusterID == clusterID).all().map(
                \.municipality)
        } else {
            hostKeys = try await MeetingPlanning.rotation(c, clusterID: nil, request: request, on: request.db).hosts
                .map(\.key)
        }
        let country = hostKeys.first?.country ?? .dk
        var hosts = hostKeys.compactMap { request.municipalities[$0] }.map {
            Option(value: $0.key.description, label: $0.name, selected: v["host"] == $0.key.description)
        }
        .sorted { NordicCollation.ordered($0.label, $1.label, country) }
        // A host chosen earlier outside today's list (e.g. a municipality that withdrew) stays selectable.
        if let current = v["host"], !current.isEmpty, !hosts.contains(where: { $0.value == current }),
            let m = MunicipalityKey(path: current).flatMap({ request.municipalities[$0] })
        {
            hosts.append(Option(value: current, label: m.name, selected: true))
        }
        let zone = v["timeZone"] ?? c.timeZone
        let selectedPositions = Set((v["audiencePositions"] ?? "").split(separator: ",").map(String.init))
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "meetings.new_title" : "meetings.edit_title"), title: c.title,
            action: action,
            backHref: "/collaborations/\(c.slug)/meetings", form: form, isNew: isNew,
            kinds: MeetingKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_kind.\($0.rawValue)"),
                    selected: v["kind"] == $0.rawValue)
            },
            clusters: [Option(value: "", label: request.t("meetings.whole_collaboration"), selected: clusterID == nil)]
                + clusters.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == clusterID) },
            zones: TimeZoneChoice.options(selected: zone, request),
            hosts: [Option(value: "", label: request.t("meetings.no_host"), selected: (v["host"] ?? "").isEmpty)]
                + hosts,
            audiences: MeetingAudience.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_audience.\($0.rawValue)"),
                    selected: v["audience"] == $0.rawValue)
            },
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: selectedPositions.contains($0.rawValue))
            })
    }

    static let formFields = [
        "title", "description", "kind", "clusterID", "startsAt", "endsAt", "timeZone", "venueName", "venueAddress",
        "onlineURL",
        "host", "capacity", "quota", "audience", "registrationDeadline", "reminderHours",
    ]

    /// The form's fields as typed, and as the input the API takes. Numbers that are not numbers are
    /// reported on their field.
    static func formInput(_ request: Request) throws -> (values: [String: String], input: MeetingInput) {
        struct Form: Decodable { var audiencePositions: [String]? }
        var values = try request.content.decode([String: String].self).filter { formFields.contains($0.key) }
        let positions = (try? request.content.decode(Form.self).audiencePositions) ?? []
        values["audiencePositions"] = positions.joined(separator: ",")
        var v = Validation()
        func number(_ field: String) -> Int? {
            guard let text = values[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let n = Int(text) else { v.add(field, "validation.whole_number"); return nil }
            return n
        }
        let input = MeetingInput(
            title: values["title"], description: values["description"], kind: values["kind"],
            clusterID: values["clusterID"].flatMap(UUID.init(uuidString:)), startsAt: values["startsAt"],
            endsAt: values["endsAt"],
            timeZone: values["timeZone"], venueName: values["venueName"], venueAddress: values["venueAddress"],
            onlineURL: values["onlineURL"], host: values["host"], capacity: number("capacity"), quota: number("quota"),
            audience: values["audience"], audiencePositions: positions,
            registrationDeadline: values["registrationDeadline"],
            reminderHours: number("reminderHours"))
        try v.check()
        return (values, input)
    }

    static func values(of input: MeetingInput) -> [String: String] {
        [
            "title": input.title ?? "", "description": input.description ?? "", "kind": input.kind ?? "",
            "clusterID": input.clusterID?.uuidString ?? "",
            "startsAt": input.startsAt ?? "", "endsAt": input.endsAt ?? "", "timeZone": input.timeZone ?? "",
            "venueName": input.venueName ?? "",
            "venueAddress": input.venueAddress ?? "", "onlineURL": input.onlineURL ?? "", "host": input.host ?? "",
            "capacity": input.capacity.map(String.init) ?? "", "quota": input.quota.map(String.init) ?? "",
            "audience": input.audience ?? "",
            "audiencePositions": (input.audiencePositions ?? []).joined(separator: ","),
            "registrationDeadline": input.registrationDeadline ?? "",
            "reminderHours": input.reminderHours.map(String.init) ?? "",
        ]
    }

    func newForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let clusterID = request.query[String.self, at: "cluster"].flatMap(UUID.init(uuidString:))
        let values = [
            "timeZone": c.timeZone, "reminderHours": "24", "clusterID": clusterID?.uuidString ?? "",
            "kind": clusterID == nil ? MeetingKind.meeting.rawValue : MeetingKind.clusterMeeting.rawValue,
            "audience": clusterID == nil ? MeetingAudience.seats.rawValue : MeetingAudience.cluster.rawValue,
        ]
        return try await request.view.render(
            "meetings/form",
            formContext(
                request, c, form: FormState(values: values),
                action: "/collaborations/\(c.slug)/meetings/new", isNew: true, clusterID: clusterID))
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let action = "/collaborations/\(c.slug)/meetings/new"
        var values = (try? request.content.decode([String: String].self)) ?? [:]
        do {
            let (typed, input) = try Self.formInput(request)
            values = typed
            let meeting = try await MeetingPlanning.create(c, input, request: request)
            return request.redirect(to: meeting.href, notice: "meetings.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            let clusterID = values["clusterID"].flatMap(UUID.init(uuidString:))
            return try await request.renderForm(
                "meetings/form",
                formContext(
                    request, c, form: FormState(values: values, error: error, request: request),
                    action: action, isNew: true, clusterID: clusterID))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let access = try await MeetingAccess.run(request)
        return try await request.view.render(
            "meetings/form",
            formContext(
                request, access.collaboration, form: FormState(values: Self.values(of: MeetingInput(access.meeting))),
                action: access.meeting.href + "/edit", isNew: false, clusterID: access.meeting.clusterID))
    }

    func update(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        var values = (try? request.content.decode([String: String].self)) ?? [:]
        do {
            let (typed, input) = try Self.formInput(request)
            values = typed
            try await MeetingPlanning.update(access, input, request: request)
            return request.redirect(to: access.meeting.href, notice: "meetings.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/form",
                formContext(
                    request, access.collaboration, form: FormState(values: values, error: error, request: request),
                    action: access.meeting.href + "/edit", isNew: false, clusterID: access.meeting.clusterID))
        }
    }

    struct StatusForm: Content { var status: String? }

    func changeStatus(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let status = try request.content.decode(StatusForm.self).status
        do {
            try await MeetingPlanning.changeStatus(access, to: status, request: request)
            request.setNotice("meetings.status_changed")
        } catch let error as SamradError where error.kind == .conflict {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.meeting.href)
    }

    // MARK: A series

    struct SeriesContext: Encodable {
        var page: PageContext
        var title: String
        var action: String
        var backHref: String
        var form: FormState
        var clusters: [Option]
        var kinds: [Option]
        var zones: [Option]
        var patterns: [Option]
        var units: [Option]
        var rotationNote: String
    }

    static let seriesFields = [
        "title", "clusterID", "kind", "firstStart", "durationMinutes", "count", "every", "unit", "timeZone", "pattern",
        "venueName", "venueAddress", "avoidWeekends", "capacity", "reminderHours",
    ]

    func seriesContext(_ request: Request, _ c: Collaboration, form: FormState) async throws -> SeriesContext {
        let v = form.values
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        let clusterID = v["clusterID"].flatMap(UUID.init(uuidString:))
        let rotation = try await MeetingPlanning.rotation(c, clusterID: clusterID, request: request, on: request.db)
        let zone = v["timeZone"] ?? c.timeZone
        return SeriesContext(
            page: PageContext(request, titleKey: "meetings.series_title"), title: c.title,
            action: "/collaborations/\(c.slug)/meetings/series",
            backHref: "/collaborations/\(c.slug)/meetings", form: form,
            clusters: [Option(value: "", label: request.t("meetings.whole_collaboration"), selected: clusterID == nil)]
                + clusters.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == clusterID) },
            kinds: MeetingKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_kind.\($0.rawValue)"),
                    selected: v["kind"] == $0.rawValue)
            },
            zones: TimeZoneChoice.options(selected: zone, request),
            patterns: MeetingSeriesRequest.Pattern.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_pattern.\($0.rawValue)"),
                    selected: (v["pattern"] ?? "rotation") == $0.rawValue)
            },
            units: ["months", "weeks"].map {
                Option(value: $0, label: request.t("meetings.unit_\($0)"), selected: (v["unit"] ?? "months") == $0)
            },
            rotationNote: request.t(
                "meetings.rotation_note", [String(rotation.hosts.count), String(rotation.hosted.reduce(0, +))]))
    }

    func seriesForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let clusterID = request.query[String.self, at: "cluster"] ?? ""
        let values = [
            "timeZone": c.timeZone, "durationMinutes": "180", "count": "4", "every": "6", "unit": "months",
            "pattern": "rotation",
            "avoidWeekends": "on", "reminderHours": "24", "clusterID": clusterID,
        ]
        return try await request.view.render(
            "meetings/series", seriesContext(request, c, form: FormState(values: values)))
    }

    func planSeries(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let values = try request.content.decode([String: String].self).filter { Self.seriesFields.contains($0.key) }
        do {
            var v = Validation()
            func number(_ field: String) -> Int? {
                guard let text = values[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let n = Int(text) else { v.add(field, "validation.whole_number"); return nil }
                return n
            }
            let input = MeetingSeriesInput(
                title: values["title"], clusterID: values["clusterID"].flatMap(UUID.init(uuidString:)),
                kind: values["kind"],
                firstStart: values["firstStart"], durationMinutes: number("durationMinutes"), count: number("count"),
                every: number("every"), unit: values["unit"], timeZone: values["timeZone"], pattern: values["pattern"],
                venueName: values["venueName"], venueAddress: values["venueAddress"],
                avoidWeekends: values["avoidWeekends"] == "on",
                capacity: number("capacity"), reminderHours: number("reminderHours"))
            try v.check()
            let meetings = try await MeetingPlanning.planSeries(c, input, request: request)
            request.setNotice("meetings.series_saved")
            let cluster = meetings.first?.clusterID.map { "?cluster=\($0.uuidString)" } ?? ""
            return request.redirect(to: "/collaborations/\(c.slug)/meetings\(cluster)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/series",
                seriesContext(request, c, form: FormState(values: values, error: error, request: request)))
        }
    }

    // MARK: The meeting page

    struct Fact: Encodable { var label: String; var value: String; var href: String? }
    struct MaterialLink: Encodable { var href: String; var title: String; var detail: String }
    struct Item: Encodable {
        var id: String
        var number: Int
        var time: String
        var title: String
        var duration: String
        var descriptionHTML: String
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
    struct PersonRow: Encodable { var name: String; var href: String; var place: String; var status: String }

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
        var descriptionHTML: String
        var agenda: [Item]
        var agendaEnd: String?
        var materials: [MaterialLink]
        var openCommitments: [CommitmentRow]
        var showContent: Bool
        var mayRun: Bool
        var mayPlan: Bool
        var statusButtons: [StatusButton]
        var attendance: AttendanceBox
        var attendees: [PersonRow]
        var attendeeSummary: String?
        var minutesHTML: String
        var decisions: [String]
        var commitments: [CommitmentRow]
        var isCancelled: Bool
        var printable: Bool
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
        let access = QuestionnaireAccess(questionnaire: q, collaboration: c, actor: request.actor)
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

    static func agenda(
        _ access: MeetingAccess, showContent: Bool, request: Request
    ) async throws -> (items: [Item], end: String?, loose: [MaterialLink]) {
        let m = access.meeting
        let items = try await AgendaItem.query(on: request.db).filter(\.$meetingID == m.requireID()).sort(\.$position)
            .all()
        let materials =
            showContent
            ? try await Material.query(on: request.db).filter(\.$meetingID == m.requireID()).sort(\.$createdAt).all()
            : []
        let presenterIDs = items.compactMap(\.presenterID)
        let presenters =
            presenterIDs.isEmpty ? [] : try await Person.query(on: request.db).filter(\.$id ~~ presenterIDs).all()
        let names = Dictionary(uniqueKeysWithValues: presenters.map { ($0.id!, $0.name) })
        let schedule = AgendaSchedule.starts(meetingStart: m.startsAt, durations: items.map(\.durationMinutes))
        func link(_ material: Material) -> MaterialLink {
            MaterialLink(
                href: "/materials/\(material.id!.uuidString.lowercased())", title: material.title,
                detail:
                    "\(MaterialRules.label(material.contentType)), \(NumberText.bytes(material.size, request.language))"
            )
        }
        var results: [UUID: AgendaResults] = [:]
        if showContent {
            for id in Set(items.compactMap(\.questionnaireID)) {
                results[id] = try await Self.results(id, request: request)
            }
        }
        let out = items.enumerated().map { index, item in
            var presenter: String?
            if let id = item.presenterID, let name = names[id] {
                presenter = name
            } else if let name = item.speakerName {
                presenter = item.speakerAffiliation.map { "\(name), \($0)" } ?? name
            }
            return Item(
                id: item.id!.uuidString.lowercased(), number: index + 1,
                time: DateText.time(schedule.starts[index], request.language, zone: m.timeZone),
                title: item.title, duration: request.t("meetings.minutes_count", [String(item.durationMinutes)]),
                descriptionHTML: SafeMarkdown.html(item.description), presenter: presenter, questions: item.questions,
                materials: materials.filter { $0.agendaItemID == item.id }.map(link),
                results: item.questionnaireID.flatMap { results[$0] })
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
        return (out, end, materials.filter { $0.agendaItemID == nil }.map(link))
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
        if let online = m.onlineURL, showContent || access.scope.clusterMembers == nil {
            facts.append(Fact(label: request.t("meetings.online"), value: online, href: online))
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
        let rows = showContent || access.mayRun ? try await AttendanceDesk.list(m.requireID(), on: request.db) : []
        let registered =
            showContent || access.mayRun
            ? rows.filter { $0.attendance.statusValue == .registered }.count
            : try await Attendance.query(on: request.db).filter(\.$meetingID == m.requireID()).filter(
                \.$status == AttendanceStatus.registered.rawValue
            ).count()
        let waiting = rows.filter { $0.attendance.statusValue == .waitlisted }.count
        let attendees = rows.filter { $0.attendance.statusValue.isActive }.map { row in
            PersonRow(
                name: row.person?.name ?? "—", href: row.person.map { "/people/\($0.id!.uuidString)" } ?? "",
                place: row.attendance.municipality.flatMap { request.municipalities[$0]?.name } ?? "",
                status: request.t("attendance_status.\(row.attendance.status)"))
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
            descriptionHTML: SafeMarkdown.html(m.description),
            agenda: agenda.items, agendaEnd: agenda.end, materials: agenda.loose, openCommitments: open,
            showContent: showContent,
            mayRun: access.mayRun, mayPlan: MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID),
            statusButtons: access.mayRun
                ? MeetingPlanning.next(m.statusValue).map {
                    StatusButton(value: $0.rawValue, label: request.t("meeting_action.\($0.rawValue)"))
                } : [],
            attendance: try await Self.attendanceBox(access, registered: registered, request: request),
            attendees: attendees, attendeeSummary: showContent || access.mayRun ? summary : nil,
            minutesHTML: showContent ? SafeMarkdown.html(m.minutes) : "", decisions: showContent ? m.decisions : [],
            commitments: commitments, isCancelled: m.statusValue == .cancelled, printable: printable)
    }

    static func audienceText(_ m: Meeting, _ request: Request) -> String {
        switch m.audienceValue {
        case .open:
            return request.t(
                "meeting_audience.open_positions",
                [m.audiencePositions.map { request.t("position.\($0)") }.joined(separator: ", ")])
        default: return request.t("meeting_audience.\(m.audience)")
        }
    }

    static func attendanceBox(_ access: MeetingAccess, registered: Int, request: Request) async throws -> AttendanceBox
    {
        let m = access.meeting
        var box = AttendanceBox(message: nil, canRegister: false, canCancel: false, seatsLeft: nil)
        if !request.actor.isSignedIn, let personID = access.actingPerson,
            let person = try await Person.find(personID, on: request.db)
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
        guard m.statusValue == .published, Date() < m.startsAt else { return box }
        if let deadline = m.registrationDeadline, Date() > deadline {
            box.message = request.t("attendance.error.after_deadline")
            return box
        }
        guard let personID = access.actingPerson, let person = try await Person.find(personID, on: request.db) else {
            if request.actor.isSignedIn {
                box.message = request.t("attendance.no_person")
            } else {
                box.signInHref = "/sign-in?next=" + m.href  // letters, digits, hyphens and slashes only
            }
            return box
        }
        if try await AttendanceDesk.audience(access, on: request.db).admits(person) || access.mayRun {
            box.canRegister = true
        } else {
            box.message = request.t("attendance.error.not_invited")
        }
        return box
    }

    // MARK: Calendars

    func download(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        let organiser = try await MeetingNotices.organiserName(access, on: request.db)
        let calendar = MeetingCalendar.single(
            access.meeting, organiser: organiser, context: MailContext(request), language: request.language)
        return MeetingCalendar.response(
            calendar,
            filename: "\(Slug.make(access.meeting.title).isEmpty ? "meeting" : Slug.make(access.meeting.title)).ics")
    }

    /// The public meetings of a published collaboration (not its clusters').
    func collaborationFeed(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        guard c.statusValue.isPublished else { throw SamradError.notFound("error.collaboration_not_found") }
        let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).filter(
            \.$clusterID == nil
        )
        .filter(\.$status ~~ [MeetingStatus.published, .held, .cancelled].map(\.rawValue)).sort(\.$startsAt).all()
        return MeetingCalendar.response(
            MeetingCalendar.feed(meetings, name: c.title, context: MailContext(request), language: request.language),
            filename: "\(c.slug).ics")
    }

    /// A secret feed: a person's meetings or a cluster's.
    func feed(_ request: Request) async throws -> Response {
        var token = request.parameters.get("token") ?? ""
        if token.hasSuffix(".ics") { token.removeLast(4) }
        guard let feed = try await MeetingCalendar.feed(secret: token, on: request.db) else {
            throw SamradError.notFound()
        }
        let context = MailContext(request)
        let since = Date().addingTimeInterval(-365 * 86_400)
        if let clusterID = feed.clusterID, let cluster = try await Cluster.find(clusterID, on: request.db) {
            let meetings = try await Meeting.query(on: request.db).filter(\.$clusterID == clusterID)
                .filter(\.$status ~~ [MeetingStatus.published, .held, .cancelled].map(\.rawValue)).filter(
                    \.$endsAt >= since
                ).sort(\.$startsAt).all()
            return MeetingCalendar.response(
                MeetingCalendar.feed(meetings, name: cluster.name, context: context, language: request.language),
                filename: "cluster.ics")
        }
        guard let personID = feed.personID, let person = try await Person.find(personID, on: request.db) else {
            throw SamradError.notFound()
        }
        let municipalities = try await RoleAssignment.municipalities(ofPerson: personID, on: request.db)
        let entries = try await MyMeetings.of(person, municipalities: municipalities, since: since, on: request.db)
        return MeetingCalendar.response(
            MeetingCalendar.feed(
                entries.map(\.meeting), name: "Samrad – \(person.name)", context: context, language: request.language),
            filename: "samrad.ics")
    }

    // MARK: My meetings

    struct MineContext: Encodable {
        var page: PageContext
        var sections: [Section]
        var feedHref: String?
        var feedMade: String?
        var hasPerson: Bool
    }

    func mine(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        var rows: [(meeting: Meeting, row: Row)] = []
        var feedHref: String?
        var feedMade: String?
        if let personID = request.actor.personID, let person = try await Person.find(personID, on: request.db) {
            for entry in try await MyMeetings.of(
                person, municipalities: request.actor.municipalities, since: Date().addingTimeInterval(-365 * 86_400),
                on: request.db)
            {
                let attending = entry.attendance.flatMap {
                    $0.statusValue.isActive ? request.t("attendance_status.\($0.status)") : nil
                }
                rows.append(
                    (entry.meeting, Self.row(entry.meeting, cluster: nil, attending: attending, request: request)))
            }
            feedHref = Self.shownOnce(request)
            feedMade = try await MeetingCalendar.personFeedMadeAt(personID, on: request.db)
                .map { request.t("meetings.feed_made", [Self.madeOn($0, request)]) }
        }
        return try await request.view.render(
            "meetings/mine",
            MineContext(
                page: PageContext(request, titleKey: "meetings.mine_title"),
                sections: Section.split(rows, request: request),
                feedHref: feedHref, feedMade: feedMade, hasPerson: request.actor.personID != nil))
    }

    /// Makes (or replaces, when the old address leaked) the person's secret feed address.
    func newPersonFeed(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        guard let personID = request.actor.personID else { throw SamradError(.conflict, "attendance.no_person") }
        let href = try await MeetingCalendar.renewPersonFeed(personID, on: request.db)
        request.session.data[MeetingCalendar.shownOnceKey] = href
        return request.redirect(to: "/me/meetings", notice: "meetings.feed_created")
    }
}
