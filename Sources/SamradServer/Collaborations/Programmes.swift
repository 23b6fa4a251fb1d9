import Fluent
import Foundation
import SamradCore
import Vapor

/// What an organiser says about a programme, from a form or a JSON body.
struct ProgrammeInput: Content {
    var title: String?
    var description: String?
    var organiserID: UUID?

    func apply(to programme: Programme, request: Request) async throws {
        var v = Validation()
        let title = v.required("title", title, maxLength: 200)
        let description = v.optional("description", description, maxLength: 20_000) ?? ""
        if let organiserID {
            if try await Organisation.find(organiserID, on: request.db) == nil {
                v.add("organiserID", "validation.organisation")
            } else if !CollaborationPolicy.mayCreate(request.actor, organiserID: organiserID) {
                v.add("organiserID", "collaboration.not_your_organisation")
            }
        } else {
            v.add("organiserID", "validation.required")
        }
        try v.check()
        programme.title = title
        programme.description = description
        programme.organiserID = organiserID!
    }
}

struct ProgrammeJSON: Content {
    struct Track: Content {
        var slug: String
        var title: String
        var kind: String
        var status: String
        var deadline: Date?
        var price: CollaborationJSON.Price
    }
    var id: UUID
    var slug: String
    var title: String
    var description: String
    var organiserID: UUID
    var isExample: Bool
    /// The collaborations the asker may see, each joined separately.
    var collaborations: [Track]

    init(_ p: Programme, tracks: [Collaboration]) {
        id = p.id!
        slug = p.slug
        title = p.title
        description = p.description
        organiserID = p.organiserID
        isExample = p.isExample
        collaborations = tracks.map {
            Track(
                slug: $0.slug, title: $0.title, kind: $0.kind, status: $0.status, deadline: $0.deadline,
                price: CollaborationJSON(($0)).price)
        }
    }
}

