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
        bank.grouped(ConditionalGET()).get("feed.atom", use: feed)
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
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
