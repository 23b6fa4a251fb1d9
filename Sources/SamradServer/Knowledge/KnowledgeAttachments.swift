import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: attachments.
extension KnowledgePages {
    struct Upload: Content { var title: String?; var file: File? }

    func attach(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let m = access.material
        let upload = try request.content.decode(Upload.self)
        do {
            var v = Validation()
            let file = try StoredFile(upload.file)
            let title = v.optional("title", upload.title, maxLength: 200) ?? file.filename
            try v.check()
            let attachment = KnowledgeAttachment()
            attachment.materialID = try m.requireID()
            attachment.title = title
            attachment.filename = file.filename
            attachment.contentType = file.contentType
            attachment.size = file.bytes.count
            let summary = "\(m.title): \(title)"
            try await file.save(
                as: KnowledgeAttachmentContent.self, on: request.db,
                describe: { db in
                    try await attachment.create(on: db)
                    return try attachment.requireID()
                },
                audit: { db in
                    try await Audit.record(
                        "knowledge:attach", subject: "knowledge", id: m.requireID().uuidString, summary: summary,
                        by: request, on: db)
                })
            return request.redirect(to: m.href, notice: "knowledge.attached")
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            return try await request.renderForm(
                "knowledge/show",
                Self.showContext(
                    request, access,
                    uploadForm: FormState(values: ["title": upload.title ?? ""], error: error, request: request)),
                refusing: error)
        }
    }

    static func attachment(_ request: Request, _ access: KnowledgeAccess) async throws -> KnowledgeAttachment {
        guard let id = request.parameterID("attachment"),
            let attachment = try await KnowledgeAttachment.find(id, on: request.db),
            attachment.materialID == access.material.id
        else {
            throw SamradError.notFound()
        }
        return attachment
    }

    func download(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        let attachment = try await Self.attachment(request, access)
        guard let content = try await KnowledgeAttachmentContent.find(attachment.id, on: request.db) else {
            throw SamradError.notFound()
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: attachment.contentType)
        response.headers.contentDisposition = .init(
            MaterialRules.isInline(attachment.contentType) ? .inline : .attachment, filename: attachment.filename)
        let isPublic = access.material.statusValue == .published && access.material.visibilityValue == .public
        response.headers.replaceOrAdd(
            name: .cacheControl, value: isPublic ? "public, max-age=300" : "private, no-store")
        return response
    }

    func detach(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let attachment = try await Self.attachment(request, access)
        try await request.db.transaction { db in
            try await attachment.delete(on: db)
            try await Audit.record(
                "knowledge:detach", subject: "knowledge", id: access.material.requireID().uuidString,
                summary: "\(access.material.title): \(attachment.title)", by: request, on: db)
        }
        return request.redirect(to: access.material.href, notice: "knowledge.detached")
    }
}
