import Fluent
import Foundation
import SamradCore
import Vapor

/// Newsletters as JSON: a sender's archive (and its drafts for its writers), one newsletter,
/// writing, sending now or at a moment, cancelling and deleting. The same checks as the pages
/// (`NewsletterPolicy`, `NewsletterPages.input`).
struct NewsletterAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sender = routes.grouped("api", "v1", "collaborations", ":slug", "newsletters")
        sender.get(use: list)
        sender.post(use: create)
        let one = routes.grouped("api", "v1", "newsletters", ":newsletter")
        one.get(use: show)
        one.put(use: update)
        one.delete(use: delete)
        one.post("send", use: send)
        one.post("cancel", use: cancel)
    }

    struct AudienceJSON: Content {
        /// The sender and any of its programme's tracks.
        var collaborations: [UUID]?
        var positions: [String]?
        /// "dk/751" or names.
        var municipalities: [String]?
        /// Region codes, e.g. "1082".
        var regions: [String]?
    }

    struct NewsletterJSON: Content {
        var id: UUID
        var href: String
        var collaboration: String
        var subject: String
        /// Markdown, as written.
        var body: String
        var language: String
        var archive: String
        var status: String
        var sendAt: Date?
        var sentAt: Date?
        var recipientCount: Int
        /// Whom it goes to: for its writers.
        var audience: AudienceJSON?

        init(_ n: Newsletter, sender c: Collaboration, mayWrite: Bool) {
            id = n.id!
            href = n.href
            collaboration = c.slug
            subject = n.subject
            body = n.body
            language = n.language
            archive = n.archive
            status = n.status
            sendAt = n.sendAt
            sentAt = n.sentAt
            recipientCount = n.recipientCount
            audience =
                mayWrite
                ? AudienceJSON(
                    collaborations: n.audience.collaborations, positions: n.audience.positions.map(\.rawValue),
                    municipalities: n.audience.municipalities.map(\.description), regions: n.audience.regions)
                : nil
        }
    }

    struct ListJSON: Content { var items: [NewsletterJSON] }

    struct Input: Content {
        var subject: String?
        var body: String?
        var language: String?
        var archive: String?
        var audience: AudienceJSON?

        var values: [String: String] {
            [
                "subject": subject ?? "", "body": body ?? "", "language": language ?? "", "archive": archive ?? "",
                "collaborations": (audience?.collaborations ?? []).map { $0.uuidString.lowercased() }
                    .joined(separator: ","),
                "positions": (audience?.positions ?? []).joined(separator: ","),
                "municipalities": (audience?.municipalities ?? []).joined(separator: ", "),
                "regions": (audience?.regions ?? []).joined(separator: ","),
            ]
        }

        static let names = [
            "collaborations": "audience.collaborations", "positions": "audience.positions",
            "municipalities": "audience.municipalities", "regions": "audience.regions",
        ]
    }

    func named<T>(_ change: () async throws -> T) async throws -> T {
        do { return try await change() } catch let error as SamradError { throw error.naming(Input.names) }
    }

    func list(_ request: Request) async throws -> ListJSON {
        let c = try await NewsletterPages.collaboration(request)
        let reader = try await request.collaborationReader()
        let mayWrite = NewsletterPolicy.mayWrite(request.actor, organiserID: c.organiserID)
        let all = try await Newsletter.query(on: request.db).filter(\.$collaborationID == c.requireID())
            .sort(\.$createdAt, .descending).all()
        let shown = all.filter {
            NewsletterPolicy.mayView(
                reader, organiserID: c.organiserID, collaborationID: c.id!, status: $0.statusValue,
                archive: $0.archiveValue)
        }
        return ListJSON(items: shown.map { NewsletterJSON($0, sender: c, mayWrite: mayWrite) })
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await NewsletterPages.collaboration(request)
        try NewsletterPages.requireWriter(request, c)
        let values = try request.content.decode(Input.self).values
        let n = try await named { try await NewsletterPages.create(values, sender: c, request: request) }
        return try await NewsletterJSON(n, sender: c, mayWrite: true).created(at: "/api/v1" + n.href, for: request)
    }

    func show(_ request: Request) async throws -> NewsletterJSON {
        let (n, c) = try await NewsletterPages.load(request)
        let mayWrite = NewsletterPolicy.mayWrite(request.actor, organiserID: c.organiserID)
        return NewsletterJSON(n, sender: c, mayWrite: mayWrite)
    }

    func update(_ request: Request) async throws -> NewsletterJSON {
        let (n, c) = try await NewsletterPages.editable(request)
        let values = try request.content.decode(Input.self).values
        try await named { try await NewsletterPages.update(n, values, sender: c, request: request) }
        return NewsletterJSON(n, sender: c, mayWrite: true)
    }

    struct SendInput: Content {
        /// Left out: now.
        var at: Date?
    }

    func send(_ request: Request) async throws -> NewsletterJSON {
        let (n, c) = try await NewsletterPages.editable(request)
        let input = request.headers.contentType == nil ? SendInput() : try request.content.decode(SendInput.self)
        if let at = input.at, at <= Date() {
            throw SamradError.invalid([FieldError(field: "at", "newsletters.error.time")])
        }
        try await NewsletterPages.schedule(n, at: input.at ?? Date(), request: request)
        return NewsletterJSON(n, sender: c, mayWrite: true)
    }

    func cancel(_ request: Request) async throws -> NewsletterJSON {
        let (n, c) = try await NewsletterPages.editable(request)
        try await NewsletterPages.cancel(n, on: request.db)
        return NewsletterJSON(n, sender: c, mayWrite: true)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        let (n, _) = try await NewsletterPages.editable(request)
        try await NewsletterPages.delete(n, request: request)
        return .noContent
    }
}
