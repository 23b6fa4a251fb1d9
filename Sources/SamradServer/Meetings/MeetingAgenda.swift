import Fluent
import Foundation
import SamradCore
import Vapor

/// The agenda of a meeting: ordered items with duration, presenter or guest speaker, discussion
/// questions and materials. Those who run the meeting build it; materials are served only to
/// participants, with their own content type.
struct MeetingAgenda: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let m = routes.grouped("meetings", ":meeting")
        m.get("agenda", use: editor)
        m.post("agenda", use: addItem)
        m.post("agenda", ":item", use: updateItem)
        m.post("agenda", ":item", "move", use: moveItem)
        m.post("agenda", ":item", "delete", use: deleteItem)
        m.upload(
            "materials", maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await MeetingAccess.run($0) }, use: upload)
        routes.get("materials", ":material", use: download)
        routes.post("materials", ":material", "delete", use: deleteMaterial)
    }

    // MARK: Items

    struct ItemInput: Content {
        /// In the API's whole agenda: the item it replaces (none: a new item).
        var id: UUID?
        var title: String?
        var description: String?
        var durationMinutes: Int?
        var presenterID: UUID?
        var speakerName: String?
        var speakerAffiliation: String?
        var questions: [String]?
        /// A questionnaire of the meeting's collaboration whose results the item discusses.
        var questionnaireID: UUID?
    }

    /// People who may present: those attached to the collaboration, the facilitator, the people
    /// of the municipalities the meeting is for (as the organiser's form offers them) and the
    /// organiser's own staff, who often present themselves.
    static func presenters(_ access: MeetingAccess, on db: any Database) async throws -> [Person] {
        var ids = access.scope.attached
        if let facilitator = access.scope.facilitatorID { ids.insert(facilitator) }
        ids.formUnion(try await AttendanceDesk.audience(access, on: db).invited)
        let organiser = access.scope.organiserID
        return try await Person.query(on: db).group(.or) { either in
            either.filter(\.$id ~~ Array(ids))
            either.filter(\.$organisationID == organiser)
        }.sort(\.$name).all()
    }

    static func apply(_ input: ItemInput, to item: AgendaItem, access: MeetingAccess, on db: any Database) async throws
    {
        var v = Validation()
        let title = v.required("title", input.title, maxLength: 200)
        let description = v.optional("description", input.description, maxLength: 20_000) ?? ""
        let minutes = input.durationMinutes ?? 0
        if !(1...600).contains(minutes) { v.add("durationMinutes", "validation.range", ["1", "600"]) }
        if let id = input.presenterID, try await !presenters(access, on: db).contains(where: { $0.id == id }) {
            v.add("presenterID", "meetings.error.presenter")
        }
        let speaker = v.optional("speakerName", input.speakerName, maxLength: 200)
        let affiliation = v.optional("speakerAffiliation", input.speakerAffiliation, maxLength: 200)
        if input.presenterID != nil && speaker != nil { v.add("speakerName", "meetings.error.presenter_twice") }
        let questions = (input.questions ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter {
            !$0.isEmpty
        }
        if questions.count > 20 || questions.contains(where: { $0.count > 500 }) {
            v.add("questions", "meetings.error.questions")
        }
        if let id = input.questionnaireID,
            try await Questionnaire.find(id, on: db)?.collaborationID != access.meeting.collaborationID
        {
            v.add("questionnaireID", "meetings.error.questionnaire")
        }
        try v.check()
        item.meetingID = try access.meeting.requireID()
        item.title = title
        item.description = description
        item.durationMinutes = minutes
        item.presenterID = input.presenterID
        item.speakerName = speaker
        item.speakerAffiliation = speaker == nil ? nil : affiliation
        item.questions = questions
        item.questionnaireID = input.questionnaireID
    }

    static func add(_ input: ItemInput, access: MeetingAccess, request: Request) async throws -> AgendaItem {
        let item = AgendaItem()
        try await apply(input, to: item, access: access, on: request.db)
        try await request.db.transaction { db in
            let last = try await AgendaItem.query(on: db).filter(\.$meetingID == access.meeting.requireID()).max(
                \.$position)
            item.position = (last ?? -1) + 1
            try await item.create(on: db)
            try await Audit.record(
                "agenda:create", subject: "meeting", id: access.meeting.requireID().uuidString,
                summary: "\(access.meeting.title): \(item.title)", by: request, on: db)
        }
        return item
    }

    static func item(_ request: Request, _ access: MeetingAccess) async throws -> AgendaItem {
        guard let id = request.parameterID("item"),
            let item = try await AgendaItem.find(id, on: request.db), item.meetingID == access.meeting.id
        else {
            throw SamradError.notFound()
        }
        return item
    }

    /// Replaces the whole agenda in its new order (the API's PUT): items are matched by id, new
    /// ones created, missing ones removed with their materials kept on the meeting.
    static func replace(_ inputs: [ItemInput], access: MeetingAccess, request: Request) async throws {
        let meetingID = try access.meeting.requireID()
        let existing = try await AgendaItem.query(on: request.db).filter(\.$meetingID == meetingID).all()
        var v = Validation()
        var items: [AgendaItem] = []
        for (index, entry) in inputs.enumerated() {
            let item: AgendaItem
            if let id = entry.id {
                guard let found = existing.first(where: { $0.id == id }) else {
                    v.add("items[\(index)].id", "meetings.error.item_unknown"); continue
                }
                item = found
            } else {
                item = AgendaItem()
            }
            do { try await apply(entry, to: item, access: access, on: request.db) } catch let error as SamradError {
                for f in error.fieldErrors { v.add("items[\(index)].\(f.field)", f.messageKey, f.arguments) }
            }
            item.position = index
            items.append(item)
        }
        if items.count > 100 { v.add("items", "validation.range", ["0", "100"]) }
        try v.check()
        let keep = Set(items.compactMap(\.id)), ordered = items
        try await request.db.transaction { db in
            for item in existing where !keep.contains(item.id!) { try await item.delete(on: db) }
            for item in ordered { try await item.save(on: db) }
        }
    }

    // MARK: The editor page

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
        func surveys(_ selected: UUID?) -> [Option] {
            [.init(value: "", label: request.t("meetings.no_questionnaire"), selected: selected == nil)]
                + questionnaires.map { .init(value: $0.id!.uuidString, label: $0.title, selected: $0.id == selected) }
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
                    ]))
    }

    func editor(_ request: Request) async throws -> View {
        let access = try await MeetingAccess.run(request)
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
        let access = try await MeetingAccess.run(request)
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
        let access = try await MeetingAccess.run(request)
        let item = try await Self.item(request, access)
        let values = try request.content.decode([String: String].self).filter { Self.itemFields.contains($0.key) }
        do {
            try await Self.apply(try Self.itemInput(values), to: item, access: access, on: request.db)
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
        let access = try await MeetingAccess.run(request)
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
        let access = try await MeetingAccess.run(request)
        let item = try await Self.item(request, access)
        try await request.db.transaction { db in
            try await item.delete(on: db)
            try await Audit.record(
                "agenda:delete", subject: "meeting", id: access.meeting.requireID().uuidString,
                summary: "\(access.meeting.title): \(item.title)", by: request, on: db)
        }
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.agenda_saved")
    }

    // MARK: Materials

    struct Upload: Content {
        var title: String?
        var agendaItemID: String?
        var file: File?
    }

    static func store(_ upload: Upload, access: MeetingAccess, request: Request) async throws -> Material {
        var v = Validation()
        let file = try StoredFile(upload.file)
        let title = v.optional("title", upload.title, maxLength: 200) ?? file.filename
        var itemID: UUID?
        if let text = upload.agendaItemID, !text.isEmpty {
            if let id = UUID(uuidString: text), let item = try await AgendaItem.find(id, on: request.db),
                item.meetingID == access.meeting.id
            {
                itemID = id
            } else {
                v.add("agendaItemID", "meetings.error.item_unknown")
            }
        }
        try v.check()
        let material = Material()
        material.meetingID = try access.meeting.requireID()
        material.agendaItemID = itemID
        material.title = title
        material.filename = file.filename
        material.contentType = file.contentType
        material.size = file.bytes.count
        material.uploadedBy = request.actor.userID
        let summary = "\(access.meeting.title): \(title)"
        try await file.save(
            as: MaterialContent.self, on: request.db,
            describe: { db in
                try await material.create(on: db)
                return try material.requireID()
            },
            audit: { db in
                try await Audit.record(
                    "material:upload", subject: "material", id: material.requireID().uuidString, summary: summary,
                    by: request, on: db)
            })
        return material
    }

    func upload(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let upload = try request.content.decode(Upload.self)
        do {
            _ = try await Self.store(upload, access: access, request: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            let values = ["title": upload.title ?? "", "agendaItemID": upload.agendaItemID ?? ""]
            return try await request.renderForm(
                "meetings/agenda",
                context(request, access, uploadForm: FormState(values: values, error: error, request: request)),
                refusing: error)
        }
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.material_saved")
    }

    /// The material and its meeting, if the actor may see the meeting's content (others get 404).
    static func material(_ request: Request) async throws -> (Material, MeetingAccess) {
        guard let id = request.parameterID("material"),
            let material = try await Material.find(id, on: request.db),
            let meeting = try await Meeting.find(material.meetingID, on: request.db)
        else { throw SamradError.notFound() }
        let access = try await MeetingAccess.of(meeting, request: request)
        guard access.mayViewContent else {
            if MeetingPolicy.mayView(request.actor, access.scope, attending: access.attending) {
                throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            throw SamradError.notFound()
        }
        return (material, access)
    }

    func download(_ request: Request) async throws -> Response {
        let (material, _) = try await Self.material(request)
        guard let content = try await MaterialContent.find(material.id, on: request.db) else {
            throw SamradError.notFound()
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: material.contentType)
        let inline = MaterialRules.isInline(material.contentType)
        response.headers.contentDisposition = .init(inline ? .inline : .attachment, filename: material.filename)
        // Participants' files: never in shared caches.
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// Deletes a material (its bytes go with it), for those who run the meeting.
    static func remove(_ material: Material, access: MeetingAccess, request: Request) async throws {
        try request.require(access.mayRun)
        try await material.delete(on: request.db)
    }

    func deleteMaterial(_ request: Request) async throws -> Response {
        let (material, access) = try await Self.material(request)
        try await Self.remove(material, access: access, request: request)
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.material_deleted")
    }
}
