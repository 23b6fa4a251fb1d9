import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: one meeting: the form.
extension MeetingPages {
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
        var modes: [Option]
        /// "Every country", then each country (all of it, then its regions), for an open audience.
        var areas: [OptionGroup]
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
            },
            modes: MeetingMode.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_mode.\($0.rawValue)"),
                    selected: (v["mode"] ?? MeetingMode.inPerson.rawValue) == $0.rawValue)
            },
            areas: Self.areas(selected: v["audienceArea"] ?? "", request))
    }

    static func areas(selected: String, _ request: Request) -> [OptionGroup] {
        let anywhere = OptionGroup(
            label: "",
            options: [Option(value: "", label: request.t("meetings.audience_anywhere"), selected: selected.isEmpty)])
        return [anywhere]
            + Country.allCases.map { country in
                let name = request.t("country.\(country.rawValue)")
                let whole = Option(
                    value: country.rawValue, label: request.t("meetings.audience_whole_country", [name]),
                    selected: selected == country.rawValue)
                let regions = request.municipalities.regions(of: country).map {
                    let value = AudienceArea.region(country, $0.code).text
                    return Option(value: value, label: $0.name, selected: selected == value)
                }
                return OptionGroup(label: name, options: [whole] + regions)
            }
    }

    static let formFields = [
        "title", "description", "kind", "clusterID", "startsAt", "endsAt", "timeZone", "venueName", "venueAddress",
        "onlineURL", "mode", "dialIn",
        "host", "capacity", "quota", "audience", "audienceArea", "registrationDeadline", "reminderHours",
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
            onlineURL: values["onlineURL"], mode: values["mode"], dialIn: values["dialIn"], host: values["host"],
            capacity: number("capacity"), quota: number("quota"),
            audience: values["audience"], audiencePositions: positions, audienceArea: values["audienceArea"],
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
            "venueAddress": input.venueAddress ?? "", "onlineURL": input.onlineURL ?? "", "mode": input.mode ?? "",
            "dialIn": input.dialIn ?? "", "host": input.host ?? "",
            "capacity": input.capacity.map(String.init) ?? "", "quota": input.quota.map(String.init) ?? "",
            "audience": input.audience ?? "",
            "audiencePositions": (input.audiencePositions ?? []).joined(separator: ","),
            "audienceArea": input.audienceArea ?? "",
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
}
