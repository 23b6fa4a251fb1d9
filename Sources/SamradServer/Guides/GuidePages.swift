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
        guides.post(":guide", "adapt", use: adaptFromPage)
    }

    /// The guide of the path, if the actor may see it (others get 404, as for drafts).
    static func load(_ request: Request) async throws -> (DiscussionGuide, CollaborationReader) {
        let guide = try await DiscussionGuide.find(from: request, "guide", notFound: "guides.error.not_found")
        let reader = try await request.collaborationReader()
        guard GuidePolicy.mayView(reader, guide.standing) else { throw SamradError.notFound("guides.error.not_found") }
        return (guide, reader)
    }

    /// Who publishes the guide: its owner, and the organisations that publish it together with it.
    static func owner(_ g: DiscussionGuide, request: Request) async throws -> String {
        publishers(g, names: try await organisationNames([g], request: request), request: request)
    }

    /// "KL with BKF, DLF, Skolelederforeningen": the owner, then the co-publishers by name.
    static func publishers(_ g: DiscussionGuide, names: [UUID: String], request: Request) -> String {
        let owner =
            g.organisationID.flatMap { names[$0] } ?? g.municipality.flatMap { request.municipalities[$0]?.name } ?? ""
        let together = (g.coPublisherIDs ?? []).compactMap { names[$0] }.sorted()
        return together.isEmpty ? owner : request.t("guides.together_with", [owner, together.joined(separator: ", ")])
    }

    /// The names of the organisations that own or publish `guides`, read at once.
    static func organisationNames(_ guides: [DiscussionGuide], request: Request) async throws -> [UUID: String] {
        let ids = Set(guides.flatMap { [$0.organisationID].compactMap { $0 } + ($0.coPublisherIDs ?? []) })
        guard !ids.isEmpty else { return [:] }
        return Dictionary(
            uniqueKeysWithValues: try await Organisation.query(on: request.db).filter(\.$id ~~ Array(ids)).all()
                .map { ($0.id!, $0.name) })
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
        let organisations = try await Self.organisationNames(guides, request: request)
        let rows = guides.map { g in
            Row(
                href: g.href, title: g.title, owner: Self.publishers(g, names: organisations, request: request),
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
