import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: the editorial workflow.
extension KnowledgePages {
    /// Takes an editorial step (submit, request changes, publish, withdraw, unpublish) for whoever
    /// `KnowledgePolicy` lets take it, and tells those it concerns.
    static func take(
        _ step: EditorialStatus.Step, _ access: KnowledgeAccess, note: String?, request: Request
    ) async throws {
        try request.require(access.mayTake(step))
        let m = access.material
        let status = try m.statusValue.after(step)
        if step == .submit || step == .publish { try MaterialDraft.requireConsent(m.consent) }
        var v = Validation()
        let text = step == .requestChanges ? v.required("note", note, maxLength: 4_000) : nil
        try v.check()
        m.status = status.rawValue
        switch step {
        case .submit: m.submittedAt = Date()
        case .requestChanges: m.reviewNote = text
        case .publish:
            m.reviewNote = nil
            if m.publishedAt == nil { m.publishedAt = Date() }
        case .withdraw, .unpublish: break
        }
        try await request.db.transaction { db in
            try await m.save(on: db)
            try await KnowledgeTheme.query(on: db).filter(\.$materialID == m.requireID()).set(
                \.$listed, to: m.listsThemes
            ).update()
            // The year of publication is one of the index's facets.
            if step == .publish { try await KnowledgeSearch.index(m, on: db) }
            try await Audit.record(
                "knowledge:\(step.rawValue)", subject: "knowledge", id: m.requireID().uuidString, summary: m.title,
                by: request, on: db)
            try await KnowledgeNotices.after(step, m, note: text, request: request, on: db)
        }
    }

    static func step(_ request: Request) throws -> EditorialStatus.Step {
        guard let step = request.parameters.get("step").flatMap(EditorialStatus.Step.init(rawValue:)) else {
            throw SamradError.notFound()
        }
        return step
    }

    func takeStep(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        let step = try Self.step(request)
        try request.require(access.mayTake(step))
        struct Form: Content { var note: String? }
        let note = try request.content.decode(Form.self).note
        do {
            try await Self.take(step, access, note: note, request: request)
            return request.redirect(to: access.material.href, notice: "knowledge.step_done.\(step.rawValue)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/show",
                Self.showContext(
                    request, access, stepForm: FormState(values: ["note": note ?? ""], error: error, request: request)))
        }
    }

    /// Deletes a material with its search entry; its author while a draft, an editor or an administrator.
    static func delete(_ access: KnowledgeAccess, request: Request) async throws {
        try request.require(KnowledgePolicy.mayDelete(access.reader, access.material.standing))
        let m = access.material
        try await request.db.transaction { db in
            try await KnowledgeSearch.remove(m.requireID(), on: db)
            try await m.delete(on: db)
            try await Audit.record(
                "knowledge:delete", subject: "knowledge", id: m.requireID().uuidString, summary: m.title, by: request,
                on: db)
        }
    }

    func delete(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try await Self.delete(access, request: request)
        return request.redirect(to: "/knowledge/mine", notice: "knowledge.deleted")
    }
}
