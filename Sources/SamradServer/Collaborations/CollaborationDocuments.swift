import Fluent
import Foundation
import SamradCore
import Vapor

/// A collaboration's own documents — the project description, the invitation letter, agreements,
/// reports — kept by its organisers, read by the public or by its members
/// (`CollaborationPolicy.mayRead`), on the collaboration's page and in the API.
struct CollaborationDocuments: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("collaborations", ":slug", "documents")
        page.get(use: manage)
        page.upload(
            maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await Self.managed($0) }, use: upload)
        page.get(":document", use: download)
        page.post(":document", "delete", use: deleteFromPage)
        let api = routes.grouped("api", "v1", "collaborations", ":slug", "documents")
        api.get(use: list)
        api.upload(
            maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await Self.managed($0) }, use: uploadAPI)
        api.delete(":document", use: deleteAPI)
    }

    /// The collaboration of the path, for its organisers.
    static func managed(_ request: Request) async throws -> Collaboration {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return c
    }

    /// The documents of `c` the asker may read, newest first.
    static func readable(_ c: Collaboration, request: Request) async throws -> [CollaborationDocument] {
        let reader = try await request.collaborationReader()
        return try await CollaborationDocument.query(on: request.db).filter(\.$collaborationID == c.requireID())
            .sort(\.$createdAt, .descending).all().filter {
                CollaborationPolicy.mayRead(
                    $0.visibilityValue, reader, collaborationID: c.id!, organiserID: c.organiserID)
            }
    }

    struct DocumentJSON: Content {
        var id: UUID; var title: String; var kind: String; var visibility: String; var filename: String
        var contentType: String; var size: Int; var href: String; var createdAt: Date?

        init(_ d: CollaborationDocument, slug: String) {
            id = d.id!
            title = d.title
            kind = d.kind
            visibility = d.visibility
            filename = d.filename
            contentType = d.contentType
            size = d.size
            href = "/collaborations/\(slug)/documents/\(d.id!.uuidString.lowercased())"
            createdAt = d.createdAt
        }
    }

    struct Upload: Content { var title: String?; var kind: String?; var visibility: String?; var file: File? }

    /// Checks and keeps an uploaded document, its description and bytes in one transaction.
    static func store(_ upload: Upload, _ c: Collaboration, request: Request) async throws -> CollaborationDocument {
        var v = Validation()
        let file = try StoredFile(upload.file)
        let title = v.optional("title", upload.title, maxLength: 200) ?? file.filename
        let kind = v.oneOf("kind", upload.kind, as: DocumentKind.self)
        let visibility = v.oneOf("visibility", upload.visibility, as: DocumentVisibility.self)
        try v.check()
        let document = CollaborationDocument()
        document.collaborationID = try c.requireID()
        document.title = title
        document.kind = kind!.rawValue
        document.visibility = visibility!.rawValue
        document.filename = file.filename
        document.contentType = file.contentType
        document.size = file.bytes.count
        document.uploadedBy = request.actor.userID
        let summary = "\(c.title): \(title) (\(visibility!.rawValue))"
        try await file.save(
            as: CollaborationDocumentContent.self, on: request.db,
            describe: { db in
                try await document.create(on: db)
                return try document.requireID()
            },
            audit: { db in
                try await Audit.record(
                    "collaboration:document", subject: "collaboration", id: c.requireID().uuidString,
                    summary: summary, by: request, on: db)
            })
        return document
    }

    /// The document of the path, if the asker may read it (others get 404, as for a missing one).
    static func document(_ request: Request) async throws -> (CollaborationDocument, Collaboration) {
        let c = try await CollaborationAccess.load(request)
        let reader = try await request.collaborationReader()
        guard let id = request.parameterID("document"),
            let d = try await CollaborationDocument.find(id, on: request.db),
            d.collaborationID == c.id,
            CollaborationPolicy.mayRead(d.visibilityValue, reader, collaborationID: c.id!, organiserID: c.organiserID)
        else {
            throw SamradError.notFound("documents.error.not_found")
        }
        return (d, c)
    }

    static func delete(_ d: CollaborationDocument, _ c: Collaboration, request: Request) async throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        try await request.db.transaction { db in
            try await d.delete(on: db)
            try await Audit.record(
                "collaboration:document_delete", subject: "collaboration", id: c.requireID().uuidString,
                summary: "\(c.title): \(d.title)", by: request, on: db)
        }
    }

    // MARK: Pages

    struct Row: Encodable {
        var href: String; var title: String; var detail: String; var deleteAction: String
    }
    struct ManageContext: Encodable {
        var page: PageContext
        var form: FormState
        var title: String
        var backHref: String
        var action: String
        var rows: [Row]
        var kinds: [Option]
        var visibilities: [Option]
        var accept: String
        var maxSize: String
    }

    /// What the collaboration's page and the organisers' page say of a document.
    static func detail(_ d: CollaborationDocument, request: Request) -> String {
        [
            request.t("document_kind.\(d.kind)"), request.t("document_visibility.\(d.visibility)"),
            "\(MaterialRules.label(d.contentType)), \(NumberText.bytes(d.size, request.language))",
        ].joined(separator: " · ")
    }

    func context(_ request: Request, _ c: Collaboration, form: FormState = FormState()) async throws -> ManageContext {
        let documents = try await Self.readable(c, request: request)
        let base = "/collaborations/\(c.slug)/documents"
        let values = form.values
        return ManageContext(
            page: PageContext(request, titleKey: "documents.title"), form: form, title: c.title,
            backHref: "/collaborations/\(c.slug)", action: base,
            rows: documents.map {
                let href = "\(base)/\($0.id!.uuidString.lowercased())"
                return Row(
                    href: href, title: $0.title, detail: Self.detail($0, request: request),
                    deleteAction: href + "/delete")
            },
            kinds: DocumentKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("document_kind.\($0.rawValue)"),
                    selected: (values["kind"] ?? DocumentKind.projectDescription.rawValue) == $0.rawValue)
            },
            visibilities: DocumentVisibility.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("document_visibility.\($0.rawValue)"),
                    selected: (values["visibility"] ?? DocumentVisibility.public.rawValue) == $0.rawValue)
            },
            accept: MaterialRules.accepted, maxSize: String(MaterialRules.maxBytes / 1_000_000))
    }

    func manage(_ request: Request) async throws -> View {
        let c = try await Self.managed(request)
        return try await request.view.render("collaborations/documents", context(request, c))
    }

    func upload(_ request: Request) async throws -> Response {
        let c = try await Self.managed(request)
        let upload = try request.content.decode(Upload.self)
        do {
            _ = try await Self.store(upload, c, request: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            let values = [
                "title": upload.title ?? "", "kind": upload.kind ?? "", "visibility": upload.visibility ?? "",
            ]
            return try await request.renderForm(
                "collaborations/documents",
                context(request, c, form: FormState(values: values, error: error, request: request)),
                refusing: error)
        }
        return request.redirect(to: "/collaborations/\(c.slug)/documents", notice: "documents.saved")
    }

    func download(_ request: Request) async throws -> Response {
        let (d, _) = try await Self.document(request)
        guard let content = try await CollaborationDocumentContent.find(d.id, on: request.db) else {
            throw SamradError.notFound("documents.error.not_found")
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: d.contentType)
        response.headers.contentDisposition = .init(
            MaterialRules.isInline(d.contentType) ? .inline : .attachment, filename: d.filename)
        response.headers.replaceOrAdd(
            name: .cacheControl, value: d.visibilityValue == .public ? "public, max-age=300" : "private, no-store")
        return response
    }

    func deleteFromPage(_ request: Request) async throws -> Response {
        let (d, c) = try await Self.document(request)
        try await Self.delete(d, c, request: request)
        return request.redirect(to: "/collaborations/\(c.slug)/documents", notice: "documents.deleted")
    }

    // MARK: API

    struct ListJSON: Content { var items: [DocumentJSON] }

    func list(_ request: Request) async throws -> ListJSON {
        let c = try await CollaborationAccess.load(request)
        return ListJSON(items: try await Self.readable(c, request: request).map { DocumentJSON($0, slug: c.slug) })
    }

    func uploadAPI(_ request: Request) async throws -> Response {
        let c = try await Self.managed(request)
        let d = try await Self.store(try request.content.decode(Upload.self), c, request: request)
        let json = DocumentJSON(d, slug: c.slug)
        return try await json.created(at: json.href, for: request)
    }

    func deleteAPI(_ request: Request) async throws -> HTTPStatus {
        let (d, c) = try await Self.document(request)
        try await Self.delete(d, c, request: request)
        return .noContent
    }
}
