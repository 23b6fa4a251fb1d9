import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The knowledge bank: search and browse published materials, read one at its stable address,
/// write and submit one, review and publish as an editor, follow the Atom feed.
struct KnowledgePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let bank = routes.grouped("knowledge")
        bank.get(use: index)
        bank.get("feed.atom", use: feed)
        bank.get("new", use: newForm)
        bank.post(use: create)
        bank.get("mine", use: mine)
        bank.get("review", use: reviewQueue)
        bank.get(":slug", use: show)
        bank.get(":slug", "edit", use: editForm)
        bank.post(":slug", use: update)
        bank.post(":slug", "steps", ":step", use: takeStep)
        bank.post(":slug", "delete", use: delete)
        bank.upload(
            ":slug", "attachments", maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)],
            gate: { try $0.require(try await KnowledgeAccess.load($0).mayEdit) },
            use: attach)
        bank.get(":slug", "attachments", ":attachment", use: download)
        bank.post(":slug", "attachments", ":attachment", "delete", use: detach)
    }

    /// Addresses the bank's own pages use; a title never becomes one of them.
    static let reservedSlugs: Set<String> = ["feed-atom", "feed", "new", "mine", "review"]

    // MARK: Search and browse

    struct ResultView: Encodable {
        var href: String; var title: String; var kind: String; var meta: String
        /// Escaped here with the hits marked: one string instead of a template loop per piece.
        var passageHTML: String
        var themes: [Link]
    }
    struct IndexContext: Encodable {
        var page: PageContext; var q: String; var themes: [Option]; var countries: [Option]; var kinds: [Option];
        var years: [Option]
        var municipality: String; var municipalityName: String?
        var results: [ResultView]; var summary: String; var previous: String?; var next: String?
        var mayWrite: Bool; var reviewCount: Int; var searched: Bool; var collaboration: String
    }

    static func query(_ request: Request) -> KnowledgeSearch.Query {
        var q = KnowledgeSearch.Query()
        q.text = String((request.query[String.self, at: "q"] ?? "").prefix(200))
        q.theme = request.query[String.self, at: "theme"].flatMap { $0.isEmpty ? nil : $0 }
        q.country = request.query[String.self, at: "country"].flatMap(Country.init(rawValue:))
        if case .found(let m) = request.municipalities.resolve(request.query[String.self, at: "municipality"] ?? "") {
            q.municipality = m.key
        }
        q.kind = request.query[String.self, at: "kind"].flatMap(MaterialKind.init(rawValue:))
        q.year = request.query[Int.self, at: "year"].flatMap { (1990...2200).contains($0) ? $0 : nil }
        let page = max(1, min(request.query[Int.self, at: "page"] ?? 1, 500))
        q.offset = (page - 1) * q.limit
        return q
    }

    /// The page says in a Server-Timing header how long the search took and the rest of the page.
    func index(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let reader = try await request.collaborationReader()
        var query = Self.query(request)
        if let slug = request.query[String.self, at: "collaboration"], !slug.isEmpty {
            // Nothing matches an unknown collaboration, rather than everything.
            query.collaborationID =
                try await Collaboration.query(on: request.db).filter(\.$slug == slug).first()?.id ?? UUID()
        }
        let (hits, total) = try await KnowledgeSearch.search(query, reader: reader, on: request.db)
        let searched = ContinuousClock.now
        let results = try await Self.results(hits.map(\.id), query: query.text, request: request)
        let resulted = ContinuousClock.now
        let language = request.language
        let themes = try await Self.themes(request)
        let firstYear = try await KnowledgeMaterial.query(on: request.db).filter(
            \.$status == EditorialStatus.published.rawValue
        )
        .sort(\.$publishedAt).first()?.publishedAt.map { Calendar(identifier: .gregorian).component(.year, from: $0) }
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        let years = firstYear.map { Array(stride(from: thisYear, through: min($0, thisYear), by: -1)) } ?? []
        let page = query.offset / query.limit + 1
        func link(_ page: Int) -> String {
            var items = [URLQueryItem]()
            for name in ["q", "theme", "country", "municipality", "kind", "year", "collaboration"] {
                if let value = request.query[String.self, at: name], !value.isEmpty {
                    items.append(URLQueryItem(name: name, value: value))
                }
            }
            items.append(URLQueryItem(name: "page", value: String(page)))
            var components = URLComponents()
            components.queryItems = items
            return "/knowledge?" + (components.percentEncodedQuery ?? "")
        }
        let filtered =
            !query.text.trimmingCharacters(in: .whitespaces).isEmpty || query.theme != nil || query.country != nil
            || query.municipality != nil || query.kind != nil || query.year != nil || query.collaborationID != nil
        let shown = [String(query.offset + 1), String(query.offset + hits.count)]
        let summary =
            total == 0
            ? request.t(filtered ? "knowledge.no_results" : "knowledge.empty")
            : total > KnowledgeSearch.countLimit
                ? request.t(
                    "knowledge.results_many", [NumberText.integer(KnowledgeSearch.countLimit, language)] + shown)
                : request.t("knowledge.results_count", [NumberText.integer(total, language)] + shown)
        var reviewCount = 0
        if reader.actor.isAdministrator || !reader.editorOf.isEmpty {
            reviewCount = try await Self.reviewQuery(reader, on: request.db).count()
        }
        let rendering = ContinuousClock.now
        let response = try await request.view.render(
            "knowledge/index",
            IndexContext(
                page: PageContext(request, titleKey: "knowledge.title"), q: query.text,
                themes: [Option(value: "", label: request.t("knowledge.any_theme"), selected: query.theme == nil)]
                    + themes.map { Option(value: $0, label: $0, selected: $0 == query.theme) },
                countries: [
                    Option(value: "", label: request.t("knowledge.any_country"), selected: query.country == nil)
                ]
                    + Country.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                            selected: $0 == query.country)
                    },
                kinds: [Option(value: "", label: request.t("knowledge.any_kind"), selected: query.kind == nil)]
                    + MaterialKind.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("knowledge.kind.\($0.rawValue)"),
                            selected: $0 == query.kind)
                    },
                years: [Option(value: "", label: request.t("knowledge.any_year"), selected: query.year == nil)]
                    + years.map { Option(value: String($0), label: String($0), selected: $0 == query.year) },
                municipality: request.municipalities.label(of: query.municipality),
                municipalityName: query.municipality.flatMap { request.municipalities[$0]?.name },
                results: results, summary: summary, previous: page > 1 ? link(page - 1) : nil,
                next: hits.count == query.limit
                    && (query.offset + hits.count < total || total > KnowledgeSearch.countLimit) ? link(page + 1) : nil,
                mayWrite: KnowledgePolicy.mayWrite(request.actor),
                reviewCount: reviewCount, searched: filtered,
                collaboration: request.query[String.self, at: "collaboration"] ?? "")
        ).encodeResponse(for: request)
        func ms(_ d: Duration) -> String { String(format: "%.1f", d.milliseconds) }
        let done = ContinuousClock.now
        response.headers.replaceOrAdd(
            name: "Server-Timing",
            value:
                "search;dur=\(ms(searched - started)), page;dur=\(ms(done - searched)), "
                + "results;dur=\(ms(resulted - searched)), render;dur=\(ms(done - rendering))"
        )
        return response
    }

    /// What a result shows of a material, read as plain columns: decoding twenty whole models
    /// cost more than the search itself.
    struct ResultRow: Decodable {
        var id: UUID; var slug: String; var kind: String; var title: String; var summary: String
        var body: String; var body_text: String?; var themes: [String]; var authors: [String]; var language: String
        var municipality_country: String?; var municipality_code: String?; var school: String?; var published_at: Date?
    }

    /// The materials of `ids` in that order, each with its passage around the query's words.
    static func results(_ ids: [UUID], query: String, request: Request) async throws -> [ResultView] {
        guard !ids.isEmpty else { return [] }
        let sql = request.db.sql
        let rows = try await sql.raw(
            """
            SELECT id, slug, kind, title, summary, body, body_text, themes, authors, language, municipality_country,
                municipality_code, school, published_at
            FROM knowledge_materials WHERE id IN (\(binds: ids.map { $0 as any Encodable & Sendable }))
            """
        ).all(decoding: ResultRow.self)
        let materials = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        let words = query.trimmingCharacters(in: .whitespaces)
        return ids.compactMap { materials[$0] }.map { m in
            let language = Language(rawValue: m.language) ?? .da
            let text = words.isEmpty ? m.summary : m.summary + " " + (m.body_text ?? SafeMarkdown.plainText(m.body))
            let passage = SearchText.passage(text, query: words, language: language, length: 240)
            return ResultView(
                href: "/knowledge/\(m.slug)", title: m.title, kind: request.t("knowledge.kind.\(m.kind)"),
                meta: meta(m, request: request),
                passageHTML: passage.map {
                    $0.hit ? "<mark>\(HTMLText.escape($0.text))</mark>" : HTMLText.escape($0.text)
                }.joined(),
                themes: m.themes.map { Link(href: "/knowledge?theme=\(urlEncoded($0))", label: $0) })
        }
    }

    static func meta(_ m: ResultRow, request: Request) -> String {
        var parts: [String] = []
        if let country = m.municipality_country.flatMap(Country.init(rawValue:)), let code = m.municipality_code {
            let key = MunicipalityKey(country, code)
            parts.append(request.municipalities[key]?.name ?? key.description)
        }
        if let school = m.school { parts.append(school) }
        parts.append(m.authors.joined(separator: ", "))
        if let date = m.published_at { parts.append(DateText.date(date, request.language, zone: "Europe/Copenhagen")) }
        return parts.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    static func urlEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// Themes to filter by: those of the collaborations and of the public materials (a theme of a
    /// private material is not shown to others). The distinct listed themes are read by jumping
    /// from one to the next in their index, so a few lookups serve however many materials there are.
    static func themes(_ request: Request) async throws -> [String] {
        let sql = request.db.sql
        struct Row: Decodable { var theme: String? }
        let used = try await sql.raw(
            """
            WITH RECURSIVE listed(theme) AS (
              SELECT MIN(theme) FROM knowledge_themes WHERE listed = \(bind: true)
              UNION ALL
              SELECT (SELECT MIN(theme) FROM knowledge_themes WHERE listed = \(bind: true) AND theme > listed.theme)
                  FROM listed WHERE listed.theme IS NOT NULL
            )
            SELECT theme FROM listed WHERE theme IS NOT NULL
            """
        ).all(decoding: Row.self).compactMap(\.theme)
        let collaborations = try await Collaboration.query(on: request.db).all(\.$themes).flatMap { $0 }
        return Set(used + collaborations.map { $0.trimmingCharacters(in: .whitespaces) }).filter { !$0.isEmpty }
            .sorted { $0.localizedCaseInsensitiveCompare($1) == .orderedAscending }
    }

    // MARK: The Atom feed

    /// The newest public materials (of one theme with ?theme=): only what anybody may read.
    func feed(_ request: Request) async throws -> Response {
        var query = KnowledgeSearch.Query()
        query.theme = request.query[String.self, at: "theme"].flatMap { $0.isEmpty ? nil : $0 }
        query.limit = 50
        let (hits, _) = try await KnowledgeSearch.search(
            query, reader: CollaborationReader(actor: .visitor, memberOf: [], editorOf: []), on: request.db)
        let materials = Dictionary(
            uniqueKeysWithValues: try await KnowledgeMaterial.query(on: request.db).filter(\.$id ~~ hits.map(\.id))
                .all().map { ($0.id!, $0) })
        let base = request.settings.publicBaseURL
        let entries = hits.compactMap { materials[$0.id] }.map { m in
            AtomFeed.Entry(
                id: "\(base)\(m.href)", title: m.title, link: "\(base)\(m.href)",
                updated: m.updatedAt ?? m.publishedAt ?? Date(),
                published: m.publishedAt, authors: m.authors, summary: m.summary,
                contentHTML: SafeMarkdown.html(m.body), categories: m.themes)
        }
        let selfLink = "\(base)/knowledge/feed.atom" + (query.theme.map { "?theme=\(Self.urlEncoded($0))" } ?? "")
        let feed = AtomFeed(
            id: selfLink, title: request.t("knowledge.feed_title") + (query.theme.map { ": \($0)" } ?? ""),
            selfLink: selfLink,
            pageLink: "\(base)/knowledge", language: request.language, entries: entries)
        let response = Response(status: .ok, body: .init(string: feed.xml))
        response.headers.replaceOrAdd(name: .contentType, value: AtomFeed.contentType)
        return response
    }

    // MARK: One material

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
    }

    static func showContext(
        _ request: Request, _ access: KnowledgeAccess, uploadForm: FormState = FormState(),
        stepForm: FormState = FormState()
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
            uploadForm: uploadForm, stepForm: stepForm, stableURL: request.settings.publicBaseURL + m.href)
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

    // MARK: Writing

    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var kinds: [Option]; var languages: [Option];
        var licences: [Option]
        var visibilities: [Option]; var bands: [Option]; var collaborations: [Option]; var themeSuggestions: [String];
        var consent: Bool
        var cancel: String; var isNew: Bool
    }

    static let bandFields = GradeBand.allCases.map { "band_\($0.rawValue)" }

    func formContext(
        _ request: Request, form: FormState, action: String, cancel: String, isNew: Bool
    ) async throws -> FormContext {
        let reader = try await request.collaborationReader()
        let values = form.values
        let ids = reader.actor.isAdministrator ? nil : reader.memberOf.union(reader.editorOf)
        var collaborationQuery = Collaboration.query(on: request.db).sort(\.$title)
        if let ids { collaborationQuery = collaborationQuery.filter(\.$id ~~ ids) }
        let collaborations = try await collaborationQuery.all()
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ field: String, _ prefix: String) -> [Option]
        where T.RawValue == String {
            T.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t(prefix + $0.rawValue), selected: values[field] == $0.rawValue)
            }
        }
        let bands = Set((values["grade_bands"] ?? "").split(separator: ",").map(String.init))
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "knowledge.new" : "knowledge.edit"), form: form,
            action: action,
            kinds: options(MaterialKind.self, "kind", "knowledge.kind."),
            languages: Language.allCases.map {
                Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
            },
            licences: options(MaterialLicence.self, "licence", "knowledge.licence."),
            visibilities: options(MaterialVisibility.self, "visibility", "knowledge.visibility_choice."),
            bands: GradeBand.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("knowledge.band.\($0.rawValue)"),
                    selected: bands.contains($0.rawValue))
            },
            collaborations: [
                Option(
                    value: "", label: request.t("knowledge.no_collaboration"),
                    selected: (values["collaboration"] ?? "").isEmpty)
            ]
                + collaborations.map {
                    Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.title,
                        selected: values["collaboration"] == $0.id!.uuidString.lowercased())
                },
            themeSuggestions: try await Self.themes(request),
            consent: ["on", "true"].contains(values["consent"] ?? ""),
            cancel: cancel, isNew: isNew)
    }

    func newForm(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        let own = try await request.recordedMunicipality()
        let values = [
            "kind": MaterialKind.article.rawValue,
            "language": (own?.country == .se ? Language.sv : request.language).rawValue,
            "licence": MaterialLicence.ccBy.rawValue, "visibility": MaterialVisibility.public.rawValue,
            "authors": user.name, "contact": user.email, "municipality": request.municipalities.label(of: own),
            "collaboration": request.query[String.self, at: "collaboration"] ?? "",
        ]
        return try await request.view.render(
            "knowledge/form",
            formContext(
                request, form: FormState(values: values), action: "/knowledge", cancel: "/knowledge", isNew: true))
    }

    /// The posted form's values, grade band boxes joined into one field.
    static func values(_ request: Request) throws -> [String: String] {
        let posted = try request.content.decode([String: String].self)
        var values = posted.filter { MaterialDraft.fields.contains($0.key) }
        values["grade_bands"] = GradeBand.allCases.filter { posted["band_\($0.rawValue)"] != nil }.map(\.rawValue)
            .joined(separator: ",")
        return values
    }

    /// Reads and checks the form: the draft, its municipality and collaboration.
    static func input(
        _ values: [String: String], reader: CollaborationReader, request: Request
    ) async throws -> (MaterialDraft, MunicipalityKey?, UUID?) {
        var v = Validation()
        let draft = MaterialDraft.validate(values, into: &v)
        var municipality: MunicipalityKey?
        municipality = request.municipalities.municipality("municipality", values["municipality"], &v)?.key
        var collaborationID: UUID?
        if let text = values["collaboration"], !text.isEmpty {
            if let id = UUID(uuidString: text), try await Collaboration.find(id, on: request.db) != nil,
                KnowledgePolicy.mayShare(with: id, reader)
            {
                collaborationID = id
            } else {
                v.add("collaboration", "validation.choice")
            }
        }
        try v.check()
        return (draft!, municipality, collaborationID)
    }

    static func apply(_ input: (MaterialDraft, MunicipalityKey?, UUID?), to m: KnowledgeMaterial) {
        let (draft, municipality, collaborationID) = input
        m.kind = draft.kind.rawValue
        m.title = draft.title
        m.summary = draft.summary
        m.body = draft.body
        m.themes = draft.themes
        m.gradeBands = draft.gradeBands.map(\.rawValue)
        m.authors = draft.authors
        m.contact = draft.contact
        m.school = draft.school
        m.language = draft.language.rawValue
        m.licence = draft.licence.rawValue
        m.consent = draft.consent
        m.visibility = draft.visibility.rawValue
        m.municipalityCountry = municipality?.country.rawValue
        m.municipalityCode = municipality?.code
        m.country =
            municipality?.country.rawValue ?? (draft.language == .da ? "dk" : draft.language == .sv ? "se" : nil)
        m.collaborationID = collaborationID
    }

    /// Saves the material, its themes and its search entry together.
    static func save(_ m: KnowledgeMaterial, audit: String, request: Request, on db: any Database) async throws {
        m.bodyText = SafeMarkdown.plainText(m.body)
        try await m.save(on: db)
        let id = try m.requireID()
        try await KnowledgeTheme.query(on: db).filter(\.$materialID == id).delete()
        for theme in m.themes {
            try await KnowledgeTheme(materialID: id, theme: theme, listed: m.listsThemes).create(on: db)
        }
        try await KnowledgeSearch.index(m, on: db)
        try await Audit.record(audit, subject: "knowledge", id: id.uuidString, summary: m.title, by: request, on: db)
    }

    static func uniqueSlug(_ title: String, _ language: Language, on db: any Database) async throws -> String {
        let base = MaterialDraft.slug(title, language)
        let taken = Set(try await KnowledgeMaterial.query(on: db).filter(\.$slug =~ base).all(\.$slug))
        var slug = base
        var n = 2
        while taken.contains(slug) || reservedSlugs.contains(slug) {
            slug = "\(base)-\(n)"
            n += 1
        }
        return slug
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        let reader = try await request.collaborationReader()
        let values = try Self.values(request)
        do {
            let input = try await Self.input(values, reader: reader, request: request)
            let m = KnowledgeMaterial()
            Self.apply(input, to: m)
            m.status = EditorialStatus.draft.rawValue
            m.createdBy = request.actor.userID
            m.slug = try await Self.uniqueSlug(m.title, m.languageValue, on: request.db)
            try await request.db.transaction { db in
                try await Self.save(m, audit: "knowledge:create", request: request, on: db)
            }
            return request.redirect(to: m.href, notice: "knowledge.saved_draft")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request),
                    action: "/knowledge", cancel: "/knowledge", isNew: true))
        }
    }

    static func formValues(_ m: KnowledgeMaterial, _ request: Request) -> [String: String] {
        [
            "kind": m.kind, "title": m.title, "summary": m.summary, "body": m.body,
            "themes": m.themes.joined(separator: ", "),
            "grade_bands": m.gradeBands.joined(separator: ","), "authors": m.authors.joined(separator: "\n"),
            "contact": m.contact ?? "",
            "school": m.school ?? "", "language": m.language, "licence": m.licence, "consent": m.consent ? "on" : "",
            "visibility": m.visibility,
            "municipality": request.municipalities.label(of: m.municipality),
            "collaboration": m.collaborationID?.uuidString.lowercased() ?? "",
        ]
    }

    func editForm(_ request: Request) async throws -> View {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let m = access.material
        return try await request.view.render(
            "knowledge/form",
            formContext(
                request, form: FormState(values: Self.formValues(m, request)), action: m.href, cancel: m.href,
                isNew: false))
    }

    func update(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let m = access.material
        let values = try Self.values(request)
        do {
            let input = try await Self.input(values, reader: access.reader, request: request)
            // A published material's consent cannot be taken back by editing; it is unpublished first.
            if m.statusValue == .published || m.statusValue == .submitted {
                try MaterialDraft.requireConsent(input.0.consent)
            }
            Self.apply(input, to: m)
            try await request.db.transaction { db in
                try await Self.save(m, audit: "knowledge:update", request: request, on: db)
            }
            return request.redirect(to: m.href, notice: "knowledge.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request),
                    action: m.href, cancel: m.href, isNew: false))
        }
    }

    // MARK: The editorial workflow

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

    // MARK: Lists of one's own and for review

    struct RowView: Encodable {
        var href: String; var title: String; var status: String; var statusKey: String; var detail: String
    }
    struct ListContext: Encodable { var page: PageContext; var rows: [RowView]; var empty: String }

    static func rows(_ materials: [KnowledgeMaterial], request: Request) -> [RowView] {
        materials.map { m in
            RowView(
                href: m.href, title: m.title, status: request.t("knowledge.status.\(m.status)"), statusKey: m.status,
                detail: [
                    request.t("knowledge.kind.\(m.kind)"), m.authors.joined(separator: ", "),
                    (m.updatedAt ?? m.createdAt).map { DateText.date($0, request.language, zone: "Europe/Copenhagen") }
                        ?? "",
                ].filter { !$0.isEmpty }.joined(separator: " · "))
        }
    }

    func mine(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$createdBy == user.requireID()).sort(
            \.$updatedAt, .descending
        ).all()
        return try await request.view.render(
            "knowledge/list",
            ListContext(
                page: PageContext(request, titleKey: "knowledge.mine"),
                rows: Self.rows(materials, request: request), empty: request.t("knowledge.mine_empty")))
    }

    static func reviewQuery(_ reader: CollaborationReader, on db: any Database) -> QueryBuilder<KnowledgeMaterial> {
        let query = KnowledgeMaterial.query(on: db).filter(\.$status == EditorialStatus.submitted.rawValue)
        return reader.actor.isAdministrator ? query : query.filter(\.$collaborationID ~~ reader.editorOf)
    }

    func reviewQueue(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        let reader = try await request.collaborationReader()
        try request.require(reader.actor.isAdministrator || !reader.editorOf.isEmpty)
        let materials = try await Self.reviewQuery(reader, on: request.db).sort(\.$submittedAt).all()
        return try await request.view.render(
            "knowledge/list",
            ListContext(
                page: PageContext(request, titleKey: "knowledge.review"),
                rows: Self.rows(materials, request: request), empty: request.t("knowledge.review_empty")))
    }

    // MARK: Attachments

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

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
