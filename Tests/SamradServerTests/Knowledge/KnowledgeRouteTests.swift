import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// The knowledge bank through its pages: the editorial workflow, who sees what (also in search
/// and the feed), search in Danish and Swedish word forms on both databases, and bad input.
final class KnowledgeRouteTests: XCTestCase {
    var app: Application!
    var skr: Organisation!
    var network: Collaboration!
    let stockholm = MunicipalityKey(.se, "0180"), kiruna = MunicipalityKey(.se, "2584")

    override func setUp() async throws {
        app = try await makeTestApp()
        skr = Organisation(name: "SKR", kind: .association, country: .se)
        try await skr.create(on: app.db)
        let organiser = try await makeUser(
            app, email: "redaktor@skr.se", grants: [RoleGrant(kind: .organiser, organisationID: skr.id)])
        let token = try await makeToken(app, for: organiser)
        let body = """
            {"title":"Nätverk för skolutveckling","description":"Case 5","kind":"standing_network",
                "organiserID":"\(skr.id!.uuidString)",
             "timeZone":"Europe/Stockholm","periodStart":"2027-01-01","periodEnd":"2029-12-31",
                 "deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
            """
        let created = try await sendJSON(app, token, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        network = try await Collaboration.query(on: app.db).filter(\.$slug == created.json["slug"] as! String).first()!
        let registration = Registration()
        registration.collaborationID = network.id!
        registration.municipalityCountry = "se"
        registration.municipalityCode = stockholm.code
        registration.status = RegistrationStatus.registered.rawValue
        registration.sequence = 1
        try await registration.create(on: app.db)
        for (name, municipality) in [("Lärare Stockholm", stockholm), ("Lärare Kiruna", kiruna)] {
            let person = Person()
            person.name = name
            person.email =
                name.lowercased().replacingOccurrences(of: " ", with: ".").folding(
                    options: .diacriticInsensitive, locale: nil) + "@example.se"
            person.position = Position.teacher.rawValue
            person.municipalityCountry = "se"
            person.municipalityCode = municipality.code
            person.isExample = false
            try await person.create(on: app.db)
            // Their municipality's coordinator made them members (the person record alone gives nothing).
            try await makeUser(
                app, email: person.email!, grants: [RoleGrant(kind: .member, municipality: municipality)],
                personID: person.id)
        }
        try await makeUser(app, email: "admin@samrad.se", grants: [RoleGrant(kind: .administrator)])
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func client(_ email: String?) async throws -> Client {
        let client = Client(app)
        if let email { try await client.signIn(email, "correct horse battery") }
        return client
    }

    func form(_ title: String, _ extra: [String: String] = [:]) -> [String: String] {
        [
            "kind": "article", "title": title, "summary": "Hur lärarna arbetar med skolutveckling i klassrummet.",
            "body":
                "## Bakgrund\n\nVi började med **kollegialt lärande** hösten 2025. Läs "
                + "[rapporten](https://example.se/rapport).",
            "authors": "Lärare Stockholm\nRektor Anna", "contact": "larare.stockholm@example.se",
            "themes": "Kollegialt lärande, Läsning",
            "band_lower": "on", "municipality": "se/0180", "school": "Engelbrektsskolan", "language": "sv",
            "licence": "cc-by-4.0",
            "visibility": "public", "collaboration": network.id!.uuidString.lowercased(), "consent": "on",
        ].merging(extra) { _, new in new }
    }

    /// Writes a material through the form; returns its address.
    func write(_ client: Client, _ fields: [String: String]) async throws -> String {
        let response = try await client.post("/knowledge", form: fields)
        XCTAssertEqual(response.status, .seeOther, response.body.string)
        return response.headers.first(name: .location) ?? ""
    }

    func step(_ client: Client, _ href: String, _ step: String, note: String? = nil) async throws -> XCTHTTPResponse {
        try await client.post("\(href)/steps/\(step)", form: note.map { ["note": $0] } ?? [:])
    }

    func outbox(to recipient: String) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$recipient == recipient).all()
    }

