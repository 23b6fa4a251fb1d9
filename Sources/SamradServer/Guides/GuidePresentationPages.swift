import Fluent
import Foundation
import SamradCore
import Vapor

/// GuidePages: the presentation.
extension GuidePages {
    struct Upload: Content { var file: File? }

    func attach(_ request: Request) async throws -> Response {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let upload = try request.content.decode(Upload.self)
        do {
            let file = try StoredFile(upload.file)
            g.presentationName = file.filename
            g.presentationType = file.contentType
            g.presentationSize = file.bytes.count
            let summary = "\(g.title): \(file.filename)"
            try await file.save(
                as: GuidePresentation.self, on: request.db,
                describe: { db in
                    try await g.save(on: db)
                    return try g.requireID()
                },
                audit: { db in
                    try await Audit.record(
                        "guide:presentation", subject: "guide", id: g.requireID().uuidString, summary: summary,
                        by: request, on: db)
                })
            return request.redirect(to: g.href, notice: "guides.presentation_saved")
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            return try await request.renderForm(
                "guides/show",
                showContext(request, g, reader, uploadForm: FormState(values: [:], error: error, request: request)),
                refusing: error)
        }
    }

    func presentation(_ request: Request) async throws -> Response {
        let (g, _) = try await Self.load(request)
        guard let type = g.presentationType, let content = try await GuidePresentation.find(g.id, on: request.db) else {
            throw SamradError.notFound()
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.contentDisposition = .init(
            MaterialRules.isInline(type) ? .inline : .attachment, filename: g.presentationName ?? "presentation")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}
