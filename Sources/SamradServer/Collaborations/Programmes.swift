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
    /// The season this one was copied from.
    var previousID: UUID?
    var isExample: Bool
    /// The collaborations the asker may see, each joined separately.
    var collaborations: [Track]

    init(_ p: Programme, tracks: [Collaboration]) {
        id = p.id!
        slug = p.slug
        title = p.title
        description = p.description
        organiserID = p.organiserID
        previousID = p.previousID
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
}
