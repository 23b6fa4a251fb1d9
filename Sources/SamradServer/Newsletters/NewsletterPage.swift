import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: one newsletter: the archive copy, or the organiser's preview.
extension NewsletterPages {
    struct RecipientView: Encodable { var name: String; var email: String }
    struct ShowContext: Encodable {
        var page: PageContext; var subject: String; var collaboration: String; var collaborationHref: String;
        var bodyHTML: String
        var isSent: Bool; var sentAt: String?; var mayWrite: Bool; var status: String; var statusKey: String
        var previewText: String?; var recipientCount: Int; var recipients: [RecipientView]; var more: Int
        var audience: [String]; var href: String; var form: FormState; var sendAt: String?
    }

    func showContext(
        _ request: Request, _ n: Newsletter, _ c: Collaboration, form: FormState = FormState()
    ) async throws -> ShowContext {
        let mayWrite = NewsletterPolicy.mayWrite(request.actor, organiserID: c.organiserID)
        var previewText: String?, recipients: [NewsletterAudience.Recipient] = []
        if mayWrite && n.statusValue != .sent {
            previewText =
                NewsletterMail(
                    n, collaboration: c, unsubscribeToken: nil, settings: request.settings, catalog: request.catalog
                ).text
            recipients = try await NewsletterSending.recipients(n, directory: request.municipalities, on: request.db)
        }
        return ShowContext(
            page: PageContext(request, titleKey: "", title: n.subject), subject: n.subject, collaboration: c.title,
            collaborationHref: "/collaborations/\(c.slug)",
            bodyHTML: SafeMarkdown.html(n.body), isSent: n.statusValue == .sent,
            sentAt: n.sentAt.map { DateText.dateTime($0, request.language, zone: c.timeZone) }, mayWrite: mayWrite,
            status: request.t("newsletters.status.\(n.status)"), statusKey: n.status, previewText: previewText,
            recipientCount: n.statusValue == .sent ? n.recipientCount : recipients.count,
            recipients: recipients.prefix(50).map { RecipientView(name: $0.name, email: $0.email) },
            more: max(0, recipients.count - 50),
            audience: try await Self.audienceSummary(n.audience, request: request), href: n.href, form: form,
            sendAt: n.sendAt.map { DateText.dateTime($0, request.language, zone: c.timeZone) })
    }

    static func audienceSummary(_ a: NewsletterAudience, request: Request) async throws -> [String] {
        let titles = try await Collaboration.query(on: request.db).filter(\.$id ~~ a.collaborations).all().map(\.title)
            .sorted()
        var lines = [request.t("newsletters.audience_collaborations", [titles.joined(separator: ", ")])]
        if !a.positions.isEmpty {
            lines.append(
                request.t(
                    "newsletters.audience_positions",
                    [a.positions.map { request.t("position.\($0.rawValue)") }.joined(separator: ", ")]))
        }
        if !a.municipalities.isEmpty {
            lines.append(
                request.t(
                    "newsletters.audience_municipalities",
                    [
                        a.municipalities.map { request.municipalities[$0]?.name ?? $0.description }.joined(
                            separator: ", ")
                    ]))
        }
        if !a.regions.isEmpty {
            let names = Dictionary(
                request.municipalities.all.map { ($0.regionCode, $0.regionName) }, uniquingKeysWith: { a, _ in a })
            lines.append(
                request.t("newsletters.audience_regions", [a.regions.map { names[$0] ?? $0 }.joined(separator: ", ")]))
        }
        return lines
    }

    func show(_ request: Request) async throws -> View {
        let (n, c) = try await Self.load(request)
        return try await request.view.render("newsletters/show", showContext(request, n, c))
    }

    /// The mail's HTML as a recipient's mail program shows it, for the preview's frame: its own
    /// inline styles allowed, no script, no requests elsewhere, framed by this site only.
    func mailPreview(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.load(request)
        try Self.requireWriter(request, c)
        let mail = NewsletterMail(
            n, collaboration: c, unsubscribeToken: nil, settings: request.settings, catalog: request.catalog)
        let response = Response(status: .ok, body: .init(string: mail.html))
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
                + "sandbox allow-popups allow-popups-to-escape-sandbox"
        )
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "SAMEORIGIN")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}
