import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: lists of one's own and for review.
extension KnowledgePages {
    struct RowView: Encodable {
        var href: String; var title: String; var status: String; var statusKey: String; var detail: String
    }
    struct ListContext: Encodable { var page: PageContext; var rows: [RowView]; var empty: String }

    static func rows(_ materials: [KnowledgeMaterial], request: Request) -> [RowView] {
        materials.map { m in
            RowView(
                href: m.href, title: m.title, status: request.t("knowledge.status.\(m.status)"), statusKey: m.status,
                detail: [
                    request.t("knowledge.kind.\(m.kind)"), m.authors.joined(separator: ", "),
                    (m.updatedAt ?? m.createdAt).map { DateText.date($0, request.language, zone: "Europe/Copenhagen") }
                        ?? "",
                ].filter { !$0.isEmpty }.joined(separator: " · "))
        }
    }

    func mine(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$createdBy == user.requireID()).sort(
            \.$updatedAt, .descending
        ).all()
        return try await request.view.render(
            "knowledge/list",
            ListContext(
                page: PageContext(request, titleKey: "knowledge.mine"),
                rows: Self.rows(materials, request: request), empty: request.t("knowledge.mine_empty")))
    }

    static func reviewQuery(_ reader: CollaborationReader, on db: any Database) -> QueryBuilder<KnowledgeMaterial> {
        let query = KnowledgeMaterial.query(on: db).filter(\.$status == EditorialStatus.submitted.rawValue)
        return reader.actor.isAdministrator ? query : query.filter(\.$collaborationID ~~ reader.editorOf)
    }

    func reviewQueue(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        let reader = try await request.collaborationReader()
        try request.require(reader.actor.isAdministrator || !reader.editorOf.isEmpty)
        let materials = try await Self.reviewQuery(reader, on: request.db).sort(\.$submittedAt).all()
        return try await request.view.render(
            "knowledge/list",
            ListContext(
                page: PageContext(request, titleKey: "knowledge.review"),
                rows: Self.rows(materials, request: request), empty: request.t("knowledge.review_empty")))
    }
}
