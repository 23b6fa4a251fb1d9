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
        m.post("agenda", "themes") { try await AgendaThemes.put($0) }
        m.post("agenda", ":item", use: updateItem)
        m.post("agenda", ":item", "move", use: moveItem)
        m.post("agenda", ":item", "delete", use: deleteItem)
        m.upload(
            "materials", maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await MeetingAccess.agenda($0) }, use: upload)
        routes.get("materials", ":material", use: download)
        routes.post("materials", ":material", "delete", use: deleteMaterial)
    }


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
        ids.formUnion(try await AttendanceDesk.invitedPeople(access, on: db))
        let organiser = access.scope.organiserID
        return try await Person.current(on: db).group(.or) { either in
            either.filter(\.$id ~~ Array(ids))
            either.filter(\.$organisationID == organiser)
        }.sort(\.$name).all()
    }

    static func apply(_ input: ItemInput, to item: AgendaItem, access: MeetingAccess, request: Request) async throws {
        let db = request.db
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
        // The meeting's own questionnaires, one of another track of its programme (a theme that flows
        // between tracks), or the one the item already discusses.
        if let id = input.questionnaireID, id != item.questionnaireID,
            try await Questionnaire.find(id, on: db)?.collaborationID != access.meeting.collaborationID,
            try await !AgendaThemes.offersResults(id, access, request: request)
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
        try await apply(input, to: item, access: access, request: request)
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
            do { try await apply(entry, to: item, access: access, request: request) } catch let error as SamradError {
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
}
