import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAgenda: the editor page.
extension MeetingAgenda {
    struct ItemRow: Encodable {
        var id: String
        var number: Int
        var time: String
        var values: [String: String]
        var presenters: [Option]
        var questionnaires: [Option]
        var materials: [MeetingPages.MaterialLink]
        var isFirst: Bool
        var isLast: Bool
        /// What the folded item shows: duration and who presents.
        var summary: String
        var open: Bool
        var errors: [String: String]
    }
    struct MaterialRow: Encodable {
        var id: String; var href: String; var title: String; var detail: String; var item: String
    }

    struct EditorContext: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var when: String
        var items: [ItemRow]
        var form: FormState
        var presenters: [Option]
        var questionnaires: [Option]
        var materials: [MaterialRow]
        var uploadForm: FormState
        var itemOptions: [Option]
        var accept: String
        var maxSize: String
        var agendaEnd: String?
        /// Themes of the programme's other tracks, by track; empty when there are none to offer.
        var themes: [OptionGroup]
    }

    /// The item being edited again after a refused save: it opens with its values and errors.
    struct OpenItem { var id: UUID; var form: FormState }

    func context(
        _ request: Request, _ access: MeetingAccess, form: FormState = FormState(values: ["durationMinutes": "30"]),
        uploadForm: FormState = FormState(), openItem: OpenItem? = nil
    ) async throws -> EditorContext {
        let m = access.meeting
        let items = try await AgendaItem.query(on: request.db).filter(\.$meetingID == m.requireID()).sort(\.$position)
            .all()
        let people = try await Self.presenters(access, on: request.db)
        let materials = try await Material.query(on: request.db).filter(\.$meetingID == m.requireID()).sort(
            \.$createdAt
        ).all()
        let schedule = AgendaSchedule.starts(meetingStart: m.startsAt, durations: items.map(\.durationMinutes))
        func options(_ selected: UUID?) -> [Option] {
            [.init(value: "", label: request.t("meetings.no_presenter"), selected: selected == nil)]
                + people.map { .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id == selected) }
        }
        let questionnaires = try await Questionnaire.query(on: request.db).filter(
            \.$collaborationID == m.collaborationID
        ).sort(\.$closesAt, .descending).all()
        let themes = try await AgendaThemes.sources(access, request: request)
        let otherResults = themes.filter { $0.kind == .results }
        func surveys(_ selected: UUID?) -> [Option] {
            [.init(value: "", label: request.t("meetings.no_questionnaire"), selected: selected == nil)]
                + questionnaires.map { .init(value: $0.id!.uuidString, label: $0.title, selected: $0.id == selected) }
                + otherResults.map {
                    .init(
                        value: $0.id.uuidString, label: "\($0.label) (\($0.track.title))", selected: $0.id == selected)
                }
        }
        let names = Dictionary(people.map { ($0.id!, $0.name) }, uniquingKeysWith: { first, _ in first })
        let opened = openItem?.id ?? request.query[UUID.self, at: "item"]
        let rows = items.enumerated().map { index, item in
            let again = openItem?.id == item.id ? openItem?.form : nil
            let stored = [
                "title": item.title, "description": item.description, "durationMinutes": String(item.durationMinutes),
                "speakerName": item.speakerName ?? "", "speakerAffiliation": item.speakerAffiliation ?? "",
                "questions": item.questions.joined(separator: "\n"),
            ]
            let who = item.presenterID.flatMap { names[$0] } ?? item.speakerName
            let minutes = request.t("meetings.minutes_count", [String(item.durationMinutes)])
            return ItemRow(
                id: item.id!.uuidString.lowercased(), number: index + 1,
                time: DateText.time(schedule.starts[index], request.language, zone: m.timeZone),
                values: again?.values ?? stored,
                presenters: options(
                    again == nil
                        ? item.presenterID
                        : again?.values["presenterID"].flatMap(UUID.init(uuidString:))),
                questionnaires: surveys(item.questionnaireID),
                materials: materials.filter { $0.agendaItemID == item.id }.map {
                    .init(
                        href: "/materials/\($0.id!.uuidString.lowercased())", title: $0.title,
                        detail: MaterialRules.label($0.contentType))
                },
                isFirst: index == 0, isLast: index == items.count - 1,
                summary: [minutes, who].compactMap { $0 }.joined(separator: " · "),
                open: opened == item.id, errors: again?.errors ?? [:])
        }
        let titles = Dictionary(uniqueKeysWithValues: items.map { ($0.id!, $0.title) })
        let chosen = uploadForm.values["agendaItemID"] ?? ""
        return EditorContext(
            page: PageContext(request, titleKey: "meetings.agenda_title"), title: m.title, href: m.href,
            when: MeetingPages.when(m, request),
            items: rows, form: form, presenters: options(form.values["presenterID"].flatMap(UUID.init(uuidString:))),
            questionnaires: surveys(form.values["questionnaireID"].flatMap(UUID.init(uuidString:))),
            materials: materials.map {
                MaterialRow(
                    id: $0.id!.uuidString.lowercased(), href: "/materials/\($0.id!.uuidString.lowercased())",
                    title: $0.title,
                    detail: "\(MaterialRules.label($0.contentType)), \(NumberText.bytes($0.size, request.language))",
                    item: $0.agendaItemID.flatMap { titles[$0] } ?? request.t("meetings.whole_meeting"))
            },
            uploadForm: uploadForm,
            itemOptions: [.init(value: "", label: request.t("meetings.whole_meeting"), selected: chosen.isEmpty)]
                + items.map { .init(value: $0.id!.uuidString, label: $0.title, selected: chosen == $0.id!.uuidString) },
            accept: MaterialRules.accepted, maxSize: String(MaterialRules.maxBytes / 1_000_000),
            agendaEnd: items.isEmpty
                ? nil
                : request.t(
                    "meetings.agenda_end",
                    [
                        DateText.time(schedule.end, request.language, zone: m.timeZone),
                        DateText.time(m.endsAt, request.language, zone: m.timeZone),
                    ]),
            themes: AgendaThemes.groups(themes))
    }

    func editor(_ request: Request) async throws -> View {
        let access = try await MeetingAccess.agenda(request)
        return try await request.view.render("meetings/agenda", context(request, access))
    }

    static let itemFields = [
        "title", "description", "durationMinutes", "presenterID", "speakerName", "speakerAffiliation", "questions",
        "questionnaireID",
    ]

    static func itemInput(_ values: [String: String]) throws -> ItemInput {
        var v = Validation()
        let minutes = v.wholeNumber("durationMinutes", values["durationMinutes"], in: 1...600)
        try v.check()
        return ItemInput(
            id: nil, title: values["title"], description: values["description"], durationMinutes: minutes,
            presenterID: values["presenterID"].flatMap(UUID.init(uuidString:)), speakerName: values["speakerName"],
            speakerAffiliation: values["speakerAffiliation"],
            questions: (values["questions"] ?? "").components(separatedBy: .newlines),
            questionnaireID: values["questionnaireID"].flatMap(UUID.init(uuidString:)))
    }

    func addItem(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let values = try request.content.decode([String: String].self).filter { Self.itemFields.contains($0.key) }
        do {
            _ = try await Self.add(try Self.itemInput(values), access: access, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/agenda",
                context(request, access, form: FormState(values: values, error: error, request: request)))
        }
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.agenda_saved")
    }

    func updateItem(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let item = try await Self.item(request, access)
        let values = try request.content.decode([String: String].self).filter { Self.itemFields.contains($0.key) }
        do {
            try await Self.apply(try Self.itemInput(values), to: item, access: access, request: request)
            try await request.db.transaction { db in
                try await item.save(on: db)
                try await Audit.record(
                    "agenda:update", subject: "meeting", id: access.meeting.requireID().uuidString,
                    summary: "\(access.meeting.title): \(item.title)", by: request, on: db)
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            // The item opens again with what was typed and its errors beside the fields.
            let again = OpenItem(
                id: try item.requireID(), form: FormState(values: values, error: error, request: request))
            return try await request.renderForm("meetings/agenda", context(request, access, openItem: again))
        }
        request.setNotice("meetings.agenda_saved")
        return request.redirect(
            to: access.meeting.href
                + "/agenda?item=\(item.id!.uuidString.lowercased())#item-\(item.id!.uuidString.lowercased())")
    }

    struct MoveForm: Content { var direction: String? }

    func moveItem(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let item = try await Self.item(request, access)
        let up = try request.content.decode(MoveForm.self).direction == "up"
        var items = try await AgendaItem.query(on: request.db).filter(\.$meetingID == access.meeting.requireID()).sort(
            \.$position
        ).all()
        guard let index = items.firstIndex(where: { $0.id == item.id }) else { throw SamradError.notFound() }
        let other = up ? index - 1 : index + 1
        if items.indices.contains(other) {
            items.swapAt(index, other)
            let ordered = items
            try await request.db.transaction { db in
                for (position, row) in ordered.enumerated() where row.position != position {
                    row.position = position
                    try await row.save(on: db)
                }
            }
        }
        let id = item.id!.uuidString.lowercased()
        return request.redirect(to: access.meeting.href + "/agenda?item=\(id)#item-\(id)")
    }

    func deleteItem(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let item = try await Self.item(request, access)
        try await request.db.transaction { db in
            try await item.delete(on: db)
            try await Audit.record(
                "agenda:delete", subject: "meeting", id: access.meeting.requireID().uuidString,
                summary: "\(access.meeting.title): \(item.title)", by: request, on: db)
        }
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.agenda_saved")
    }
}
