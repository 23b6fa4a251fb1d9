import Fluent
import Foundation
import SamradCore
import Vapor

/// The knowledge bank as JSON, so that an association can feed its own website from it: search
/// the published materials the asker may see, read one, write one, take the editorial steps. The
/// same checks as the pages (`KnowledgeAccess`, `KnowledgePolicy`, `MaterialDraft.validate`).
struct KnowledgeAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1", "knowledge")
        api.get(use: list)
        api.post(use: create)
        api.get(":slug", use: show)
        api.put(":slug", use: update)
        api.delete(":slug", use: delete)
        api.post(":slug", "steps", ":step", use: step)
    }

    struct MaterialJSON: Content {
        struct Attachment: Content {
            var id: UUID; var title: String; var filename: String; var contentType: String; var size: Int
            var href: String
        }
        var slug: String
        var href: String
        var kind: String
        var title: String
        var summary: String
        /// Markdown, as written; the page renders it without raw HTML.
        var body: String
        var themes: [String]
        var gradeBands: [String]
        var authors: [String]
        var contact: String?
        var school: String?
        var municipality: String?
        var language: String
        var licence: String
        var consent: Bool
        var visibility: String
        var status: String
        var collaborationID: UUID?
        /// The editor's request for changes: for those who may edit the material.
        var reviewNote: String?
        var submittedAt: Date?
        var publishedAt: Date?
        var updatedAt: Date?
        var attachments: [Attachment]?

        init(_ m: KnowledgeMaterial, mayEdit: Bool, attachments: [KnowledgeAttachment]? = nil) {
            slug = m.slug
            href = m.href
            kind = m.kind
            title = m.title
            summary = m.summary
            body = m.body
            themes = m.themes
            gradeBands = m.gradeBands
            authors = m.authors
            contact = m.contact
            school = m.school
            municipality = m.municipality?.description
            language = m.language
            licence = m.licence
            consent = m.consent
            visibility = m.visibility
            status = m.status
            collaborationID = m.collaborationID
            reviewNote = mayEdit ? m.reviewNote : nil
            submittedAt = m.submittedAt
            publishedAt = m.publishedAt
            updatedAt = m.updatedAt
            self.attachments = attachments?.map {
                Attachment(
                    id: $0.id!, title: $0.title, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                    href: "\(m.href)/attachments/\($0.id!.uuidString.lowercased())")
            }
        }
    }

    struct ListJSON: Content {
        var items: [MaterialJSON]
        /// How many match; `totalIsLowerBound` when there are more than the bank counts.
        var total: Int
        var totalIsLowerBound: Bool
        var page: Int
        var perPage: Int
    }

    /// A material as the API takes it; the form's fields under their JSON names.
    struct Input: Content {
        var kind: String?
        var title: String?
        var summary: String?
        var body: String?
        var themes: [String]?
        var gradeBands: [String]?
        var authors: [String]?
        var contact: String?
        var school: String?
        var language: String?
        var licence: String?
        var consent: Bool?
        var visibility: String?
        /// "dk/751" or a municipality's name.
        var municipality: String?
        var collaborationID: UUID?

        /// The values `MaterialDraft.validate` reads, as the form posts them.
        var values: [String: String] {
            var values: [String: String] = [
                "kind": kind ?? "", "title": title ?? "", "summary": summary ?? "", "body": body ?? "",
                "themes": (themes ?? []).joined(separator: ","),
                "grade_bands": (gradeBands ?? []).joined(separator: ","),
                "authors": (authors ?? []).joined(separator: "\n"), "contact": contact ?? "", "school": school ?? "",
                "language": language ?? "", "licence": licence ?? "", "consent": consent == true ? "on" : "",
                "visibility": visibility ?? "", "municipality": municipality ?? "",
            ]
            values["collaboration"] = collaborationID?.uuidString.lowercased() ?? ""
            return values
        }

        /// The form's field names in errors, as this input names them.
        static let names = ["grade_bands": "gradeBands", "collaboration": "collaborationID"]
    }

    /// Runs a change, naming its errors' fields as the JSON does.
    func named<T>(_ change: () async throws -> T) async throws -> T {
        do { return try await change() } catch let error as SamradError { throw error.naming(Input.names) }
    }

    func list(_ request: Request) async throws -> ListJSON {
        let reader = try await request.collaborationReader()
        var query = KnowledgePages.query(request)
        if let slug = request.query[String.self, at: "collaboration"], !slug.isEmpty {
            query.collaborationID =
                try await Collaboration.query(on: request.db).filter(\.$slug == slug).first()?.id ?? UUID()
        }
        let (hits, total) = try await KnowledgeSearch.search(query, reader: reader, on: request.db)
        let ids = hits.map(\.id)
        let found = ids.isEmpty ? [] : try await KnowledgeMaterial.query(on: request.db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id!, $0) })
        return ListJSON(
            items: ids.compactMap { byID[$0] }.map {
                MaterialJSON($0, mayEdit: KnowledgePolicy.mayEdit(reader, $0.standing))
            },
            total: min(total, KnowledgeSearch.countLimit), totalIsLowerBound: total > KnowledgeSearch.countLimit,
            page: query.offset / query.limit + 1, perPage: query.limit)
    }

    static func json(_ access: KnowledgeAccess, request: Request) async throws -> MaterialJSON {
        let attachments = try await KnowledgeAttachment.query(on: request.db)
            .filter(\.$materialID == access.material.requireID()).sort(\.$createdAt).all()
        return MaterialJSON(access.material, mayEdit: access.mayEdit, attachments: attachments)
    }

    func show(_ request: Request) async throws -> MaterialJSON {
        try await Self.json(try await KnowledgeAccess.load(request), request: request)
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        let input = try request.content.decode(Input.self)
        let m = try await named { try await KnowledgePages.create(input.values, request: request) }
        return try await MaterialJSON(m, mayEdit: true, attachments: []).created(
            at: "/api/v1/knowledge/\(m.slug)", for: request)
    }

    func update(_ request: Request) async throws -> MaterialJSON {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let values = try request.content.decode(Input.self).values
        try await named { try await KnowledgePages.update(access, values, request: request) }
        return try await Self.json(access, request: request)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        try await KnowledgePages.delete(try await KnowledgeAccess.load(request), request: request)
        return .noContent
    }

    func step(_ request: Request) async throws -> MaterialJSON {
        let access = try await KnowledgeAccess.load(request)
        let step = try KnowledgePages.step(request)
        try request.require(access.mayTake(step))
        struct Note: Content { var note: String? }
        let note = request.headers.contentType == nil ? nil : try request.content.decode(Note.self).note
        try await KnowledgePages.take(step, access, note: note, request: request)
        return try await Self.json(access, request: request)
    }
}