    func testAnArticleIsSubmittedReviewedAndPublishedAtAStableAddress() async throws {
        let teacher = try await client("larare.stockholm@example.se")
        // Saved without consent as a draft; submitting asks for it, naming the field.
        let href = try await write(teacher, form("Kollegialt lärande i årskurs 7", ["consent": ""]))
        XCTAssertEqual(href, "/knowledge/kollegialt-larande-i-arskurs-7")
        let refused = try await step(teacher, href, "submit")
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(
            refused.body.string.contains("Kryssa i samtycket") || refused.body.string.contains("Tick the consent"),
            refused.body.string)
        let draft = try await KnowledgeMaterial.query(on: app.db).filter(\.$slug == "kollegialt-larande-i-arskurs-7")
            .first()!
        XCTAssertEqual(draft.status, "draft")

        // A draft is its author's alone, even for the collaboration's editor.
        let editor = try await client("redaktor@skr.se")
        do { let r = try await editor.get(href); XCTAssertEqual(r.status, .notFound) }
        let edited = try await teacher.post(href, form: form("Kollegialt lärande i årskurs 7–9"))
        XCTAssertEqual(edited.status, .seeOther, edited.body.string)
        do { let r = try await step(teacher, href, "submit"); XCTAssertEqual(r.status, .seeOther, r.body.string) }
        do {
            let mails = try await outbox(to: "redaktor@skr.se"); XCTAssertEqual(mails.count, 1);
            XCTAssertTrue(mails.first?.body.contains(href) ?? false)
        }

        // Submitted: the editor sees it in the queue; the author may not publish it; others do not see it.
        do {
            let r = try await editor.get("/knowledge/review");
            XCTAssertTrue(r.body.string.contains("Kollegialt lärande i årskurs 7–9"))
        }
        do { let r = try await step(teacher, href, "publish"); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await teacher.get("/knowledge/review"); XCTAssertEqual(r.status, .forbidden) }
        for other in [try await client(nil), try await client("larare.kiruna@example.se")] {
            let r = try await other.get(href)
            XCTAssertTrue(r.status == .notFound, "\(r.status)")
        }
        // Changes asked for need a note; the author gets it by e-mail and on the page.
        do {
            let r = try await step(editor, href, "request-changes", note: " ");
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
        do {
            let r = try await step(editor, href, "request-changes", note: "Lägg till elevernas röster.");
            XCTAssertEqual(r.status, .seeOther, r.body.string)
        }
        do {
            let mails = try await outbox(to: "larare.stockholm@example.se"); XCTAssertEqual(mails.count, 1);
            XCTAssertTrue(mails.first?.body.contains("elevernas röster") ?? false)
        }
        do { let r = try await teacher.get(href); XCTAssertTrue(r.body.string.contains("Lägg till elevernas röster.")) }
        do { let r = try await step(teacher, href, "submit"); XCTAssertEqual(r.status, .seeOther) }
        do { let r = try await step(editor, href, "publish"); XCTAssertEqual(r.status, .seeOther, r.body.string) }
        do { let r = try await step(editor, href, "publish"); XCTAssertEqual(r.status, .conflict, "twice") }

        // Published and public: anybody reads it at the same address, finds it and gets it in the feed.
        let visitor = try await client(nil)
        let page = try await visitor.get(href)
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("<strong>kollegialt lärande</strong>"))
        XCTAssertTrue(page.body.string.contains("Engelbrektsskolan"))
        let found = try await visitor.get("/knowledge?q=l%C3%A4rarnas")
        XCTAssertTrue(found.body.string.contains(href), "lärarnas finds lärarna")
        XCTAssertTrue(found.body.string.contains("<mark>lärarna</mark>"), found.body.string)
        let feed = try await visitor.get("/knowledge/feed.atom")
        XCTAssertEqual(feed.headers.contentType?.description.hasPrefix("application/atom+xml"), true)
        XCTAssertTrue(feed.body.string.contains("<title>Kollegialt lärande i årskurs 7–9</title>"))
        XCTAssertTrue(feed.body.string.contains("/knowledge/kollegialt-larande-i-arskurs-7"))
        // A corrected title keeps the address.
        do {
            let r = try await editor.post(href, form: form("Kollegialt lärande, åk 7–9"));
            XCTAssertEqual(r.status, .seeOther)
        }
        do { let r = try await visitor.get(href); XCTAssertTrue(r.body.string.contains("Kollegialt lärande, åk 7–9")) }
        // Published materials are no longer the author's to delete; the editor may.
        do { let r = try await teacher.post("\(href)/delete", form: [:]); XCTAssertEqual(r.status, .forbidden) }
    }

