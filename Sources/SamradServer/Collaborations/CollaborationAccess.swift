import Fluent
import SamradCore
import Vapor

/// The collaboration a route's path names (`:slug`), if the actor may see it: drafts are a 404 to
/// everyone but their organisers. Every route of a collaboration, its meetings, clusters,
/// questionnaires and goals starts here, so `CollaborationPolicy.mayView` is asked in one way.
enum CollaborationAccess {
    static func load(_ request: Request) async throws -> Collaboration {
        guard let slug = request.parameters.get("slug"),
            let collaboration = try await Collaboration.plain(where: "slug", is: slug, on: request.db),
            CollaborationPolicy.mayView(
                request.actor, status: collaboration.statusValue,
                organiserID: collaboration.organiserID)
        else { throw SamradError.notFound("error.collaboration_not_found") }
        return collaboration
    }
}

/// The programme a route's path names (`:slug`) with the tracks the actor may see; 404 when the
/// actor may see none of it.
enum ProgrammeAccess {
    static func load(_ request: Request) async throws -> (Programme, [Collaboration]) {
        try await Programmes.find(request)
    }
}
