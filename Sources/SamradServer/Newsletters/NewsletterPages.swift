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
        collaboration.get(PathComponent(stringLiteral: ["newsletters", "atom"].joined(separator: ".")), use: feed)
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

    // MARK: The archive

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

    // MARK: One newsletter: the archive copy, or the organiser's preview

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

    // MARK: Writing

    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var cancel: String;
        var collaborations: [Option]; var positions: [Option]
        var regions: [Option]; var languages: [Option]; var archives: [Option]; var isNew: Bool; var inserts: [Option]
    }

    /// The collaborations of the sender's organisation: a network, or the tracks of a programme.
    static func senders(_ c: Collaboration, on db: any Database) async throws -> [Collaboration] {
        try await Collaboration.query(on: db).filter(\.$organiserID == c.organiserID).sort(\.$title).all()
    }

    func formContext(
        _ request: Request, _ c: Collaboration, form: FormState, action: String, cancel: String, isNew: Bool
    ) async throws -> FormContext {
        let values = form.values
        func chosen(_ key: String) -> Set<String> { Set((values[key] ?? "").split(separator: ",").map(String.init)) }
        let collaborations = try await Self.senders(c, on: request.db)
        // Regions of the organiser's country (of Denmark and Sweden for one without).
        let country = try await Organisation.find(c.organiserID, on: request.db)?.country.flatMap(
            Country.init(rawValue:))
        var regions: [String: String] = [:]
        for m in request.municipalities.all
        where country.map({ m.country == $0 }) ?? (m.country == .dk || m.country == .se) {
            regions[m.regionCode] = m.regionName
        }
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "newsletters.new" : "newsletters.edit"), form: form,
            action: action, cancel: cancel,
            collaborations: collaborations.map {
                Option(
                    value: $0.id!.uuidString.lowercased(), label: $0.title,
                    selected: chosen("collaborations").contains($0.id!.uuidString.lowercased()))
            },
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: chosen("positions").contains($0.rawValue))
            },
            regions: regions.sorted { $0.value < $1.value }.map {
                Option(value: $0.key, label: $0.value, selected: chosen("regions").contains($0.key))
            },
            languages: Language.allCases.map {
                Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
            },
            archives: NewsletterArchive.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("newsletters.archive.\($0.rawValue)"),
                    selected: values["archive"] == $0.rawValue)
            },
            isNew: isNew,
            inserts: ["meetings", "materials", "results"].map {
                Option(value: $0, label: request.t("newsletters.insert.\($0)"), selected: false)
            })
    }

    func newForm(_ request: Request) async throws -> View {
        let c = try await Self.collaboration(request)
        try Self.requireWriter(request, c)
        let values = [
            "collaborations": c.id!.uuidString.lowercased(),
            "language": (c.timeZone == "Europe/Stockholm" ? Language.sv : Language.da).rawValue,
            "archive": NewsletterArchive.public.rawValue,
        ]
        return try await request.view.render(
            "newsletters/form",
            formContext(
                request, c, form: FormState(values: values), action: "/collaborations/\(c.slug)/newsletters",
                cancel: "/collaborations/\(c.slug)/newsletters", isNew: true))
    }

    /// The form's fields; check boxes of one name are joined by commas.
    static func values(_ request: Request) throws -> [String: String] {
        struct Form: Content {
            var subject: String?; var body: String?; var language: String?; var archive: String?;
            var municipalities: String?
            var collaborations: [String]?; var positions: [String]?; var regions: [String]?; var insert: String?
        }
        let f = try request.content.decode(Form.self)
        return [
            "subject": f.subject ?? "", "body": f.body ?? "", "language": f.language ?? "", "archive": f.archive ?? "",
            "municipalities": f.municipalities ?? "", "collaborations": (f.collaborations ?? []).joined(separator: ","),
            "positions": (f.positions ?? []).joined(separator: ","),
            "regions": (f.regions ?? []).joined(separator: ","), "insert": f.insert ?? "",
        ]
    }

    static func input(
        _ values: [String: String], sender c: Collaboration, request: Request
    ) async throws -> (
        subject: String, body: String, language: Language, archive: NewsletterArchive, audience: NewsletterAudience
    ) {
        var v = Validation()
        let subject = v.required("subject", values["subject"], maxLength: 200)
        let body = v.required("body", values["body"], maxLength: 100_000)
        for problem in SafeMarkdown.problems(body) { v.add("body", problem.key, problem.arguments) }
        let language = v.oneOf("language", values["language"], as: Language.self)
        let archive = v.oneOf("archive", values["archive"], as: NewsletterArchive.self)
        let allowed = Set(try await Self.senders(c, on: request.db).compactMap(\.id))
        let directory = request.municipalities
        let audience = NewsletterAudience.validate(
            collaborations: (values["collaborations"] ?? "").split(separator: ",").map(String.init), allowed: allowed,
            positions: (values["positions"] ?? "").split(separator: ",").map(String.init),
            municipalities: values["municipalities"] ?? "", directory: directory,
            regions: (values["regions"] ?? "").split(separator: ",").map(String.init),
            knownRegions: Set(directory.all.map(\.regionCode)), into: &v)
        try v.check()
        return (subject, body, language!, archive!, audience)
    }

    static func apply(
        _ input: (
            subject: String, body: String, language: Language, archive: NewsletterArchive, audience: NewsletterAudience
        ), to n: Newsletter
    ) {
        n.subject = input.subject
        n.body = input.body
        n.language = input.language.rawValue
        n.archive = input.archive.rawValue
        n.audience = input.audience
    }

    /// Markdown for what the sender has to tell about: its upcoming meetings, materials published
    /// in the last 60 days, published questionnaire results.
    static func insertion(
        _ kind: String, sender c: Collaboration, language: Language, request: Request
    ) async throws -> String {
        let base = request.settings.publicBaseURL
        let id = try c.requireID()
        func t(_ key: String) -> String { request.catalog.text(key, language) }
        switch kind {
        case "meetings":
            let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$status == MeetingStatus.published.rawValue
            )
            .filter(\.$startsAt > Date()).sort(\.$startsAt).limit(10).all()
            guard !meetings.isEmpty else { return "" }
            return "## \(t("newsletters.section.meetings"))\n\n"
                + meetings.map {
                    "- [\($0.title)](\(base)\($0.href)), \(DateText.dateTime($0.startsAt, language, zone: $0.timeZone))"
                }.joined(separator: "\n")
        case "materials":
            let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$status == EditorialStatus.published.rawValue
            )
            .filter(\.$publishedAt > Date().addingTimeInterval(-60 * 86_400)).sort(\.$publishedAt, .descending).limit(
                10
            ).all()
            guard !materials.isEmpty else { return "" }
            return "## \(t("newsletters.section.materials"))\n\n"
                + materials.map { "- [\($0.title)](\(base)\($0.href)): \($0.summary)" }.joined(separator: "\n")
        case "results":
            let published = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$publishedAt != nil
            ).sort(\.$publishedAt, .descending).limit(10).all()
            guard !published.isEmpty else { return "" }
            return "## \(t("newsletters.section.results"))\n\n"
                + published.map { "- [\($0.title)](\(base)/questionnaires/\($0.id!.uuidString.lowercased())/results)" }
                .joined(separator: "\n")
        default:
            return ""
        }
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await Self.collaboration(request)
        try Self.requireWriter(request, c)
        var values = try Self.values(request)
        if let kind = values["insert"], !kind.isEmpty {
            // A button that adds a section to the text: the form comes back with it.
            let section = try await Self.insertion(
                kind, sender: c, language: Language(rawValue: values["language"] ?? "") ?? request.language,
                request: request)
            values["body"] = [values["body"] ?? "", section.isEmpty ? "" : section].filter { !$0.isEmpty }.joined(
                separator: "\n\n")
            let form =
                section.isEmpty
                ? FormState(
                    values: values,
                    error: SamradError.invalid([FieldError(field: "body", "newsletters.nothing_to_insert")]),
                    request: request) : FormState(values: values)
            return try await request.view.render(
                "newsletters/form",
                formContext(
                    request, c, form: form, action: "/collaborations/\(c.slug)/newsletters",
                    cancel: "/collaborations/\(c.slug)/newsletters", isNew: true)
            ).encodeResponse(for: request)
        }
        do {
            let input = try await Self.input(values, sender: c, request: request)
            let n = Newsletter()
            n.collaborationID = try c.requireID()
            Self.apply(input, to: n)
            n.status = NewsletterStatus.draft.rawValue
            n.recipientCount = 0
            n.createdBy = request.actor.userID
            try await request.db.transaction { db in
                try await n.create(on: db)
                try await Audit.record(
                    "newsletter:create", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                    by: request, on: db)
            }
            return request.redirect(to: n.href, notice: "newsletters.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/form",
                formContext(
                    request, c, form: FormState(values: values, error: error, request: request),
                    action: "/collaborations/\(c.slug)/newsletters", cancel: "/collaborations/\(c.slug)/newsletters",
                    isNew: true))
        }
    }

    static func formValues(_ n: Newsletter, _ request: Request) -> [String: String] {
        [
            "subject": n.subject, "body": n.body, "language": n.language, "archive": n.archive,
            "collaborations": n.audience.collaborations.map { $0.uuidString.lowercased() }.joined(separator: ","),
            "positions": n.audience.positions.map(\.rawValue).joined(separator: ","),
            "regions": n.audience.regions.joined(separator: ","),
            "municipalities": n.audience.municipalities.compactMap { request.municipalities[$0] }
                .map(MunicipalityDirectory.label).joined(separator: ", "),
        ]
    }

    /// Drafts and scheduled newsletters are edited; a scheduled one goes back to draft.
    static func editable(_ request: Request) async throws -> (Newsletter, Collaboration) {
        let (n, c) = try await load(request)
        try requireWriter(request, c)
        guard n.statusValue == .draft || n.statusValue == .scheduled else {
            throw SamradError(.conflict, "newsletters.error.already_sent")
        }
        return (n, c)
    }

    func editForm(_ request: Request) async throws -> View {
        let (n, c) = try await Self.editable(request)
        return try await request.view.render(
            "newsletters/form",
            formContext(
                request, c, form: FormState(values: Self.formValues(n, request)), action: n.href, cancel: n.href,
                isNew: false))
    }

    func update(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        var values = try Self.values(request)
        if let kind = values["insert"], !kind.isEmpty {
            let section = try await Self.insertion(
                kind, sender: c, language: Language(rawValue: values["language"] ?? "") ?? request.language,
                request: request)
            values["body"] = [values["body"] ?? "", section].filter { !$0.isEmpty }.joined(separator: "\n\n")
            let form =
                section.isEmpty
                ? FormState(
                    values: values,
                    error: SamradError.invalid([FieldError(field: "body", "newsletters.nothing_to_insert")]),
                    request: request) : FormState(values: values)
            return try await request.view.render(
                "newsletters/form", formContext(request, c, form: form, action: n.href, cancel: n.href, isNew: false)
            ).encodeResponse(for: request)
        }
        do {
            let input = try await Self.input(values, sender: c, request: request)
            Self.apply(input, to: n)
            n.status = NewsletterStatus.draft.rawValue
            n.sendAt = nil
            try await request.db.transaction { db in
                try await n.save(on: db)
                try await Audit.record(
                    "newsletter:update", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                    by: request, on: db)
            }
            return request.redirect(to: n.href, notice: "newsletters.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/form",
                formContext(
                    request, c, form: FormState(values: values, error: error, request: request), action: n.href,
                    cancel: n.href, isNew: false))
        }
    }

    // MARK: Sending

    /// Now, or at a time in the sender's time zone; an empty audience is refused.
    func send(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        struct Form: Content { var when: String?; var at: String? }
        let form = try request.content.decode(Form.self)
        do {
            var v = Validation()
            var sendAt = Date()
            if form.when == "later" {
                if let date = DateText.parseLocal(form.at ?? "", zone: c.timeZone), date > Date() {
                    sendAt = date
                } else {
                    v.add("at", "newsletters.error.time")
                }
            }
            try v.check()
            let recipients = try await NewsletterSending.recipients(
                n, directory: request.municipalities, on: request.db)
            if recipients.isEmpty {
                throw SamradError.invalid([FieldError(field: "audience", "newsletters.error.empty_audience")])
            }
            n.status = NewsletterStatus.scheduled.rawValue
            n.sendAt = sendAt
            try await request.db.transaction { db in
                try await n.save(on: db)
                try await Audit.record(
                    "newsletter:send", subject: "newsletter", id: n.requireID().uuidString,
                    summary: "\(n.subject): \(recipients.count)", by: request, on: db)
            }
            return request.redirect(
                to: n.href, notice: form.when == "later" ? "newsletters.scheduled" : "newsletters.sending")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/show",
                showContext(
                    request, n, c, form: FormState(values: ["at": form.at ?? ""], error: error, request: request)))
        }
    }

    func cancel(_ request: Request) async throws -> Response {
        let (n, _) = try await Self.editable(request)
        n.status = NewsletterStatus.draft.rawValue
        n.sendAt = nil
        try await n.save(on: request.db)
        return request.redirect(to: n.href, notice: "newsletters.cancelled")
    }

    func delete(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        try await request.db.transaction { db in
            try await n.delete(on: db)
            try await Audit.record(
                "newsletter:delete", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                by: request, on: db)
        }
        return request.redirect(to: "/collaborations/\(c.slug)/newsletters", notice: "newsletters.deleted")
    }

    // MARK: Unsubscribing

    struct UnsubscribeContext: Encodable {
        var page: PageContext; var collaboration: String; var email: String; var done: Bool; var action: String
    }

    static func delivery(_ request: Request) async throws -> (NewsletterDelivery, Collaboration) {
        guard let token = request.parameters.get("token"), token.count < 100,
            let delivery = try await NewsletterDelivery.query(on: request.db).filter(\.$tokenHash == Secret.hash(token))
                .first(),
            let n = try await Newsletter.find(delivery.newsletterID, on: request.db),
            let c = try await Collaboration.find(n.collaborationID, on: request.db)
        else { throw SamradError.notFound("newsletters.error.link") }
        return (delivery, c)
    }

    func unsubscribePage(_ request: Request) async throws -> View {
        let (delivery, c) = try await Self.delivery(request)
        let done =
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == delivery.email).filter(
                \.$collaborationID == c.requireID()
            ).count() > 0
        return try await request.view.render(
            "newsletters/unsubscribe",
            UnsubscribeContext(
                page: PageContext(request, titleKey: "newsletters.unsubscribe_title"), collaboration: c.title,
                email: delivery.email, done: done, action: request.url.path))
    }

    /// One click (RFC 8058): a mail program's POST, or the page's button. No session is needed.
    func unsubscribe(_ request: Request) async throws -> Response {
        let (delivery, c) = try await Self.delivery(request)
        try await Self.setSubscribed(false, email: delivery.email, collaborationID: c.requireID(), on: request.db)
        if request.headers.contentType == .urlEncodedForm,
            (try? request.content.get(String.self, at: "List-Unsubscribe")) == "One-Click"
        {
            return Response(status: .ok)
        }
        return try await request.view.render(
            "newsletters/unsubscribe",
            UnsubscribeContext(
                page: PageContext(request, titleKey: "newsletters.unsubscribe_title"), collaboration: c.title,
                email: delivery.email, done: true, action: request.url.path)
        )
        .encodeResponse(for: request)
    }

    static func setSubscribed(
        _ subscribed: Bool, email: String, collaborationID: UUID, on db: any Database
    ) async throws {
        let existing = NewsletterUnsubscription.query(on: db).filter(\.$email == email).filter(
            \.$collaborationID == collaborationID)
        if subscribed {
            try await existing.delete()
        } else if try await existing.count() == 0 {
            try await NewsletterUnsubscription(email: email, collaborationID: collaborationID).create(on: db)
        }
    }

    // MARK: Subscriptions on the profile

    struct SubscriptionRow: Encodable { var title: String; var href: String; var subscribed: Bool; var action: String }
    struct SubscriptionsContext: Encodable { var page: PageContext; var email: String; var rows: [SubscriptionRow] }

    /// The collaborations whose newsletters reach the signed-in person (by a seat or an attachment),
    /// and those already unsubscribed from.
    static func subscriptionRows(_ request: Request, user: User) async throws -> [SubscriptionRow] {
        let email = user.email.lowercased()
        var ids = Set(
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == email).all(\.$collaborationID))
        if let personID = user.personID {
            let seats = try await RegistrationSeat.query(on: request.db).filter(\.$personID == personID).all(
                \.$registrationID)
            ids.formUnion(
                try await Registration.query(on: request.db).filter(\.$id ~~ seats).filter(
                    \.$status == RegistrationStatus.registered.rawValue
                ).all(\.$collaborationID))
            ids.formUnion(
                try await CollaborationRole.query(on: request.db).filter(\.$personID == personID).all(
                    \.$collaborationID))
        }
        let unsubscribed = Set(
            try await NewsletterUnsubscription.query(on: request.db).filter(\.$email == email).all(\.$collaborationID))
        return try await Collaboration.query(on: request.db).filter(\.$id ~~ ids).sort(\.$title).all().map { c in
            SubscriptionRow(
                title: c.title, href: "/collaborations/\(c.slug)/newsletters",
                subscribed: !unsubscribed.contains(c.id!),
                action: "/profile/newsletters/\(c.id!.uuidString.lowercased())")
        }
    }

    func subscriptions(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        return try await request.view.render(
            "newsletters/subscriptions",
            SubscriptionsContext(
                page: PageContext(request, titleKey: "newsletters.subscriptions"), email: user.email,
                rows: Self.subscriptionRows(request, user: user)))
    }

    func changeSubscription(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard let id = request.parameterID("collaboration"),
            try await Collaboration.find(id, on: request.db) != nil
        else {
            throw SamradError.notFound()
        }
        struct Form: Content { var subscribed: String? }
        let subscribed = try request.content.decode(Form.self).subscribed == "yes"
        try await Self.setSubscribed(subscribed, email: user.email.lowercased(), collaborationID: id, on: request.db)
        return request.redirect(
            to: "/profile/newsletters", notice: subscribed ? "newsletters.subscribed" : "newsletters.unsubscribed")
    }
}
