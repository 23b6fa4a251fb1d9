import Fluent
import Foundation
import SamradCore
import SQLKit

/// Full-text search of the knowledge bank. On PostgreSQL a `tsvector` column built with the text's
/// own configuration (`danish`, `swedish`; `simple` for English) and a GIN index; on SQLite an FTS5
/// table holding the stems `SearchText` makes with the same Snowball stemmers and stop words. A query
/// is stemmed per language and matches a text when all its words do in the text's language, so both
/// databases find the same materials; ranking weighs the title over the summary over the body.
enum KnowledgeSearch {
    static func prepare(_ sql: any SQLDatabase) async throws {
        if sql.isPostgres {
            try await sql.raw("ALTER TABLE knowledge_materials ADD COLUMN search tsvector").run()
            try await sql.raw("CREATE INDEX knowledge_materials_search ON knowledge_materials USING GIN (search)").run()
        } else {
            // One index per language: a query is stemmed per language and meets only texts of it.
            for language in Language.allCases {
                try await sql.raw(
                    """
                    CREATE VIRTUAL TABLE \(unsafeRaw: table(language)) USING fts5(title, summary, body, facets,
                        tokenize = 'unicode61 remove_diacritics 0')
                    """
                ).run()
            }
        }
    }

    static func revert(_ sql: any SQLDatabase) async throws {
        if !sql.isPostgres {
            for language in Language.allCases {
                try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table(language))").run()
            }
        }
    }

    /// SQLite's index of the texts in `language`; its rows are the materials' search keys.
    static func table(_ language: Language) -> String { "knowledge_search_\(language.rawValue)" }

    static func configuration(_ language: Language) -> String {
        switch language {
        case .da: "danish"
        case .sv: "swedish"
        case .en: "simple"
        }
    }

    /// (Re)indexes a material; called in the transaction that saves it.
    static func index(_ m: KnowledgeMaterial, on db: any Database) async throws {
        let sql = db.sql
        let id = try m.requireID()
        let body = m.plainBody
        if sql.isPostgres {
            let config = configuration(m.languageValue)
            try await sql.raw(
                """
                UPDATE knowledge_materials SET search =
                  setweight(to_tsvector(\(literal: config)::regconfig, \(bind: m.title)), 'A')
                  || setweight(to_tsvector(\(literal: config)::regconfig, \(bind: m.summary)), 'B')
                  || setweight(to_tsvector(\(literal: config)::regconfig, \(bind: body)), 'C')
                WHERE id = \(bind: id)
                """
            ).run()
        } else {
            // The index row is the material's search key, given once: deleting and finding a row
            // by it is a lookup, where a column of the FTS table would be a scan.
            try await sql.raw(
                """
                UPDATE knowledge_materials SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM
                    knowledge_materials)
                WHERE id = \(bind: id) AND search_key IS NULL
                """
            ).run()
            struct Key: Decodable { var search_key: Int }
            guard
                let key = try await sql.raw("SELECT search_key FROM knowledge_materials WHERE id = \(bind: id)").first(
                    decoding: Key.self)?.search_key
            else { return }
            let language = m.languageValue
            for other in Language.allCases {
                try await sql.raw("DELETE FROM \(unsafeRaw: table(other)) WHERE rowid = \(bind: key)").run()
            }
            try await sql.raw(
                """
                INSERT INTO \(unsafeRaw: table(language)) (rowid, title, summary, body, facets)
                VALUES (\(bind: key), \(bind: SearchText.stems(m.title, language)),
                    \(bind: SearchText.stems(m.summary, language)),
                        \(bind: SearchText.stems(body, language)), \(bind: facets(m).joined(separator: " ")))
                """
            ).run()
        }
    }

    /// The filters' values as tokens of the index's `facets` column, so that a filtered search is
    /// ranked among the materials that pass the filter only: kind, country, municipality, year of
    /// publication (Danish time), collaboration and each theme (by a hash of its name).
    static func facets(_ m: KnowledgeMaterial) -> [String] {
        var tokens = [facet(kind: m.kindValue)]
        if let country = m.country.flatMap(Country.init(rawValue:)) { tokens.append(facet(country: country)) }
        if let key = m.municipality { tokens.append(facet(municipality: key)) }
        if let at = m.publishedAt { tokens.append(facet(year: year(of: at))) }
        if let id = m.collaborationID { tokens.append(facet(collaboration: id)) }
        tokens += m.themes.map(facet(theme:))
        return tokens
    }

    static func facet(kind: MaterialKind) -> String { "k" + kind.rawValue.filter(\.isLetter) }
    static func facet(country: Country) -> String { "c" + country.rawValue }
    static func facet(municipality: MunicipalityKey) -> String {
        "m" + municipality.country.rawValue + municipality.code
    }
    static func facet(year: Int) -> String { "y\(year)" }
    static func facet(collaboration: UUID) -> String {
        "o" + collaboration.uuidString.lowercased().filter { $0 != "-" }
    }
    /// FNV-1a of the theme's lower-cased UTF-8: a token of letters and digits for any name.
    static func facet(theme: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in theme.trimmingCharacters(in: .whitespaces).lowercased().utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "t" + String(hash, radix: 16)
    }

    static func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        return calendar.component(.year, from: date)
    }

    /// The facet tokens a query's filters require.
    static func facets(_ query: Query) -> [String] {
        var tokens: [String] = []
        if let kind = query.kind { tokens.append(facet(kind: kind)) }
        if let country = query.country { tokens.append(facet(country: country)) }
        if let key = query.municipality { tokens.append(facet(municipality: key)) }
        if let year = query.year { tokens.append(facet(year: year)) }
        if let id = query.collaborationID { tokens.append(facet(collaboration: id)) }
        if let theme = query.theme { tokens.append(facet(theme: theme)) }
        return tokens
    }

    /// Indexes every material again, a thousand per transaction.
    static func reindex(on db: any Database) async throws -> Int {
        var done = 0
        while true {
            let batch = try await KnowledgeMaterial.query(on: db).sort(\.$id).range(done..<(done + 1_000)).all()
            if batch.isEmpty { return done }
            try await db.transaction { tx in
                for m in batch { try await index(m, on: tx) }
            }
            done += batch.count
        }
    }

    static func remove(_ id: UUID, on db: any Database) async throws {
        let sql = db.sql
        if !sql.isPostgres {
            for language in Language.allCases {
                try await sql.raw(
                    "DELETE FROM \(unsafeRaw: table(language)) WHERE rowid = (SELECT search_key FROM "
                        + "knowledge_materials WHERE id = \(bind: id))"
                ).run()
            }
        }
    }

    /// What the bank's search form asks for.
    struct Query: Sendable {
        var text = ""
        var theme: String?
        var country: Country?
        var municipality: MunicipalityKey?
        var kind: MaterialKind?
        var year: Int?
        var collaborationID: UUID?
        var offset = 0
        var limit = 20
    }

    struct Hit { var id: UUID; var rank: Double }

    /// Above this many matches the total is given as "more than": counting every match of a common
    /// word would cost more than finding the best twenty.
    static let countLimit = 200

    /// A word found in tens of thousands of materials is ranked among its newest matches only:
    /// ranking reads every ranked match's sizes and positions, and the best twenty of the newest
    /// 2,000 are as useful as those of 50,000 at a tenth of the cost. Fewer matches are all ranked.
    static let rankingPool = 2_000

    /// The pool for a window of candidates: the same from page to page while it is four times the window.
    static func pool(covering window: Int) -> Int {
        var pool = rankingPool
        while pool < window * 4 { pool *= 4 }
        return pool
    }

    /// The published materials the reader may see that match, best first (newest first without
    /// search words), and how many there are in all.
    static func search(
        _ query: Query, reader: CollaborationReader, on db: any Database
    ) async throws -> (hits: [Hit], total: Int) {
        let sql = db.sql
        let postgres = sql.isPostgres
        var conditions: [SQLQueryString] = ["m.status = \(bind: EditorialStatus.published.rawValue)", visible(reader)]
        // Looked up per material: an IN list would first gather every material of the theme.
        if let theme = query.theme {
            conditions.append(
                "EXISTS (SELECT 1 FROM knowledge_themes t WHERE t.material_id = m.id AND t.theme = \(bind: theme))")
        }
        if let country = query.country { conditions.append("m.country = \(bind: country.rawValue)") }
        if let key = query.municipality {
            conditions.append(
                "m.municipality_country = \(bind: key.country.rawValue) AND m.municipality_code = \(bind: key.code)")
        }
        if let kind = query.kind { conditions.append("m.kind = \(bind: kind.rawValue)") }
        if let collaborationID = query.collaborationID {
            conditions.append("m.collaboration_id = \(bind: collaborationID)")
        }
        if let year = query.year {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
            let from = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
            let to = calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1))!
            conditions.append("m.published_at >= \(bind: from) AND m.published_at < \(bind: to)")
        }
        let words = query.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let from: SQLQueryString = "knowledge_materials m"
        var rank: SQLQueryString = postgres ? "0::float8" : "0.0"
        var order: SQLQueryString = "m.published_at DESC, m.id"
        if !words.isEmpty {
            if postgres {
                // One branch per language, each with a constant query, so the GIN index serves them all.
                let branches = Language.allCases.compactMap { language -> SQLQueryString? in
                    guard !SearchText.terms(words, language).isEmpty else { return nil }
                    return
                        "(m.language = \(bind: language.rawValue) AND m.search @@ "
                            + "plainto_tsquery(\(literal: configuration(language))::regconfig, \(bind: words)))"
                }
                guard !branches.isEmpty else { return ([], 0) }
                conditions.append("(" + branches.joined(separator: " OR ") + ")")
                let cases = Language.allCases.map { language -> SQLQueryString in
                    "WHEN \(bind: language.rawValue) THEN "
                        + "plainto_tsquery(\(literal: configuration(language))::regconfig, \(bind: words))"
                }
                rank =
                    "ts_rank('{0.1, 0.2, 0.4, 1.0}', m.search, CASE m.language " + cases.joined(separator: " ")
                    + " END)::float8"
                order = "rank DESC, m.published_at DESC, m.id"
            } else {
                return try await ranked(words, query: query, conditions: conditions, on: sql)
            }
        }
        let filter = conditions.joined(separator: " AND ")
        struct Row: Decodable { var id: UUID; var rank: Double }
        let page: SQLQueryString =
            " ORDER BY " + order + " LIMIT \(literal: query.limit) OFFSET \(literal: max(0, query.offset))"
        let rows: [Row]
        if postgres && !words.isEmpty {
            // Ranked among the newest matches, as on SQLite; the rank is reckoned after the cut.
            let pool = pool(covering: (max(0, query.offset) + query.limit) * 3)
            rows = try await sql.raw(
                "SELECT m.id AS id, " + rank + " AS rank FROM (SELECT m.id, m.search, m.language, m.published_at FROM "
                    + from
                    + " WHERE " + filter + " ORDER BY m.published_at DESC, m.id LIMIT \(literal: pool)) AS m" + page
            )
            .all(decoding: Row.self)
        } else {
            rows = try await sql.raw("SELECT m.id AS id, " + rank + " AS rank FROM " + from + " WHERE " + filter + page)
                .all(decoding: Row.self)
        }
        struct Count: Decodable { var n: Int }
        let total: Int
        if query.offset == 0 && rows.count < query.limit {
            total = rows.count
        } else {
            // Counted up to a bound: "more than 1,000" says enough, and counting 50,000 matches would
            // cost more than finding the first twenty.
            total =
                try await sql.raw(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM " + from + " WHERE " + filter
                        + " LIMIT \(literal: countLimit + 1)) AS c"
                )
                .first(decoding: Count.self)?.n ?? 0
        }
        return (rows.map { Hit(id: $0.id, rank: $0.rank) }, total)
    }

    /// SQLite's search: ranked inside each language's index, where ranking is cheap, then the best
    /// candidates are checked against visibility and filters in one query; the window of candidates
    /// grows until the page is full or the matches run out. Materials with all the words in their
    /// title or summary come first, then those with them in the text only: a common word fills the
    /// page from the short fields, and a rare one has few matches to rank in the text.
    static func ranked(
        _ words: String, query: Query, conditions: [SQLQueryString], on sql: any SQLDatabase
    ) async throws -> (hits: [Hit], total: Int) {
        let terms = Language.allCases.compactMap { language in
            SearchText.ftsQuery(words, language).map { (language, $0) }
        }
        guard !terms.isEmpty else { return ([], 0) }
        let filter = conditions.joined(separator: " AND ")
        // The filters are checked again on the candidates; in the index they keep ranking to those that pass.
        let required = facets(query).map { "\"\($0)\"" }.joined(separator: " ")
        let needed = max(0, query.offset) + query.limit
        var hits: [Hit] = []
        for phase in 0..<2 {
            var window = max(needed * 3, 60)
            while true {
                let pool = pool(covering: window)
                struct Candidate: Decodable { var key: Int; var rank: Double }
                var candidates: [Candidate] = []
                var exhausted = true
                for (language, match) in terms {
                    // bm25 is lower for better matches; weights title, summary, body (facets none).
                    var expression =
                        phase == 0
                        ? "{title summary} : (\(match))"
                        : "({title summary body} : (\(match))) NOT ({title summary} : (\(match)))"
                    if !required.isEmpty { expression = "(\(expression)) AND ({facets} : (\(required)))" }
                    let t = table(language)
                    // The index is read newest first (highest key) and stops at the pool.
                    let rows = try await sql.raw(
                        """
                        SELECT key, rank FROM (
                          SELECT rowid AS key, -bm25(\(unsafeRaw: t), 10.0, 4.0, 1.0, 0.0) AS rank FROM \(unsafeRaw: t)
                              WHERE \(unsafeRaw: t) MATCH \(bind: expression)
                          ORDER BY rowid DESC LIMIT \(literal: pool))
                        ORDER BY rank DESC, key DESC LIMIT \(literal: window)
                        """
                    ).all(decoding: Candidate.self)
                    if rows.count == window { exhausted = false }
                    candidates += rows
                }
                candidates.sort { $0.rank > $1.rank }
                var found: [Hit] = []
                if !candidates.isEmpty {
                    struct Row: Decodable { var id: UUID; var search_key: Int }
                    let keys = candidates.map { $0.key as any Encodable & Sendable }
                    // By the candidates' keys: without statistics SQLite would rather walk the status index.
                    let rows = try await sql.raw(
                        "SELECT m.id AS id, m.search_key AS search_key FROM knowledge_materials AS m INDEXED BY "
                            + "knowledge_materials_search_key WHERE m.search_key IN (\(binds: keys)) AND "
                            + filter
                    )
                    .all(decoding: Row.self)
                    let ids = Dictionary(uniqueKeysWithValues: rows.map { ($0.search_key, $0.id) })
                    found = candidates.compactMap { c in ids[c.key].map { Hit(id: $0, rank: c.rank) } }
                }
                if found.count + hits.count >= needed || exhausted {
                    hits += found
                    break
                }
                window *= 4
            }
            if hits.count >= needed { break }
        }
        let page = Array(hits.dropFirst(max(0, query.offset)).prefix(query.limit))
        // Counted up to a bound, over every language's index.
        var total = 0
        if query.offset == 0 && hits.count < needed {
            total = hits.count
        } else {
            struct Count: Decodable { var n: Int }
            for (language, match) in terms where total <= countLimit {
                let t = table(language)
                let match =
                    required.isEmpty
                    ? "{title summary body} : (\(match))"
                    : "({title summary body} : (\(match))) AND ({facets} : (\(required)))"
                // CROSS JOIN keeps the index first: driven from the materials, SQLite would ask the
                // index once per material.
                total +=
                    try await sql.raw(
                        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM \(unsafeRaw: t) s CROSS JOIN knowledge_materials m "
                            + "ON m.search_key = s.rowid WHERE \(unsafeRaw: t) MATCH \(bind: match) AND "
                            + filter + " LIMIT \(literal: countLimit + 1)) AS c"
                    ).first(decoding: Count.self)?.n ?? 0
            }
            total = min(total, countLimit + 1)
        }
        return (page, total)
    }

    /// `KnowledgePolicy.mayView` as SQL over `m`, for lists: published and public, or for members
    /// the reader belongs to; the reader's own; what the reader edits once submitted.
    static func visible(_ reader: CollaborationReader) -> SQLQueryString {
        let published = EditorialStatus.published.rawValue
        var any: [SQLQueryString] = [
            "(m.status = \(bind: published) AND m.visibility = \(bind: MaterialVisibility.public.rawValue))"
        ]
        var members: [SQLQueryString] = []
        if !reader.memberOf.isEmpty {
            members.append("m.collaboration_id IN (\(binds: reader.memberOf.map { $0 as any Encodable & Sendable }))")
        }
        if reader.actor.isSignedIn { members.append("m.collaboration_id IS NULL") }
        if !members.isEmpty {
            any.append(
                "(m.status = \(bind: published) AND m.visibility = \(bind: MaterialVisibility.members.rawValue) AND ("
                    + members.joined(separator: " OR ") + "))")
        }
        if let user = reader.actor.userID { any.append("m.created_by = \(bind: user)") }
        if reader.actor.isAdministrator {
            any.append("m.status <> \(bind: EditorialStatus.draft.rawValue)")
        } else if !reader.editorOf.isEmpty {
            any.append(
                "(m.status <> \(bind: EditorialStatus.draft.rawValue) AND m.collaboration_id IN "
                    + "(\(binds: reader.editorOf.map { $0 as any Encodable & Sendable })))"
            )
        }
        return "(" + any.joined(separator: " OR ") + ")"
    }
}
