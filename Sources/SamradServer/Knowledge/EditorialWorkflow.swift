import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: the editorial workflow.
extension KnowledgePages {
    func takeStep(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        guard let step = request.parameters.get("step").flatMap(EditorialStatus.Step.init(rawValue:)) else {
            throw SamradError.notFound()
        }
        try request.require(access.mayTake(step))
        let m = access.material
        struct Form: Content { var note: String? }
        let note = try request.content.decode(Form.self).note
        do {
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
            return request.redirect(to: m.href, notice: "knowledge.step_done.\(step.rawValue)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/show",
                Self.showContext(
                    request, access, stepForm: FormState(values: ["note": note ?? ""], error: error, request: request)))
        }
    }

    func delete(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try request.require(KnowledgePolicy.mayDelete(access.reader, access.material.standing))
        let m = access.material
        try await request.db.transaction { db in
            try await KnowledgeSearch.remove(m.requireID(), on: db)
            try await m.delete(on: db)
            try await Audit.record(
                "knowledge:delete", subject: "knowledge", id: m.requireID().uuidString, summary: m.title, by: request,
                on: db)
        }
        return request.redirect(to: "/knowledge/mine", notice: "knowledge.deleted")
    }
}
