import Fluent
import Foundation
import SamradCore
import Vapor

/// Feedback on a participant's work: comments on a material by the researchers and peers of its
/// collaboration (`KnowledgePolicy.mayGiveFeedback`), told by e-mail to the author and to those
/// who commented before. On the material's page and in the API.
struct KnowledgeFeedback: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("knowledge", ":slug", "feedback", use: giveFromPage)
        routes.post("knowledge", ":slug", "feedback", ":feedback", "delete", use: deleteFromPage)
        let api = routes.grouped("api", "v1", "knowledge", ":slug", "feedback")
        api.get(use: list)
        api.post(use: giveAPI)
        api.delete(":feedback", use: deleteAPI)
    }

    struct FeedbackJSON: Content {
        var id: UUID; var author: String; var body: String; var createdAt: Date?

        init(_ f: MaterialFeedback) {
            id = f.id!
            author = f.authorName
            body = f.body
            createdAt = f.createdAt
        }
    }

    struct ListJSON: Content { var items: [FeedbackJSON] }
    struct Input: Content { var body: String? }

    /// The material's feedback, oldest first, for those who may read it; nil for others.
    static func feedback(_ access: KnowledgeAccess, on db: any Database) async throws -> [MaterialFeedback]? {
        guard KnowledgePolicy.mayGiveFeedback(access.reader, access.material.standing) else { return nil }
        return try await MaterialFeedback.query(on: db).filter(\.$materialID == access.material.requireID())
            .sort(\.$createdAt).sort(\.$id).all()
    }

    /// Keeps a comment and tells the author and the earlier commenters, each in their language.
    static func give(_ access: KnowledgeAccess, _ input: Input, request: Request) async throws -> MaterialFeedback {
        let user = try request.requireSignedIn()
        try request.require(KnowledgePolicy.mayGiveFeedback(access.reader, access.material.standing))
        var v = Validation()
        let body = v.required("body", input.body, maxLength: 4_000)
        try v.check()
        let m = access.material
        let feedback = MaterialFeedback()
        feedback.materialID = try m.requireID()
        feedback.authorID = user.id
        feedback.authorName = user.name
        feedback.body = body
        let earlier = try await MaterialFeedback.query(on: request.db).filter(\.$materialID == m.requireID()).all()
        let told = Set(earlier.compactMap(\.authorID) + [m.createdBy].compactMap { $0 }).subtracting([user.id!])
        let readers = try await User.query(on: request.db).filter(\.$id ~~ told).filter(\.$disabled == false).all()
        let context = MailContext(request)
        try await request.db.transaction { db in
            try await feedback.create(on: db)
            try await Audit.record(
                "knowledge:feedback", subject: "knowledge", id: m.requireID().uuidString, summary: m.title,
                by: request, on: db)
            for reader in readers {
                let language = reader.language.flatMap(Language.init(rawValue:)) ?? m.languageValue
                try await Outbox.enqueue(
                    to: reader.email,
                    subject: context.catalog.text("mail.feedback.subject", language, [m.title]),
                    body: context.catalog.text(
                        "mail.feedback.body", language,
                        [reader.name, user.name, m.title, body, context.settings.publicBaseURL + m.href + "#feedback"]),
                    settings: context.settings, on: db)
            }
        }
        return feedback
    }

    static func comment(_ request: Request, _ access: KnowledgeAccess) async throws -> MaterialFeedback {
        guard let id = request.parameterID("feedback"), let f = try await MaterialFeedback.find(id, on: request.db),
            f.materialID == access.material.id,
            KnowledgePolicy.mayGiveFeedback(access.reader, access.material.standing)
        else { throw SamradError.notFound() }
        return f
    }

    static func delete(_ f: MaterialFeedback, _ access: KnowledgeAccess, request: Request) async throws {
        try request.require(
            KnowledgePolicy.mayDeleteFeedback(access.reader, access.material.standing, writtenBy: f.authorID))
        try await request.db.transaction { db in
            try await f.delete(on: db)
            try await Audit.record(
                "knowledge:feedback_delete", subject: "knowledge", id: access.material.requireID().uuidString,
                summary: access.material.title, by: request, on: db)
        }
    }

    func giveFromPage(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        let input = try request.content.decode(Input.self)
        do {
            _ = try await Self.give(access, input, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/show",
                KnowledgePages.showContext(
                    request, access,
                    feedbackForm: FormState(values: ["body": input.body ?? ""], error: error, request: request)))
        }
        return request.redirect(to: access.material.href + "#feedback", notice: "feedback.given")
    }

    func deleteFromPage(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try await Self.delete(try await Self.comment(request, access), access, request: request)
        return request.redirect(to: access.material.href + "#feedback", notice: "feedback.deleted")
    }

    func list(_ request: Request) async throws -> ListJSON {
        let access = try await KnowledgeAccess.load(request)
        guard let items = try await Self.feedback(access, on: request.db) else {
            throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        return ListJSON(items: items.map(FeedbackJSON.init))
    }

    func giveAPI(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        let f = try await Self.give(access, try request.content.decode(Input.self), request: request)
        return try await FeedbackJSON(f).created(
            at: "/api/v1\(access.material.href)/feedback/\(f.id!.uuidString.lowercased())", for: request)
    }

    func deleteAPI(_ request: Request) async throws -> HTTPStatus {
        let access = try await KnowledgeAccess.load(request)
        try await Self.delete(try await Self.comment(request, access), access, request: request)
        return .noContent
    }
}