    /// Publishes a material directly, as the workflow would end.
    func publish(
        _ title: String, summary: String, body: String = "", language: Language,
        visibility: MaterialVisibility = .public,
        collaboration: UUID? = nil, theme: String = "Läsning", kind: MaterialKind = .article, owner: UUID? = nil,
        at date: Date = Date()
    ) async throws -> KnowledgeMaterial {
        let m = KnowledgeMaterial()
        m.slug = try await KnowledgePages.uniqueSlug(title, language, on: app.db)
        m.kind = kind.rawValue
        m.title = title
        m.summary = summary
        m.body = body
        m.themes = [theme]
        m.gradeBands = []
        m.authors = ["Forfatter"]
        m.language = language.rawValue
        m.country = language == .sv ? "se" : "dk"
        m.licence = MaterialLicence.ccBy.rawValue
        m.consent = true
        m.visibility = visibility.rawValue
        m.status = EditorialStatus.published.rawValue
        m.collaborationID = collaboration
        m.createdBy = owner
        m.publishedAt = date
        try await app.db.transaction { db in
            try await m.save(on: db)
            for theme in m.themes {
                try await KnowledgeTheme(materialID: m.id!, theme: theme, listed: m.listsThemes).create(on: db)
            }
            try await KnowledgeSearch.index(m, on: db)
        }
        return m
    }

    func search(_ query: KnowledgeSearch.Query, actor: Actor = .visitor) async throws -> [String] {
        let reader = CollaborationReader(actor: actor, memberOf: [], editorOf: [])
        let (hits, _) = try await KnowledgeSearch.search(query, reader: reader, on: app.db)
        let materials = try await KnowledgeMaterial.query(on: app.db).filter(\.$id ~~ hits.map(\.id)).all()
        return hits.compactMap { hit in materials.first { $0.id == hit.id }?.slug }
    }

    func search(_ text: String) async throws -> [String] {
        var query = KnowledgeSearch.Query()
        query.text = text
        return try await search(query)
    }

