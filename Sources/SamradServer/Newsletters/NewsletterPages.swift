import Fluent
import Foundation
import SamradCore
import Vapor

/// Newsletters between meetings: the organiser writes one in Markdown, chooses its audience,
/// previews the mail (HTML and text) with its recipients, and sends it now or at a set time; sent
/// newsletters form the collaboration's archive (and, when public, its Atom feed). Every copy can
/// be unsubscribed from with one click; people manage their subscriptions on their profile.
struct NewsletterPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let collaboration = routes.grouped("collaborations", ":slug")
        collaboration.get("newsletters", use: archive)
        collaboration.grouped(ConditionalGET()).get(
            PathComponent(stringLiteral: ["newsletters", "atom"].joined(separator: ".")), use: feed)
        collaboration.get("newsletters", "new", use: newForm)
        collaboration.post("newsletters", use: create)
        let newsletter = routes.grouped("newsletters", ":newsletter")
        newsletter.get(use: show)
        newsletter.get("edit", use: editForm)
        newsletter.get("mail-preview", use: mailPreview)
        newsletter.post(use: update)
        newsletter.post("send", use: send)
        newsletter.post("cancel", use: cancel)
        newsletter.post("delete", use: delete)
        routes.get("newsletters", "unsubscribe", ":token", use: unsubscribePage)
        routes.post("newsletters", "unsubscribe", ":token", use: unsubscribe)
        routes.get("profile", "newsletters", use: subscriptions)
        routes.post("profile", "newsletters", ":collaboration", use: changeSubscription)
    }

    static func collaboration(_ request: Request) async throws -> Collaboration {
        guard let slug = request.parameters.get("slug"),
            let c = try await Collaboration.query(on: request.db).filter(\.$slug == slug).first(),
            CollaborationPolicy.mayView(request.actor, status: c.statusValue, organiserID: c.organiserID)
        else {
            throw SamradError.notFound("error.collaboration_not_found")
        }
        return c
    }

    /// The newsletter of the path and its sender, if the actor may see it: organisers always; others
    /// once it is sent and the archive is theirs to read.
    static func load(_ request: Request) async throws -> (Newsletter, Collaboration) {
        guard let id = request.parameterID("newsletter"),
            let n = try await Newsletter.find(id, on: request.db),
            let c = try await Collaboration.find(n.collaborationID, on: request.db)
        else { throw SamradError.notFound("newsletters.error.not_found") }
        let reader = try await request.collaborationReader()
        guard
            NewsletterPolicy.mayView(
                reader, organiserID: c.organiserID, collaborationID: try c.requireID(), status: n.statusValue,
                archive: n.archiveValue)
        else {
            throw SamradError.notFound("newsletters.error.not_found")
        }
        return (n, c)
    }

    static func requireWriter(_ request: Request, _ c: Collaboration) throws {
        try request.require(NewsletterPolicy.mayWrite(request.actor, organiserID: c.organiserID))
    }


    struct Row: Encodable {
        var href: String; var subject: String; var detail: String; var status: String?; var statusKey: String
    }
    struct ArchiveContext: Encodable {
        var page: PageContext; var title: String; var href: String; var rows: [Row]; var drafts: [Row];
        var mayWrite: Bool; var feed: String?
    }

    func archive(_ request: Request) async throws -> View {
        let c = try await Self.collaboration(request)
        let reader = try await request.collaborationReader()
        let mayWrite = NewsletterPolicy.mayWrite(request.actor, organiserID: c.organiserID)
        let all = try await Newsletter.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$createdAt, .descending
        ).all()
        let sent = all.filter {
            $0.statusValue == .sent
                && NewsletterPolicy.mayView(
                    reader, organiserID: c.organiserID, collaborationID: c.id!, status: .sent, archive: $0.archiveValue)
        }
        .sorted { ($0.sentAt ?? .distantPast) > ($1.sentAt ?? .distantPast) }
        let language = request.language
        let rows = sent.map { n in
            Row(
                href: n.href, subject: n.subject,
                detail: n.sentAt.map { DateText.date($0, language, zone: c.timeZone) } ?? "", status: nil,
                statusKey: "sent")
        }
        let drafts =
            mayWrite
            ? all.filter { $0.statusValue != .sent }.map { n in
                Row(
                    href: n.href, subject: n.subject,
                    detail: n.sendAt.map { DateText.dateTime($0, language, zone: c.timeZone) } ?? "",
                    status: request.t("newsletters.status.\(n.status)"), statusKey: n.status)
            } : []
        return try await request.view.render(
            "newsletters/archive",
            ArchiveContext(
                page: PageContext(request, titleKey: "newsletters.archive_title", [c.title]), title: c.title,
                href: "/collaborations/\(c.slug)",
                rows: rows, drafts: drafts, mayWrite: mayWrite, feed: "/collaborations/\(c.slug)/newsletters.atom"))
    }

    /// Public newsletters only: a feed reader has no session.
    func feed(_ request: Request) async throws -> Response {
        let c = try await Self.collaboration(request)
        let sent = try await Newsletter.query(on: request.db).filter(\.$collaborationID == c.requireID()).filter(
            \.$status == NewsletterStatus.sent.rawValue
        )
        .filter(\.$archive == NewsletterArchive.public.rawValue).sort(\.$sentAt, .descending).limit(50).all()
        let base = request.settings.publicBaseURL
        let selfLink = "\(base)/collaborations/\(c.slug)/newsletters.atom"
        let feed = AtomFeed(
            id: selfLink, title: request.t("newsletters.archive_title", [c.title]), selfLink: selfLink,
            pageLink: "\(base)/collaborations/\(c.slug)/newsletters", language: request.language,
            entries: sent.map { n in
                AtomFeed.Entry(
                    id: base + n.href, title: n.subject, link: base + n.href,
                    updated: n.sentAt ?? n.updatedAt ?? Date(),
                    published: n.sentAt, authors: [c.title],
                    summary: String(SafeMarkdown.plainText(n.body).prefix(300)),
                    contentHTML: SafeMarkdown.html(n.body))
            })
        let response = Response(status: .ok, body: .init(string: feed.xml))
        response.headers.replaceOrAdd(name: .contentType, value: AtomFeed.contentType)
        return response
    }
}
