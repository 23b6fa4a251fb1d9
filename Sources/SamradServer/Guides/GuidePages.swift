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
}