    /// Runs on SQLite and on PostgreSQL: the same queries give the same hits in the same order.
    func testSearchFindsDanishAndSwedishWordFormsAndRanksTitlesFirst() async throws {
        _ = try await publish(
            "Skoleudvikling i Aarhus", summary: "Sådan arbejder vi med skoleudvikling.", language: .da)
        _ = try await publish(
            "Lærerne og læsning", summary: "Lærerne fortæller om læsebånd i indskolingen.", language: .da,
            theme: "Læsning")
        _ = try await publish(
            "Skolutveckling i Umeå", summary: "Hur vi arbetar med skolutveckling och lärande.", language: .sv)
        _ = try await publish(
            "Trivsel i udskolingen", summary: "Elevernes trivsel måles hvert år.",
            body: "Et afsnit om skoleudvikling står her nederst i brødteksten.", language: .da, theme: "Trivsel",
            kind: .example)
        _ = try await publish(
            "Klynger", summary: "Om klyngernes møder.", language: .da, at: Date(timeIntervalSince1970: 1_600_000_000))

        let danish = try await search("skoleudviklingen")
        XCTAssertEqual(danish, ["skoleudvikling-i-aarhus", "trivsel-i-udskolingen"], "title hit before a body hit")
        do { let found = try await search("skolutvecklingen"); XCTAssertEqual(found, ["skolutveckling-i-umea"]) }
        do { let found = try await search("lærernes"); XCTAssertEqual(found, ["laererne-og-laesning"]) }
        do {
            let found = try await search("LÆRERNE læsebånd");
            XCTAssertEqual(found, ["laererne-og-laesning"], "all words, any case")
        }
        do { let found = try await search("og"); XCTAssertEqual(found, [], "a stop word alone finds nothing") }
        do {
            let found = try await search("skoleudvikling og trivsel"); XCTAssertEqual(found, ["trivsel-i-udskolingen"])
        }
        do { let found = try await search("\"NEAR( OR *"); XCTAssertEqual(found, [], "operators are words") }
        var byTheme = KnowledgeSearch.Query()
        byTheme.theme = "Trivsel"
        do { let found = try await search(byTheme); XCTAssertEqual(found, ["trivsel-i-udskolingen"]) }
        var byCountry = KnowledgeSearch.Query()
        byCountry.country = .se
        do { let found = try await search(byCountry); XCTAssertEqual(found, ["skolutveckling-i-umea"]) }
        var byKind = KnowledgeSearch.Query()
        byKind.kind = .example
        byKind.text = "skoleudvikling"
        do { let found = try await search(byKind); XCTAssertEqual(found, ["trivsel-i-udskolingen"]) }
        var wordAndYear = KnowledgeSearch.Query()
        wordAndYear.text = "klyngernes"
        wordAndYear.year = 2020
        do { let found = try await search(wordAndYear); XCTAssertEqual(found, ["klynger"]) }
        wordAndYear.year = 2021
        do {
            let found = try await search(wordAndYear);
            XCTAssertEqual(found, [], "filters with words are kept in the index")
        }
        var wordAndTheme = KnowledgeSearch.Query()
        wordAndTheme.text = "lærerne"
        wordAndTheme.theme = "Læsning"
        do { let found = try await search(wordAndTheme); XCTAssertEqual(found, ["laererne-og-laesning"]) }
        wordAndTheme.theme = "Trivsel"
        do { let found = try await search(wordAndTheme); XCTAssertEqual(found, []) }
        var byYear = KnowledgeSearch.Query()
        byYear.year = 2020
        do { let found = try await search(byYear); XCTAssertEqual(found, ["klynger"]) }

        // The results page: the passage with the hit marked, the municipality, authors and date, the themes.
        let aarhus = try await KnowledgeMaterial.query(on: app.db).filter(\.$slug == "trivsel-i-udskolingen").first()!
        aarhus.municipalityCountry = "dk"
        aarhus.municipalityCode = "751"
        try await aarhus.save(on: app.db)
        let page = try await client(nil).get("/knowledge?q=skoleudviklingen").body.string
        XCTAssertTrue(page.contains("Et afsnit om <mark>skoleudvikling</mark> står her"), page)
        XCTAssertTrue(page.contains("Aarhus · Forfatter · "))
        XCTAssertTrue(page.contains("href=\"/knowledge?theme=Trivsel\""))
        XCTAssertTrue(page.contains("href=\"/knowledge/trivsel-i-udskolingen\""))
    }

