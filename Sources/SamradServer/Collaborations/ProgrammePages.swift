import Fluent
import Foundation
import SamradCore
import Vapor

/// Programmes: pages.
extension Programmes {
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
        var nextSeasonHref: String
        var reportHref: String
        var seasons: [NextSeason.Entry]
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
                inviteHref: "/programmes/\(programme.slug)/invitations",
                nextSeasonHref: "/programmes/\(programme.slug)/next-season",
                reportHref: "/programmes/\(programme.slug)/report",
                seasons: try await NextSeason.line(of: programme, request: request)))
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
