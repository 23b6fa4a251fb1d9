import Fluent
import Foundation
import SamradCore
import Vapor

/// Discussion guides: written by an organisation or a municipality, published to a collaboration
/// or to all; each shown section by section with its purpose, slides and reflection questions. The
/// results page shows what municipalities agreed, side by side, and puts them on a meeting's agenda.
struct GuidePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let guides = routes.grouped("guides")
        guides.get(use: index)
        guides.get("new", use: newForm)
        guides.post(use: create)
        guides.get(":guide", use: show)
        guides.get(":guide", "edit", use: editForm)
        guides.post(":guide", use: update)
        guides.post(":guide", "publish") { try await self.publish($0, true) }
        guides.post(":guide", "unpublish") { try await self.publish($0, false) }
        guides.post(":guide", "delete", use: delete)
        guides.upload(
            ":guide", "presentation", maxBytes: MaterialRules.maxBytes + 1_000_000,
            tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)],
            gate: { request in
                let (g, _) = try await Self.load(request)
                try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
            }, use: attach)
        guides.get(":guide", "presentation", use: presentation)
        guides.get(":guide", "results", use: results)
        guides.post(":guide", "results", "agenda", use: putOnAgenda)
    }

    /// The guide of the path, if the actor may see it (others get 404, as for drafts).
    static func load(_ request: Request) async throws -> (DiscussionGuide, CollaborationReader) {
        let guide = try await DiscussionGuide.find(from: request, "guide", notFound: "guides.error.not_found")
        let reader = try await request.collaborationReader()
        guard GuidePolicy.mayView(reader, guide.standing) else { throw SamradError.notFound("guides.error.not_found") }
        return (guide, reader)
    }

    static func owner(_ g: DiscussionGuide, request: Request) async throws -> String {
        if let id = g.organisationID { return try await Organisation.find(id, on: request.db)?.name ?? "" }
        if let key = g.municipality { return request.municipalities[key]?.name ?? key.description }
        return ""
    }

    // MARK: The list

    struct Row: Encodable {
        var href: String; var title: String; var owner: String; var detail: String; var draft: Bool
    }
    struct IndexContext: Encodable { var page: PageContext; var rows: [Row]; var mayCreate: Bool }

    func index(_ request: Request) async throws -> View {
        let reader = try await request.collaborationReader()
        let guides = try await DiscussionGuide.query(on: request.db).sort(\.$updatedAt, .descending).all().filter {
            GuidePolicy.mayView(reader, $0.standing)
        }
        let organisations = Dictionary(
            uniqueKeysWithValues: try await Organisation.query(on: request.db).filter(
                \.$id ~~ guides.compactMap(\.organisationID)
            ).all().map { ($0.id!, $0.name) })
        let rows = guides.map { g in
            Row(
                href: g.href, title: g.title,
                owner: g.organisationID.flatMap { organisations[$0] } ?? g.municipality.flatMap {
                    request.municipalities[$0]?.name
                } ?? "",
                detail: request.t("guides.sections_count", [String(g.sections.count)]) + " · "
                    + g.languageValue.endonym, draft: !g.published)
        }
        return try await request.view.render(
            "guides/index",
            IndexContext(
                page: PageContext(request, titleKey: "guides.title"), rows: rows,
                mayCreate: GuidePolicy.mayCreate(request.actor)))
    }

    // MARK: One guide

    struct SectionView: Encodable {
        var number: Int; var title: String; var purpose: String; var contentHTML: String; var slides: String?;
        var slidesHref: String?; var questions: [String]
    }
    struct SessionRow: Encodable { var href: String; var label: String; var detail: String }
    struct ShowContext: Encodable {
        var page: PageContext; var title: String; var owner: String; var introductionHTML: String; var language: String;
        var sections: [SectionView]
        var collaboration: Link?; var published: Bool; var mayWrite: Bool; var editHref: String; var action: String
        var presentation: Link?; var presentationDetail: String; var uploadForm: FormState; var accept: String;
        var maxSize: String
        var sessions: [SessionRow]; var startOptions: [Option]; var startAction: String; var resultsHref: String?
    }

    static func sectionViews(_ g: DiscussionGuide) -> [SectionView] {
        let isPDF = g.presentationType == "application/pdf"
        return g.sections.enumerated().map { i, s in
            SectionView(
                number: i + 1, title: s.title, purpose: s.purpose, contentHTML: SafeMarkdown.html(s.content),
                slides: s.slides?.text,
                // A PDF opens at the section's first slide.
                slidesHref: g.presentationName == nil
                    ? nil : "\(g.href)/presentation" + (isPDF ? "#page=\(s.slides?.first ?? 1)" : ""),
                questions: s.questions)
        }
    }

    func showContext(
        _ request: Request, _ g: DiscussionGuide, _ reader: CollaborationReader, uploadForm: FormState = FormState()
    ) async throws -> ShowContext {
        let mayWrite = GuidePolicy.mayWrite(request.actor, g.standing)
        let collaboration =
            try await g.collaborationID.asyncMap { try await Collaboration.find($0, on: request.db) } ?? nil
        // Sessions the actor may see: their municipality's and those they keep.
        var keep = Set(request.actor.grants.compactMap { $0.kind == .coordinator ? $0.municipality : nil })
        var sessions: [LocalDialogue] = []
        if request.actor.isSignedIn {
            let visible = keep.union(request.actor.municipalities)
            sessions = try await LocalDialogue.query(on: request.db).filter(\.$guideID == g.requireID()).sort(
                \.$heldOn, .descending
            ).all()
                .filter { request.actor.isAdministrator || visible.contains($0.municipality) }
        }
        if request.actor.isAdministrator { keep.formUnion(request.actor.municipalities) }
        let startOptions = keep.sorted().map {
            Option(value: $0.description, label: request.municipalities[$0]?.name ?? $0.description, selected: false)
        }
        let showResults = g.collaborationID != nil && GuidePolicy.mayViewResults(reader, g.standing)
        return ShowContext(
            page: PageContext(request, titleKey: "", title: g.title), title: g.title,
            owner: try await Self.owner(g, request: request),
            introductionHTML: SafeMarkdown.html(g.introduction), language: g.language, sections: Self.sectionViews(g),
            collaboration: collaboration.map { Link(href: "/collaborations/\($0.slug)", label: $0.title) },
            published: g.published, mayWrite: mayWrite,
            editHref: "\(g.href)/edit", action: g.href,
            presentation: g.presentationName.map { Link(href: "\(g.href)/presentation", label: $0) },
            presentationDetail: g.presentationType.map {
                "\(MaterialRules.label($0)), \(NumberText.bytes(g.presentationSize ?? 0, request.language))"
            } ?? "",
            uploadForm: uploadForm, accept: MaterialRules.accepted, maxSize: String(MaterialRules.maxBytes / 1_000_000),
            sessions: sessions.map { s in
                SessionRow(
                    href: s.href,
                    label: "\(request.municipalities[s.municipality]?.name ?? s.municipalityCode): \(s.committee)",
                    detail: (DateText.day(s.heldOn, request.language) ?? s.heldOn)
                        + (s.sharedAt != nil ? " · " + request.t("dialogues.shared") : ""))
            },
            startOptions: g.published ? startOptions : [], startAction: "\(g.href)/sessions",
            resultsHref: showResults ? "\(g.href)/results" : nil)
    }

    func show(_ request: Request) async throws -> View {
        let (guide, reader) = try await Self.load(request)
        return try await request.view.render("guides/show", showContext(request, guide, reader))
    }

    // MARK: Writing

    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var cancel: String; var owners: [Option];
        var collaborations: [Option]
        var languages: [Option]; var audiences: [Option]; var slots: [SlotView]; var isNew: Bool
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
            }, isNew: isNew)
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
        }
    }

    /// Reads the form: the draft with its sections in the order of their numbers, its owner and collaboration.
    static func input(
        _ values: [String: String], request: Request
    ) async throws -> (GuideDraft, UUID?, MunicipalityKey?, UUID?) {
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
        // Messages point at the fields as the writer numbered them.
        let errors = v.errors.map { e in FieldError(field: fieldFor[e.field] ?? e.field, e.messageKey, e.arguments) }
        if !errors.isEmpty { throw SamradError.invalid(errors) }
        return (draft!, organisationID, municipality, collaborationID)
    }

    static func apply(_ input: (GuideDraft, UUID?, MunicipalityKey?, UUID?), to g: DiscussionGuide) {
        let (draft, organisationID, municipality, collaborationID) = input
        g.title = draft.title
        g.introduction = draft.introduction
        g.language = draft.language.rawValue
        g.audience = draft.audience.rawValue
        g.sections = draft.sections
        g.organisationID = organisationID
        g.municipalityCountry = municipality?.country.rawValue
        g.municipalityCode = municipality?.code
        g.collaborationID = collaborationID
    }

    static func slots(_ values: [String: String]) -> Int {
        let used = (1...slotLimit).filter { n in values.keys.contains { $0.hasPrefix("s\(n)_") } }.max() ?? 0
        return min(slotLimit, max(5, used + 2))
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayCreate(request.actor))
        let values = try Self.values(request)
        do {
            let input = try await Self.input(values, request: request)
            let g = DiscussionGuide()
            Self.apply(input, to: g)
            g.published = false
            g.createdBy = request.actor.userID
            try await request.db.transaction { db in
                try await g.create(on: db)
                try await Audit.record(
                    "guide:create", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request,
                    on: db)
            }
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

    func update(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let values = try Self.values(request)
        do {
            let input = try await Self.input(values, request: request)
            Self.apply(input, to: g)
            try await request.db.transaction { db in
                try await g.save(on: db)
                try await Audit.record(
                    "guide:update", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request,
                    on: db)
            }
            return request.redirect(to: g.href, notice: "guides.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "guides/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: g.href,
                    cancel: g.href, isNew: false, slots: Self.slots(values)))
        }
    }

    func publish(_ request: Request, _ published: Bool) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        g.published = published
        try await request.db.transaction { db in
            try await g.save(on: db)
            try await Audit.record(
                published ? "guide:publish" : "guide:unpublish", subject: "guide", id: g.requireID().uuidString,
                summary: g.title, by: request, on: db)
        }
        return request.redirect(to: g.href, notice: published ? "guides.published" : "guides.unpublished")
    }

    func delete(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        // A guide municipalities have used keeps their sessions: it is unpublished instead.
        if try await LocalDialogue.query(on: request.db).filter(\.$guideID == g.requireID()).count() > 0 {
            throw SamradError(.conflict, "guides.error.in_use")
        }
        try await request.db.transaction { db in
            try await g.delete(on: db)
            try await Audit.record(
                "guide:delete", subject: "guide", id: g.requireID().uuidString, summary: g.title, by: request, on: db)
        }
        return request.redirect(to: "/guides", notice: "guides.deleted")
    }

    // MARK: The presentation

    struct Upload: Content { var file: File? }

    func attach(_ request: Request) async throws -> Response {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let upload = try request.content.decode(Upload.self)
        do {
            let file = try StoredFile(upload.file)
            g.presentationName = file.filename
            g.presentationType = file.contentType
            g.presentationSize = file.bytes.count
            let summary = "\(g.title): \(file.filename)"
            try await file.save(
                as: GuidePresentation.self, on: request.db,
                describe: { db in
                    try await g.save(on: db)
                    return try g.requireID()
                },
                audit: { db in
                    try await Audit.record(
                        "guide:presentation", subject: "guide", id: g.requireID().uuidString, summary: summary,
                        by: request, on: db)
                })
            return request.redirect(to: g.href, notice: "guides.presentation_saved")
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            return try await request.renderForm(
                "guides/show",
                showContext(request, g, reader, uploadForm: FormState(values: [:], error: error, request: request)),
                refusing: error)
        }
    }

    func presentation(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        guard let type = g.presentationType, let content = try await GuidePresentation.find(g.id, on: request.db) else {
            throw SamradError.notFound()
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.contentDisposition = .init(
            MaterialRules.isInline(type) ? .inline : .attachment, filename: g.presentationName ?? "presentation")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    // MARK: What municipalities agreed, side by side

    struct AgreementView: Encodable {
        var kind: String; var statement: String; var responsible: String; var followUp: String; var indicator: Link?
    }
    struct ResultColumn: Encodable {
        var municipality: String; var href: String; var committee: String; var heldOn: String;
        var agreements: [AgreementView]
    }
    struct ResultsContext: Encodable {
        var page: PageContext; var guideTitle: String; var guideHref: String; var columns: [ResultColumn];
        var meetings: [Option]; var mayPutOnAgenda: Bool
        var agendaAction: String
    }

    static func agreementViews(
        _ agreements: [Agreement], municipality: MunicipalityKey, request: Request, snapshot: IndicatorSnapshot?
    ) -> [AgreementView] {
        agreements.map { a in
            AgreementView(
                kind: request.t("dialogues.kind.\(a.kind.rawValue)"), statement: a.statement,
                responsible: a.responsible,
                followUp: DateText.day(a.followUp, request.language) ?? a.followUp,
                indicator: a.indicator.map { code in
                    Link(
                        href:
                            "/municipalities/\(municipality.country.rawValue)/\(municipality.code)/indicators#\(code)",
                        label: snapshot?.byCode[code]?.name(request.language) ?? code)
                })
        }
    }

    /// The latest shared session of every municipality that shared one.
    static func sharedResults(_ g: DiscussionGuide, on db: any Database) async throws -> [LocalDialogue] {
        let shared = try await LocalDialogue.query(on: db).filter(\.$guideID == g.requireID()).filter(
            \.$sharedAt != nil
        ).sort(\.$heldOn, .descending).all()
        var seen = Set<MunicipalityKey>()
        return shared.filter { seen.insert($0.municipality).inserted }
    }

    func results(_ request: Request) async throws -> View {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayViewResults(reader, g.standing))
        let sessions = try await Self.sharedResults(g, on: request.db)
        let snapshot = try await request.indicators()
        let columns = sessions.sorted {
            (request.municipalities[$0.municipality]?.name ?? "")
                < (request.municipalities[$1.municipality]?.name ?? "")
        }.map { s in
            ResultColumn(
                municipality: request.municipalities[s.municipality]?.name ?? s.municipalityCode, href: s.href,
                committee: s.committee,
                heldOn: DateText.day(s.heldOn, request.language) ?? s.heldOn,
                agreements: Self.agreementViews(
                    s.agreements, municipality: s.municipality, request: request, snapshot: snapshot))
        }
        let mayPut = GuidePolicy.mayPutOnAgenda(reader, g.standing)
        var meetings: [Option] = []
        if mayPut, let collaborationID = g.collaborationID {
            meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == collaborationID).filter(
                \.$startsAt >= Date()
            )
            .filter(\.$status != MeetingStatus.cancelled.rawValue).sort(\.$startsAt).all().map {
                Option(
                    value: $0.id!.uuidString.lowercased(),
                    label: "\($0.title), \(DateText.dateTime($0.startsAt, request.language, zone: $0.timeZone))",
                    selected: false)
            }
        }
        return try await request.view.render(
            "guides/results",
            ResultsContext(
                page: PageContext(request, titleKey: "guides.results_title", [g.title]), guideTitle: g.title,
                guideHref: g.href, columns: columns,
                meetings: meetings, mayPutOnAgenda: mayPut && !meetings.isEmpty && !columns.isEmpty,
                agendaAction: "\(g.href)/results/agenda"))
    }

    /// An agenda item on one of the collaboration's meetings, listing what each municipality agreed.
    func putOnAgenda(_ request: Request) async throws -> Response {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayPutOnAgenda(reader, g.standing))
        struct Form: Content { var meeting: String? }
        guard let id = try request.content.decode(Form.self).meeting.flatMap(UUID.init(uuidString:)),
            let meeting = try await Meeting.find(id, on: request.db),
            meeting.collaborationID == g.collaborationID
        else {
            throw SamradError.invalid([FieldError(field: "meeting", "validation.choice")])
        }
        let access = try await MeetingAccess.of(meeting, request: request)
        try request.require(access.mayRun)
        let sessions = try await Self.sharedResults(g, on: request.db)
        // In the guide's language, as the meeting's other items are.
        let language = g.languageValue
        func t(_ key: String, _ arguments: [String]) -> String { request.catalog.text(key, language, arguments) }
        var description = t("guides.agenda_intro", [g.title]) + "\n\n"
        for s in sessions {
            description +=
                "**\(request.municipalities[s.municipality]?.name ?? s.municipalityCode)** (\(s.committee), "
                + "\(DateText.day(s.heldOn, language) ?? s.heldOn))\n\n"
            for a in s.agreements {
                description +=
                    "- \(a.statement) — "
                    + t(
                        "dialogues.responsible_short",
                        [a.responsible, DateText.day(a.followUp, language) ?? a.followUp]) + "\n"
            }
            description += "\n"
        }
        description += "[\(t("guides.results_link", []))](\(g.href)/results)"
        let input = AgendaItems.Input(
            title: t("guides.agenda_title", [g.title]), description: description, durationMinutes: 30)
        let item = try await AgendaItems.add(input, access: access, request: request)
        try await Audit.record(
            "guide:agenda", subject: "meeting", id: meeting.requireID().uuidString,
            summary: "\(meeting.title): \(item.title)", by: request, on: request.db)
        return request.redirect(to: meeting.href + "/agenda", notice: "guides.put_on_agenda")
    }
}
