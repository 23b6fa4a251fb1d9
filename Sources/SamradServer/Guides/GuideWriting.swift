import Fluent
import Foundation
import SamradCore
import Vapor

/// GuidePages: writing.
extension GuidePages {
    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var cancel: String; var owners: [Option];
        var collaborations: [Option]
        var languages: [Option]; var audiences: [Option]; var slots: [SlotView]; var isNew: Bool
        /// Organisations that may publish the guide with its owner, ticked when they do.
        var coPublishers: [CoPublisherOption]
    }
    struct CoPublisherOption: Encodable { var name: String; var id: String; var label: String; var checked: Bool }

    /// Who the guide is by: its owner (an organisation or a municipality), the collaboration it is
    /// for, and the organisations that publish it together with the owner.
    struct Ownership {
        var organisationID: UUID?
        var municipality: MunicipalityKey?
        var collaborationID: UUID?
        var coPublisherIDs: [UUID]
    }

    /// One section's fields as the form shows them (Leaf cannot look up "s\(n)_title" itself).
    struct FieldView: Encodable { var name: String; var value: String; var error: String? }
    struct SlotView: Encodable {
        var n: Int; var position: FieldView; var title: FieldView; var purpose: FieldView; var content: FieldView;
        var slides: FieldView; var questions: FieldView
    }

    /// Owners the actor may write for: organisations they organise (all for administrators), and
    /// municipalities they coordinate.
    static func owners(_ request: Request) async throws -> [Option] {
        let organisationIDs = request.actor.grants.compactMap { $0.kind == .organiser ? $0.organisationID : nil }
        let organisations =
            request.actor.isAdministrator
            ? try await Organisation.query(on: request.db).sort(\.$name).all()
            : try await Organisation.query(on: request.db).filter(\.$id ~~ organisationIDs).sort(\.$name).all()
        let municipalities = request.actor.grants.compactMap { $0.kind == .coordinator ? $0.municipality : nil }
            .sorted()
        return organisations.map {
            Option(value: "organisation:\($0.id!.uuidString.lowercased())", label: $0.name, selected: false)
        }
            + municipalities.map {
                Option(
                    value: "municipality:\($0.description)", label: request.municipalities[$0]?.name ?? $0.description,
                    selected: false)
            }
    }

    func formContext(
        _ request: Request, form: FormState, action: String, cancel: String, isNew: Bool, slots: Int
    ) async throws -> FormContext {
        let values = form.values
        let owners = try await Self.owners(request).map {
            Option(value: $0.value, label: $0.label, selected: values["owner"] == $0.value)
        }
        let reader = try await request.collaborationReader()
        var query = Collaboration.query(on: request.db).sort(\.$title)
        if !request.actor.isAdministrator { query = query.filter(\.$id ~~ reader.editorOf) }
        let collaborations = try await query.all()
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "guides.new" : "guides.edit"), form: form, action: action,
            cancel: cancel, owners: owners,
            collaborations: [
                Option(
                    value: "", label: request.t("guides.no_collaboration"),
                    selected: (values["collaboration"] ?? "").isEmpty)
            ]
                + collaborations.map {
                    Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.title,
                        selected: values["collaboration"] == $0.id!.uuidString.lowercased())
                },
            languages: Language.allCases.map {
                Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
            },
            audiences: GuideAudience.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("guides.audience.\($0.rawValue)"),
                    selected: values["audience"] == $0.rawValue)
            },
            slots: (1...slots).map { n in
                func field(_ name: String) -> FieldView {
                    FieldView(
                        name: "s\(n)_\(name)", value: values["s\(n)_\(name)"] ?? "", error: form.errors["s\(n)_\(name)"]
                    )
                }
                return SlotView(
                    n: n,
                    position: FieldView(
                        name: "s\(n)_position", value: values["s\(n)_position"] ?? String(n), error: nil),
                    title: field("title"),
                    purpose: field("purpose"), content: field("content"), slides: field("slides"),
                    questions: field("questions"))
            }, isNew: isNew,
            coPublishers: organisations.map {
                let id = $0.id!.uuidString.lowercased()
                return CoPublisherOption(
                    name: "copublisher_\(id)", id: "copublisher-\(id)", label: $0.name,
                    checked: values["copublisher_\(id)"] == "on")
            })
    }

    func newForm(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayCreate(request.actor))
        let owners = try await Self.owners(request)
        var values = [
            "language": request.language.rawValue, "audience": GuideAudience.collaboration.rawValue,
            "owner": owners.first?.value ?? "",
        ]
        if let c = request.query[String.self, at: "collaboration"] { values["collaboration"] = c }
        for n in 1...5 { values["s\(n)_position"] = String(n) }
        return try await request.view.render(
            "guides/form",
            formContext(
                request, form: FormState(values: values), action: "/guides", cancel: "/guides", isNew: true, slots: 5))
    }

    static let slotLimit = GuideDraft.maxSections

    /// The posted fields the form knows.
    static func values(_ request: Request) throws -> [String: String] {
        let posted = try request.content.decode([String: String].self)
        return posted.filter { key, _ in
            ["title", "introduction", "language", "audience", "owner", "collaboration"].contains(key)
                || (key.hasPrefix("s") && key.contains("_") && key.count < 20)
                || (key.hasPrefix("copublisher_") && key.count < 60)
        }
    }

    /// Reads the form: the draft with its sections in the order of their numbers, its owner and collaboration.
    static func input(
        _ values: [String: String], request: Request
    ) async throws -> (GuideDraft, Ownership) {
        var v = Validation()
        // Sections are numbered by their position fields; renumbered 1…n in that order.
        let slots = (1...slotLimit).filter { n in values.keys.contains { $0.hasPrefix("s\(n)_") } }
        let ordered = slots.enumerated().sorted { a, b in
            let pa = Int(values["s\(a.element)_position"]?.trimmingCharacters(in: .whitespaces) ?? "") ?? a.element
            let pb = Int(values["s\(b.element)_position"]?.trimmingCharacters(in: .whitespaces) ?? "") ?? b.element
            return (pa, a.offset) < (pb, b.offset)
        }.map(\.element)
        var renumbered = values.filter { !$0.key.hasPrefix("s") || !$0.key.contains("_") }
        var fieldFor: [String: String] = [:]
        for (index, slot) in ordered.enumerated() {
            for name in ["title", "purpose", "content", "slides", "questions"] {
                renumbered["s\(index + 1)_\(name)"] = values["s\(slot)_\(name)"]
                fieldFor["s\(index + 1)_\(name)"] = "s\(slot)_\(name)"
            }
        }
        let draft = GuideDraft.validate(renumbered, sectionSlots: max(1, ordered.count), into: &v)
        var organisationID: UUID?, municipality: MunicipalityKey?
        let owner = values["owner"] ?? ""
        if owner.hasPrefix("organisation:"), let id = UUID(uuidString: String(owner.dropFirst("organisation:".count))),
            request.actor.isAdministrator || request.actor.organises(id),
            try await Organisation.find(id, on: request.db) != nil
        {
            organisationID = id
        } else if owner.hasPrefix("municipality:"),
            let key = MunicipalityKey(path: String(owner.dropFirst("municipality:".count))),
            request.actor.coordinates(key)
        {
            municipality = key
        } else {
            v.add("owner", "validation.choice")
        }
        var collaborationID: UUID?
        if let text = values["collaboration"], !text.isEmpty {
            if let id = UUID(uuidString: text), let c = try await Collaboration.find(id, on: request.db),
                organisationID != nil, c.organiserID == organisationID
            {
                collaborationID = id
            } else {
                v.add("collaboration", "guides.error.collaboration")
            }
        }
        if draft?.audience == .collaboration && collaborationID == nil && (values["collaboration"] ?? "").isEmpty {
            v.add("collaboration", "guides.error.audience")
        }
        // Co-publishers: other organisations that exist, ticked in the form.
        let ticked = values.filter { $0.key.hasPrefix("copublisher_") && $0.value == "on" }
            .map { UUID(uuidString: String($0.key.dropFirst("copublisher_".count))) }
        var coPublisherIDs: [UUID] = []
        if !ticked.isEmpty {
            let known = Set(try await Organisation.query(on: request.db).all(\.$id))
            if ticked.contains(where: { $0 == nil || !known.contains($0!) }) {
                v.add("copublishers", "validation.choice")
            }
            coPublisherIDs = ticked.compactMap { $0 }.filter { $0 != organisationID }
                .sorted { $0.uuidString < $1.uuidString }
        }
        // Messages point at the fields as the writer numbered them.
        let errors = v.errors.map { e in FieldError(field: fieldFor[e.field] ?? e.field, e.messageKey, e.arguments) }
        if !errors.isEmpty { throw SamradError.invalid(errors) }
        return (
            draft!,
            Ownership(
                organisationID: organisationID, municipality: municipality, collaborationID: collaborationID,
                coPublisherIDs: coPublisherIDs)
        )
    }

    static func apply(_ input: (GuideDraft, Ownership), to g: DiscussionGuide) {
        let (draft, owner) = input
        g.title = draft.title
        g.introduction = draft.introduction
        g.language = draft.language.rawValue
        g.audience = draft.audience.rawValue
        g.sections = draft.sections
        g.organisationID = owner.organisationID
        g.municipalityCountry = owner.municipality?.country.rawValue
        g.municipalityCode = owner.municipality?.code
        g.collaborationID = owner.collaborationID
        g.coPublisherIDs = owner.coPublisherIDs
    }

    static func slots(_ values: [String: String]) -> Int {
        let used = (1...slotLimit).filter { n in values.keys.contains { $0.hasPrefix("s\(n)_") } }.max() ?? 0
        return min(slotLimit, max(5, used + 2))
    }

    /// A new guide as an unpublished draft, from the form's or the API's values.
    static func create(_ values: [String: String], request: Request) async throws -> DiscussionGuide {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayCreate(request.actor))
        let input = try await Self.input(values, request: request)
        let g = DiscussionGuide()
        Self.apply(input, to: g)
        g.published = false
        g.createdBy = request.actor.userID
        try await request.db.transaction { db in
            try await g.create(on: db)
            try await Audit.record(
                "guide:create", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request, on: db)
        }
        return g
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayCreate(request.actor))
        let values = try Self.values(request)
        do {
            let g = try await Self.create(values, request: request)
            return request.redirect(to: g.href, notice: "guides.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "guides/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: "/guides",
                    cancel: "/guides", isNew: true, slots: Self.slots(values)))
        }
    }

    static func formValues(_ g: DiscussionGuide) -> [String: String] {
        var values = [
            "title": g.title, "introduction": g.introduction, "language": g.language, "audience": g.audience,
            "owner": g.organisationID.map { "organisation:\($0.uuidString.lowercased())" } ?? g.municipality.map {
                "municipality:\($0.description)"
            } ?? "",
            "collaboration": g.collaborationID?.uuidString.lowercased() ?? "",
        ]
        for id in g.coPublisherIDs ?? [] { values["copublisher_\(id.uuidString.lowercased())"] = "on" }
        for (i, s) in g.sections.enumerated() {
            let n = i + 1
            values["s\(n)_position"] = String(n)
            values["s\(n)_title"] = s.title
            values["s\(n)_purpose"] = s.purpose
            values["s\(n)_content"] = s.content
            values["s\(n)_slides"] = s.slides?.text ?? ""
            values["s\(n)_questions"] = s.questions.joined(separator: "\n")
        }
        for n in (g.sections.count + 1)...(g.sections.count + 2) { values["s\(n)_position"] = String(n) }
        return values
    }

    func editForm(_ request: Request) async throws -> View {
        let (g, _) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        return try await request.view.render(
            "guides/form",
            formContext(
                request, form: FormState(values: Self.formValues(g)), action: g.href, cancel: g.href,
                isNew: false, slots: min(Self.slotLimit, g.sections.count + 2)))
    }

    /// Changes a guide; its writers (`GuidePolicy.mayWrite`).
    static func update(_ g: DiscussionGuide, _ values: [String: String], request: Request) async throws {
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let input = try await Self.input(values, request: request)
        Self.apply(input, to: g)
        try await request.db.transaction { db in
            try await g.save(on: db)
            try await Audit.record(
                "guide:update", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request, on: db)
        }
    }

    func update(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let values = try Self.values(request)
        do {
            try await Self.update(g, values, request: request)
            return request.redirect(to: g.href, notice: "guides.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "guides/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: g.href,
                    cancel: g.href, isNew: false, slots: Self.slots(values)))
        }
    }

    static func publish(_ g: DiscussionGuide, _ published: Bool, request: Request) async throws {
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        g.published = published
        try await request.db.transaction { db in
            try await g.save(on: db)
            try await Audit.record(
                published ? "guide:publish" : "guide:unpublish", subject: "guide", id: g.requireID().uuidString,
                summary: g.title, by: request, on: db)
        }
    }

    func publish(_ request: Request, _ published: Bool) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try await Self.publish(g, published, request: request)
        return request.redirect(to: g.href, notice: published ? "guides.published" : "guides.unpublished")
    }

    /// A guide municipalities have used keeps their sessions: it is unpublished instead.
    static func delete(_ g: DiscussionGuide, request: Request) async throws {
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        if try await LocalDialogue.query(on: request.db).filter(\.$guideID == g.requireID()).count() > 0 {
            throw SamradError(.conflict, "guides.error.in_use")
        }
        try await request.db.transaction { db in
            try await g.delete(on: db)
            try await Audit.record(
                "guide:delete", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request, on: db)
        }
    }

    func delete(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try await Self.delete(g, request: request)
        return request.redirect(to: "/guides", notice: "guides.deleted")
    }
}