    func testPrivateAndMembersMaterialsAreShownOnlyToThoseAllowedAlsoInSearchAndFeed() async throws {
        let owner = try await User.query(on: app.db).filter(\.$email == "larare.stockholm@example.se").first()!
        let secret = try await publish(
            "Hemlig plan för läsning", summary: "Ett utkast till läsplan med zebraord.", language: .sv,
            visibility: .private, collaboration: network.id, owner: owner.id)
        let members = try await publish(
            "Nätverkets läsplan", summary: "För deltagarna: girafford.", language: .sv, visibility: .members,
            collaboration: network.id)
        // The owner sees their private material; the collaboration's editor sees it too.
        for email in ["larare.stockholm@example.se", "redaktor@skr.se", "admin@samrad.se"] {
            let c = try await client(email)
            do { let r = try await c.get(secret.href); XCTAssertEqual(r.status, .ok, email) }
        }
        // Others: not on its page, not in search, not in the feed, not among the themes.
        let visitor = try await client(nil)
        let kiruna = try await client("larare.kiruna@example.se")
        for c in [visitor, kiruna] {
            do { let r = try await c.get(secret.href); XCTAssertEqual(r.status, .notFound) }
            // L4: each page answered, with what it should show, before what it must not.
            do {
                let r = try await c.get("/knowledge?q=zebraord")
                XCTAssertEqual(r.status, .ok)
                XCTAssertTrue(r.body.string.contains("value=\"zebraord\""), "the search ran")
                XCTAssertFalse(r.body.string.contains(secret.href)); XCTAssertFalse(r.body.string.contains("Hemlig"))
            }
            do {
                let r = try await c.get("/knowledge")
                XCTAssertEqual(r.status, .ok)
                XCTAssertTrue(r.body.string.contains("<h1"), "the list page")
                XCTAssertFalse(r.body.string.contains("Hemlig"))
            }
        }
        do {
            let r = try await visitor.get("/knowledge/feed.atom")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(r.body.string.contains("<feed"), "a feed")
            XCTAssertFalse(r.body.string.contains("Hemlig"));
            XCTAssertFalse(r.body.string.contains("Nätverkets läsplan"))
        }
        // Members only: Stockholm (registered) reads it and finds it; Kiruna and visitors do not.
        let stockholmTeacher = try await client("larare.stockholm@example.se")
        do {
            let r = try await stockholmTeacher.get("/knowledge?q=giraffordens");
            XCTAssertTrue(r.body.string.contains(members.href), "a member finds it")
        }
        do { let r = try await stockholmTeacher.get(members.href); XCTAssertEqual(r.status, .ok) }
        for c in [visitor, kiruna] {
            do { let r = try await c.get(members.href); XCTAssertEqual(r.status, .notFound) }
            do {
                let r = try await c.get("/knowledge?q=giraffordens")
                XCTAssertEqual(r.status, .ok)
                XCTAssertTrue(r.body.string.contains("value=\"giraffordens\""), "the search ran")
                XCTAssertFalse(r.body.string.contains(members.href))
            }
        }
        // The SQL filter of lists and the policy agree for every reader and material.
        let all = try await KnowledgeMaterial.query(on: app.db).all()
        let readers: [CollaborationReader] = [
            CollaborationReader(actor: .visitor, memberOf: [], editorOf: []),
            CollaborationReader(
                actor: Actor(userID: owner.id, personID: owner.personID, grants: []), memberOf: [network.id!],
                editorOf: []),
            CollaborationReader(actor: Actor(userID: UUID(), personID: nil, grants: []), memberOf: [], editorOf: []),
            CollaborationReader(
                actor: Actor(
                    userID: UUID(), personID: nil, grants: [RoleGrant(kind: .organiser, organisationID: skr.id)]),
                memberOf: [network.id!], editorOf: [network.id!]),
        ]
        for reader in readers {
            let (hits, _) = try await KnowledgeSearch.search(
                KnowledgeSearch.Query(limit: 100), reader: reader, on: app.db)
            let expected = Set(
                all.filter { $0.statusValue == .published && KnowledgePolicy.mayView(reader, $0.standing) }.map(\.id!))
            XCTAssertEqual(Set(hits.map(\.id)), expected)
        }
    }