/// Programmes: collaborations grouped under one name and joined separately, e.g. "Kommunesamarbejde
/// om folkeskolen 2014" = a free political track and three paid professional tracks. The API and the
/// pages share the lookups here; `CollaborationPolicy` decides who sees and changes what.
struct Programmes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("programmes", use: listPage)
        routes.get("programmes", "new", use: newForm)
        routes.post("programmes", use: createFromForm)
        routes.get("programmes", ":slug", use: detailPage)
        routes.get("programmes", ":slug", "edit", use: editForm)
        routes.post("programmes", ":slug", use: updateFromForm)
        routes.get("programmes", ":slug", "invitations", use: inviteForm)
        routes.post("programmes", ":slug", "invitations", use: invite)
        let api = routes.grouped("api", "v1", "programmes")
        api.post(":slug", "invitations", use: inviteAPI)
        api.get(use: listAPI)
        api.post(use: createAPI)
        api.get(":slug", use: showAPI)
        api.put(":slug", use: updateAPI)
    }

    // MARK: Lookups

    /// The tracks of a programme the actor may see, by title.
    static func tracks(of programme: Programme, request: Request) async throws -> [Collaboration] {
        try await Collaboration.query(on: request.db).filter(\.$programmeID == programme.requireID()).sort(\.$title)
            .all()
            .filter { CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID) }
    }

    static func mayView(_ programme: Programme, tracks: [Collaboration], request: Request) -> Bool {
        CollaborationPolicy.mayViewProgramme(
            request.actor, organiserID: programme.organiserID,
            publishedCollaborations: tracks.filter { $0.statusValue.isPublished }.count)
    }

    /// The programme of the path with its visible tracks; a programme the actor may not see is 404.
    static func find(_ request: Request) async throws -> (Programme, [Collaboration]) {
        guard let slug = request.parameters.get("slug"),
            let programme = try await Programme.query(on: request.db).filter(\.$slug == slug).first()
        else {
            throw SamradError.notFound("error.programme_not_found")
        }
        let tracks = try await tracks(of: programme, request: request)
        guard mayView(programme, tracks: tracks, request: request) else {
            throw SamradError.notFound("error.programme_not_found")
        }
        return (programme, tracks)
    }

    /// Every programme the actor may see, with its visible tracks.
    static func visible(_ request: Request) async throws -> [(Programme, [Collaboration])] {
        let programmes = try await Programme.query(on: request.db).sort(\.$title).all()
        let tracks = try await Collaboration.query(on: request.db).filter(\.$programmeID != nil).sort(\.$title).all()
            .filter { CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID) }
        let byProgramme = Dictionary(grouping: tracks) { $0.programmeID! }
        return programmes.map { ($0, byProgramme[$0.id!] ?? []) }.filter {
            mayView($0.0, tracks: $0.1, request: request)
        }
    }

    // MARK: Changes

    static func create(_ input: ProgrammeInput, request: Request) async throws -> Programme {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        if let organiserID = input.organiserID, try await Organisation.find(organiserID, on: request.db) != nil {
            try request.require(CollaborationPolicy.mayCreate(request.actor, organiserID: organiserID))
        }
        let programme = Programme()
        programme.isExample = false
        try await input.apply(to: programme, request: request)
        programme.slug = try await Slug.unique(programme.title, fallback: "programme") {
            try await Programme.query(on: request.db).filter(\.$slug == $0).count() > 0
        }
        try await programme.create(on: request.db)
        return programme
    }

    static func update(_ programme: Programme, with input: ProgrammeInput, request: Request) async throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        try await input.apply(to: programme, request: request)
        try await programme.save(on: request.db)
    }

    // MARK: Inviting the whole programme

    /// Invites to every open track the actor runs, in one e-mail per recipient naming them all.
    static func invite(
        _ programme: Programme, _ tracks: [Collaboration], _ input: CollaborationAPI.InvitationInput,
        request: Request
    ) async throws -> Invitations.Sent {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let (municipalities, positions) = try CollaborationAPI.invitationChoice(input, request: request)
        let open = tracks.filter {
            $0.statusValue == .open && CollaborationPolicy.mayManage(request.actor, organiserID: $0.organiserID)
        }
        guard !open.isEmpty else { throw SamradError(.conflict, "invitation.programme_not_open") }
        return try await Invitations.send(
            open, programme: programme.title, to: municipalities, positions: positions,
            request: request)
    }

    func inviteAPI(_ request: Request) async throws -> Invitations.Sent {
        let (programme, tracks) = try await Self.find(request)
        return try await Self.invite(
            programme, tracks, try request.content.decode(CollaborationAPI.InvitationInput.self),
            request: request)
    }

    func inviteForm(_ request: Request) async throws -> View {
        let (programme, _) = try await Self.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        return try await request.view.render(
            "collaborations/invite",
            CollaborationPages.inviteContext(
                request, title: programme.title, base: "/programmes/\(programme.slug)",
                form: FormState(values: ["scope": "country", "country": "dk"])))
    }

    func invite(_ request: Request) async throws -> Response {
        let (programme, tracks) = try await Self.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let (input, values) = try CollaborationPages.invitationForm(request)
        let base = "/programmes/\(programme.slug)"
        do {
            let sent = try await Self.invite(programme, tracks, input, request: request)
            // The board of the first track: every track of the programme was invited alike.
            let board = tracks.first { $0.statusValue == .open }.map { "/collaborations/\($0.slug)/board" } ?? base
            let result = CollaborationPages.inviteResult(sent, boardHref: board, request: request)
            return try await request.view.render(
                "collaborations/invite",
                CollaborationPages.inviteContext(
                    request, title: programme.title, base: base, form: FormState(values: values), result: result)
            )
            .encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .conflict {
            return try await request.renderForm(
                "collaborations/invite",
                CollaborationPages.inviteContext(
                    request, title: programme.title, base: base,
                    form: FormState(values: values, error: error, request: request)), refusing: error)
        }
    }

    // MARK: API

    struct ListJSON: Content { var items: [ProgrammeJSON] }

    func listAPI(_ request: Request) async throws -> ListJSON {
        ListJSON(items: try await Self.visible(request).map { ProgrammeJSON($0.0, tracks: $0.1) })
    }

    func showAPI(_ request: Request) async throws -> ProgrammeJSON {
        let (programme, tracks) = try await Self.find(request)
        return ProgrammeJSON(programme, tracks: tracks)
    }

    func createAPI(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let programme = try await Self.create(try request.content.decode(ProgrammeInput.self), request: request)
        return try await ProgrammeJSON(programme, tracks: []).encodeResponse(status: .created, for: request)
    }

    func updateAPI(_ request: Request) async throws -> ProgrammeJSON {
        let (programme, _) = try await Self.find(request)
        try await Self.update(programme, with: try request.content.decode(ProgrammeInput.self), request: request)
        return ProgrammeJSON(programme, tracks: try await Self.tracks(of: programme, request: request))
    }

    // MARK: Pages

    struct Row: Encodable {
        var href: String; var title: String; var organiser: String; var tracks: String; var isExample: Bool
    }
    struct ListContext: Encodable { var page: PageContext; var rows: [Row]; var canCreate: Bool }

    func listPage(_ request: Request) async throws -> View {
        let programmes = try await Self.visible(request)
        let organisers = try await Organisation.query(on: request.db).filter(\.$id ~~ programmes.map(\.0.organiserID))
            .all()
        let names = Dictionary(uniqueKeysWithValues: organisers.map { ($0.id!, $0.name) })
        return try await request.view.render(
            "programmes/list",
            ListContext(
                page: PageContext(request, titleKey: "programmes.title"),
                rows: programmes.map {
                    Row(
                        href: "/programmes/\($0.0.slug)", title: $0.0.title, organiser: names[$0.0.organiserID] ?? "—",
                        tracks: request.t("programmes.track_count", [String($0.1.count)]), isExample: $0.0.isExample)
                },
                canCreate: request.actor.isAdministrator || request.actor.isOrganiser))
    }

    struct TrackRow: Encodable {
        var href: String; var title: String; var kind: String; var status: String; var price: String;
        var deadline: String?
        var mine: [Link]
    }
    struct DetailContext: Encodable {
        var page: PageContext
        var title: String
        var isExample: Bool
        var organiser: String
        var descriptionHTML: String
        var tracks: [TrackRow]
        var canManage: Bool
        var editHref: String
        var newTrackHref: String
        var inviteHref: String
    }

    func detailPage(_ request: Request) async throws -> View {
        let (programme, tracks) = try await Self.find(request)
        let organiser = try await Organisation.find(programme.organiserID, on: request.db)
        // A coordinator sees, per track, where each of their municipalities stands.
        let mine = request.actor.grants.compactMap(\.municipality).sorted()
        var statuses: [UUID: [MunicipalityKey: String]] = [:]
        if !mine.isEmpty && !tracks.isEmpty {
            let registrations = try await Registration.query(on: request.db).filter(
                \.$collaborationID ~~ tracks.compactMap(\.id)
            )
            .filter(municipalities: mine).all()
            for r in registrations { statuses[r.collaborationID, default: [:]][r.municipality] = r.status }
        }
        let rows = tracks.map { c in
            TrackRow(
                href: "/collaborations/\(c.slug)", title: c.title, kind: request.t("collaboration_kind.\(c.kind)"),
                status: request.t("collaboration_status.\(c.status)"), price: CollaborationPages.priceText(c, request),
                deadline: CollaborationPages.when(c.deadline, request),
                mine: c.statusValue.isPublished
                    ? mine.compactMap { key in
                        request.municipalities[key].map { m in
                            Link(
                                href: "/collaborations/\(c.slug)/registrations/\(key.country.rawValue)/\(key.code)",
                                label:
                                    "\(m.name): "
                                    + request.t(
                                        "registration_status."
                                            + (statuses[c.id!]?[key] ?? RegistrationStatus.notAnswered.rawValue))
                            )
                        }
                    } : [])
        }
        return try await request.view.render(
            "programmes/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: programme.title), title: programme.title,
                isExample: programme.isExample,
                organiser: organiser?.name ?? "—", descriptionHTML: SafeMarkdown.html(programme.description),
                tracks: rows,
                canManage: CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID),
                editHref: "/programmes/\(programme.slug)/edit",
                newTrackHref: "/collaborations/new?programme=\(programme.id!.uuidString)",
                inviteHref: "/programmes/\(programme.slug)/invitations"))
    }

    struct FormContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var organisers: [Option]
    }

    func formContext(_ request: Request, form: FormState, action: String, titleKey: String) async throws -> FormContext
    {
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
            .filter { CollaborationPolicy.mayCreate(request.actor, organiserID: $0.id!) }
        return FormContext(
            page: PageContext(request, titleKey: titleKey), form: form, action: action,
            organisers: organisations.map {
                .init(
                    value: $0.id!.uuidString, label: $0.name, selected: form.values["organiserID"] == $0.id!.uuidString)
            })
    }

    struct Form: Content { var title: String?; var description: String?; var organiserID: String? }

    static func input(_ form: Form) -> ProgrammeInput {
        ProgrammeInput(
            title: form.title, description: form.description,
            organiserID: form.organiserID.flatMap(UUID.init(uuidString:)))
    }

    static func values(_ form: Form) -> [String: String] {
        ["title": form.title ?? "", "description": form.description ?? "", "organiserID": form.organiserID ?? ""]
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(request.actor.isAdministrator || request.actor.isOrganiser)
        return try await request.view.render(
            "programmes/form",
            formContext(request, form: FormState(), action: "/programmes", titleKey: "programmes.new_title"))
    }

    func createFromForm(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let form = try request.content.decode(Form.self)
        do {
            let programme = try await Self.create(Self.input(form), request: request)
            return request.redirect(to: "/programmes/\(programme.slug)", notice: "programmes.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "programmes/form",
                formContext(
                    request, form: FormState(values: Self.values(form), error: error, request: request),
                    action: "/programmes", titleKey: "programmes.new_title"))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let (programme, _) = try await Self.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let values = [
            "title": programme.title, "description": programme.description,
            "organiserID": programme.organiserID.uuidString,
        ]
        return try await request.view.render(
            "programmes/form",
            formContext(
                request, form: FormState(values: values), action: "/programmes/\(programme.slug)",
                titleKey: "programmes.edit_title"))
    }

    func updateFromForm(_ request: Request) async throws -> Response {
        let (programme, _) = try await Self.find(request)
        let form = try request.content.decode(Form.self)
        do {
            try await Self.update(programme, with: Self.input(form), request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "programmes/form",
                formContext(
                    request, form: FormState(values: Self.values(form), error: error, request: request),
                    action: "/programmes/\(programme.slug)", titleKey: "programmes.edit_title"))
        }
        return request.redirect(to: "/programmes/\(programme.slug)", notice: "programmes.saved")
    }
}
