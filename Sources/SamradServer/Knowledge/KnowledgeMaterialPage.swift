import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: one material.
extension KnowledgePages {
    struct AttachmentView: Encodable {
        var href: String; var title: String; var detail: String; var deleteAction: String?
    }
    struct StepView: Encodable {
        var step: String; var label: String; var action: String; var needsNote: Bool; var primary: Bool
    }
    struct ShowContext: Encodable {
        var page: PageContext; var title: String; var kind: String; var summary: String; var bodyHTML: String
        var authors: String; var contact: String?; var municipality: Link?; var school: String?;
        var collaboration: Link?
        var themes: [Link]; var gradeBands: String; var language: String; var languageCode: String; var licence: String;
        var published: String?
        var status: String; var statusKey: String; var visibility: String; var reviewNote: String?;
        var isPublished: Bool
        var attachments: [AttachmentView]; var mayEdit: Bool; var editHref: String; var steps: [StepView];
        var deleteAction: String?
        var uploadAction: String; var accept: String; var maxSize: String; var uploadForm: FormState;
        var stepForm: FormState
        var stableURL: String
        /// Nil where the reader takes no part in the material's feedback.
        var feedback: [FeedbackView]?
        var feedbackAction: String
        var feedbackForm: FormState
    }
    struct FeedbackView: Encodable {
        var author: String; var when: String; var body: String; var deleteAction: String?
    }

    static func showContext(
        _ request: Request, _ access: KnowledgeAccess, uploadForm: FormState = FormState(),
        stepForm: FormState = FormState(), feedbackForm: FormState = FormState()
    ) async throws -> ShowContext {
        let m = access.material
        let id = try m.requireID()
        let attachments = try await KnowledgeAttachment.query(on: request.db).filter(\.$materialID == id).sort(
            \.$createdAt
        ).all()
        let collaboration =
            try await m.collaborationID.asyncMap { try await Collaboration.find($0, on: request.db) } ?? nil
        let language = request.language
        let steps = EditorialStatus.Step.allCases.filter { (try? m.statusValue.after($0)) != nil && access.mayTake($0) }
            .map {
                StepView(
                    step: $0.rawValue, label: request.t("knowledge.step.\($0.rawValue)"),
                    action: "\(m.href)/steps/\($0.rawValue)",
                    needsNote: $0 == .requestChanges, primary: $0 == .publish || $0 == .submit)
            }
        return ShowContext(
            page: PageContext(request, titleKey: "", title: m.title), title: m.title,
            kind: request.t("knowledge.kind.\(m.kind)"), summary: m.summary,
            bodyHTML: SafeMarkdown.html(m.body), authors: m.authors.joined(separator: ", "), contact: m.contact,
            municipality: m.municipality.map {
                Link(
                    href: "/municipalities/\($0.country.rawValue)/\($0.code)",
                    label: request.municipalities[$0]?.name ?? $0.description)
            },
            school: m.school,
            collaboration: collaboration.map { Link(href: "/collaborations/\($0.slug)", label: $0.title) },
            themes: m.themes.map { Link(href: "/knowledge?theme=\(urlEncoded($0))", label: $0) },
            gradeBands: m.gradeBands.map { request.t("knowledge.band.\($0)") }.joined(separator: ", "),
            language: m.languageValue.endonym, languageCode: m.language,
            licence: request.t("knowledge.licence.\(m.licence)"),
            published: m.publishedAt.map { DateText.date($0, language, zone: "Europe/Copenhagen") },
            status: request.t("knowledge.status.\(m.status)"), statusKey: m.status,
            visibility: request.t("knowledge.visibility.\(m.visibility)"),
            reviewNote: (access.isOwner || access.isEditor) && m.statusValue == .changesRequested ? m.reviewNote : nil,
            isPublished: m.statusValue == .published,
            attachments: attachments.map { a in
                let aid = a.id!.uuidString.lowercased()
                return AttachmentView(
                    href: "\(m.href)/attachments/\(aid)", title: a.title,
                    detail: "\(MaterialRules.label(a.contentType)), \(NumberText.bytes(a.size, language))",
                    deleteAction: access.mayEdit ? "\(m.href)/attachments/\(aid)/delete" : nil)
            },
            mayEdit: access.mayEdit, editHref: "\(m.href)/edit", steps: steps,
            deleteAction: KnowledgePolicy.mayDelete(access.reader, m.standing) ? "\(m.href)/delete" : nil,
            uploadAction: "\(m.href)/attachments", accept: MaterialRules.accepted,
            maxSize: String(MaterialRules.maxBytes / 1_000_000),
            uploadForm: uploadForm, stepForm: stepForm, stableURL: request.settings.publicBaseURL + m.href,
            feedback: try await KnowledgeFeedback.feedback(access, on: request.db)?.map { f in
                FeedbackView(
                    author: f.authorName,
                    when: f.createdAt.map { DateText.dateTime($0, language, zone: "Europe/Copenhagen") } ?? "",
                    body: f.body,
                    deleteAction: KnowledgePolicy.mayDeleteFeedback(access.reader, m.standing, writtenBy: f.authorID)
                        ? "\(m.href)/feedback/\(f.id!.uuidString.lowercased())/delete" : nil)
            },
            feedbackAction: "\(m.href)/feedback", feedbackForm: feedbackForm)
    }

    func show(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        let response = try await request.view.render("knowledge/show", Self.showContext(request, access))
            .encodeResponse(for: request)
        if access.material.visibilityValue != .public || access.material.statusValue != .published {
            response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        }
        return response
    }
}