    func testBadInputIsNamedAndUnsafeHTMLIsNeverRendered() async throws {
        let teacher = try await client("larare.stockholm@example.se")
        let bad = try await teacher.post(
            "/knowledge",
            form: form(
                "",
                [
                    "authors": "", "body": "Se [rapporten](javascript:alert(1)) och [planen](https://example.se/plan",
                    "kind": "poem",
                ]))
        XCTAssertEqual(bad.status, .unprocessableEntity)
        for text in [
            "href=\"#title\"", "href=\"#authors\"", "href=\"#kind\"", "rapporten", "javascript:alert(1)", "planen",
        ] {
            XCTAssertTrue(bad.body.string.contains(text), text)
        }
        do { let n = try await KnowledgeMaterial.query(on: app.db).count(); XCTAssertEqual(n, 0, "nothing written") }
        let href = try await write(
            teacher, form("Om HTML", ["body": "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> *ok*"]))
        let page = try await teacher.get(href)
        XCTAssertFalse(page.body.string.contains("<script>alert"))
        XCTAssertFalse(page.body.string.contains("<img src=x"))
        XCTAssertTrue(page.body.string.contains("&lt;script&gt;"))
        // Attachments: a refused type and a file whose content is not what its name says.
        do {
            let r = try await teacher.upload(
                "\(href)/attachments", fields: ["title": "Program"], file: ("program.exe", Data("MZ".utf8)))
            XCTAssertEqual(r.status, .unprocessableEntity)
            XCTAssertTrue(r.body.string.contains(".pdf"), "names the accepted types")
        }
        do {
            let r = try await teacher.upload(
                "\(href)/attachments", fields: [:], file: ("slides.pdf", Data("<html>".utf8)));
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
        do { let n = try await KnowledgeAttachment.query(on: app.db).count(); XCTAssertEqual(n, 0) }
        try await checkUploadLimits(
            app, teacher, "\(href)/attachments", fields: ["title": "Stort"], name: "stort.pdf", head: "%PDF-1.4\n",
            limitMB: 20)
        try await KnowledgeAttachment.query(on: app.db).delete()
        let pdf = try await teacher.upload(
            "\(href)/attachments", fields: ["title": "Bilder 1-5"], file: ("bilder.pdf", Data("%PDF-1.4 test".utf8)))
        XCTAssertEqual(pdf.status, .seeOther, pdf.body.string)
        let attachment = try await KnowledgeAttachment.query(on: app.db).first()!
        let download = try await teacher.get("\(href)/attachments/\(attachment.id!.uuidString.lowercased())")
        XCTAssertEqual(download.body.string, "%PDF-1.4 test")
        // A draft's file is its author's alone.
        do {
            let r = try await (try await client("larare.kiruna@example.se")).get(
                "\(href)/attachments/\(attachment.id!.uuidString.lowercased())");
            XCTAssertEqual(r.status, .notFound)
        }
        // Another person may not edit, take steps or delete.
        let kiruna = try await client("larare.kiruna@example.se")
        for (path, fields) in [
            (href, form("Kapat")), ("\(href)/steps/submit", [:]), ("\(href)/delete", [:]),
            ("\(href)/attachments/\(attachment.id!.uuidString.lowercased())/delete", [:]),
        ] {
            let r = try await kiruna.post(path, form: fields)
            XCTAssertEqual(r.status, .notFound, path)
        }
        // Pages in every language.
        for language in ["da", "sv", "en"] {
            let c = try await client(nil)
            _ = try await c.get("/language/\(language)?return=/")
            let r = try await c.get("/knowledge")
            XCTAssertEqual(r.status, .ok)
            XCTAssertTrue(r.body.string.contains("lang=\"\(language)\""))
        }
        do {
            let r = try await (try await client(nil)).get("/knowledge/new");
            XCTAssertEqual(r.status, .seeOther, "visitors sign in to write")
        }
    }
}
