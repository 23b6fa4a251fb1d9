import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: the Atom feed.
extension KnowledgePages {
    /// The newest public materials (of one theme with ?theme=): only what anybody may read.
    func feed(_ request: Request) async throws -> Response {
        var query = KnowledgeSearch.Query()
        query.theme = request.query[String.self, at: "theme"].flatMap { $0.isEmpty ? nil : $0 }
        query.limit = 50
        let (hits, _) = try await KnowledgeSearch.search(
            query, reader: CollaborationReader(actor: .visitor, memberOf: [], editorOf: []), on: request.db)
        let materials = Dictionary(
            uniqueKeysWithValues: try await KnowledgeMaterial.query(on: request.db).filter(\.$id ~~ hits.map(\.id))
                .all().map { ($0.id!, $0) })
        let base = request.settings.publicBaseURL
        let entries = hits.compactMap { materials[$0.id] }.map { m in
            AtomFeed.Entry(
                id: "\(base)\(m.href)", title: m.title, link: "\(base)\(m.href)",
                updated: m.updatedAt ?? m.publishedAt ?? Date(),
                published: m.publishedAt, authors: m.authors, summary: m.summary,
                contentHTML: SafeMarkdown.html(m.body), categories: m.themes)
        }
        let selfLink = "\(base)/knowledge/feed.atom" + (query.theme.map { "?theme=\(Self.urlEncoded($0))" } ?? "")
        let feed = AtomFeed(
            id: selfLink, title: request.t("knowledge.feed_title") + (query.theme.map { ": \($0)" } ?? ""),
            selfLink: selfLink,
            pageLink: "\(base)/knowledge", language: request.language, entries: entries)
        let response = Response(status: .ok, body: .init(string: feed.xml))
        response.headers.replaceOrAdd(name: .contentType, value: AtomFeed.contentType)
        return response
    }
}
