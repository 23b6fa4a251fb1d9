import Fluent
import Foundation
import SamradCore
import Vapor

/// The clusters of a collaboration in the browser: the organiser forms them ("Form clusters"), looks
/// at a proposal with its measures and map, moves or swaps municipalities while seeing the objective
/// change, names them, gives each a wave and a facilitator, and saves; participants see their own.
struct ClusterPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("collaborations", ":slug")
        page.get("clusters", use: index)
        page.get("clusters", "plan", use: planForm)
        page.post("clusters", "plan", use: propose)
        page.get("clusters", "edit", use: editSaved)
        page.post("clusters", "draft", use: changeDraft)
        page.spreadsheet("clusters", "export", use: export)
    }

    /// The collaboration of the path, for those who may form its clusters.
    static func planned(_ request: Request) async throws -> Collaboration {
        let c = try await CollaborationAccess.load(request)
        try request.require(ClusterPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        return c
    }


    struct Contact: Encodable { var name: String; var role: String; var email: String?; var href: String }
    struct OwnCluster: Encodable {
        var name: String
        var wave: Int
        var members: [Link]
        var contacts: [Contact]
        var facilitator: String?
    }
    struct IndexContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var backHref: String
        var canPlan: Bool
        var plan: ClusterPlanView?
        var own: [OwnCluster]
        var registeredCount: Int
        var downloads: [DownloadLinks]
    }

    func index(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let draft = try await ClusterForming.saved(c, on: request.db)
        let canPlan = ClusterPolicy.mayPlan(request.actor, organiserID: c.organiserID)
        let visible = (draft?.groups ?? []).filter {
            ClusterPolicy.mayView(
                request.actor, organiserID: c.organiserID, collaborationID: c.id!, members: $0.members)
        }
        try request.require(canPlan || !visible.isEmpty)
        let registered = try await ClusterForming.registered(c, request: request)
        let facilitators = try await ClusterForming.facilitators(c, on: request.db)
        var ownClusters: [OwnCluster] = []
        if !canPlan {
            for group in visible {
                ownClusters.append(try await Self.ownCluster(group, c, facilitators: facilitators, request: request))
            }
        }
        return try await request.view.render(
            "clusters/index",
            IndexContext(
                page: PageContext(request, titleKey: "clusters.title"), title: c.title, slug: c.slug,
                backHref: "/collaborations/\(c.slug)",
                canPlan: canPlan,
                plan: canPlan
                    ? draft.map {
                        ClusterPlanView($0, registered: registered, facilitators: facilitators, request: request)
                    } : nil,
                own: ownClusters, registeredCount: registered.count,
                downloads: canPlan && draft != nil
                    ? [
                        DownloadLinks(
                            base: "/collaborations/\(c.slug)/clusters/export", label: request.t("clusters.export"))
                    ]
                    : []))
    }

    /// A participant's cluster: its municipalities and, for signed-in members, the people in their seats.
    static func ownCluster(
        _ group: ClusterDraft.Group, _ c: Collaboration, facilitators: [Person], request: Request
    ) async throws -> OwnCluster {
        var contacts: [Contact] = []
        if PeoplePolicy.mayList(request.actor) {
            let registrations = try await Registration.query(on: request.db).filter(\.$collaborationID == c.requireID())
                .filter(municipalities: group.members).all()
            let seats = try await RegistrationSeat.query(on: request.db).filter(
                \.$registrationID ~~ registrations.compactMap(\.id)
            ).all()
            let people = try await Person.query(on: request.db).filter(\.$id ~~ seats.map(\.personID)).all()
            let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0) })
            let municipalityOf = Dictionary(uniqueKeysWithValues: registrations.map { ($0.id!, $0.municipality) })
            contacts = seats.compactMap { seat in
                guard let person = byID[seat.personID] else { return nil }
                let place = municipalityOf[seat.registrationID].flatMap { request.municipalities[$0]?.name } ?? ""
                return Contact(
                    name: person.name, role: "\(request.t("position.\(seat.position)")), \(place)", email: person.email,
                    href: "/people/\(person.id!.uuidString)")
            }.sorted { $0.role == $1.role ? $0.name < $1.name : $0.role < $1.role }
        }
        return OwnCluster(
            name: group.name, wave: group.wave,
            members: group.members.compactMap { request.municipalities[$0] }.map {
                .init(href: "/municipalities/\($0.country.rawValue)/\($0.code)", label: $0.name)
            },
            contacts: contacts, facilitator: facilitators.first { $0.id == group.facilitatorID }?.name)
    }
}
