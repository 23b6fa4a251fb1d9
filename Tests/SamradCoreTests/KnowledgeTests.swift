import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import XCTest
@testable import SamradCore

final class KnowledgeTests: XCTestCase {
    let owner = UUID(), network = UUID()

    func reader(
        _ grants: Set<RoleGrant> = [], user: UUID? = UUID(), member: Set<UUID> = [], editor: Set<UUID> = []
    ) -> CollaborationReader {
        CollaborationReader(
            actor: Actor(userID: user, personID: nil, grants: grants), memberOf: member, editorOf: editor)
    }

    func testTheWorkflowMovesOnlyAlongItsSteps() throws {
        XCTAssertEqual(try EditorialStatus.draft.after(.submit), .submitted)
        XCTAssertEqual(try EditorialStatus.submitted.after(.requestChanges), .changesRequested)
        XCTAssertEqual(try EditorialStatus.changesRequested.after(.submit), .submitted)
        XCTAssertEqual(try EditorialStatus.submitted.after(.publish), .published)
        XCTAssertEqual(try EditorialStatus.published.after(.unpublish), .submitted)
        XCTAssertThrowsError(try EditorialStatus.draft.after(.publish))
        XCTAssertThrowsError(try EditorialStatus.published.after(.publish))
        XCTAssertThrowsError(try EditorialStatus.changesRequested.after(.publish), "the author submits first")
    }

    func testWhoSeesAndDoesWhat() {
        let material = { (status: EditorialStatus, visibility: MaterialVisibility) in
            MaterialStanding(status: status, visibility: visibility, collaborationID: self.network, ownerID: self.owner)
        }
        let author = reader(user: owner), editor = reader(editor: [network]), member = reader(member: [network])
        let stranger = reader(), visitor = reader(user: nil), admin = reader([RoleGrant(kind: .administrator)])
        // A draft is the author's alone.
        for r in [editor, member, stranger, visitor, admin] {
            XCTAssertFalse(KnowledgePolicy.mayView(r, material(.draft, .public)))
        }
        XCTAssertTrue(KnowledgePolicy.mayEdit(author, material(.draft, .public)))
        // Submitted: author and editors; only editors publish.
        XCTAssertTrue(KnowledgePolicy.mayView(editor, material(.submitted, .public)))
        XCTAssertFalse(KnowledgePolicy.mayView(member, material(.submitted, .public)))
        XCTAssertTrue(KnowledgePolicy.mayTake(.publish, editor, material(.submitted, .public)))
        XCTAssertFalse(KnowledgePolicy.mayTake(.publish, author, material(.submitted, .public)))
        XCTAssertFalse(KnowledgePolicy.mayEdit(author, material(.submitted, .public)), "withdrawn first")
        // Published: visibility decides.
        XCTAssertTrue(KnowledgePolicy.mayView(visitor, material(.published, .public)))
        XCTAssertTrue(KnowledgePolicy.mayView(member, material(.published, .members)))
        XCTAssertFalse(KnowledgePolicy.mayView(stranger, material(.published, .members)))
        XCTAssertFalse(KnowledgePolicy.mayView(visitor, material(.published, .members)))
        XCTAssertFalse(KnowledgePolicy.mayView(member, material(.published, .private)))
        XCTAssertTrue(KnowledgePolicy.mayView(editor, material(.published, .private)))
        XCTAssertTrue(KnowledgePolicy.mayView(author, material(.published, .private)))
        // Without a collaboration "members" means signed-in people, and administrators edit.
        let loose = MaterialStanding(status: .published, visibility: .members, collaborationID: nil, ownerID: owner)
        XCTAssertTrue(KnowledgePolicy.mayView(stranger, loose))
        XCTAssertFalse(KnowledgePolicy.mayView(visitor, loose))
        XCTAssertTrue(KnowledgePolicy.isEditor(admin, loose))
        XCTAssertFalse(KnowledgePolicy.isEditor(editor, loose))
        XCTAssertFalse(KnowledgePolicy.mayDelete(author, material(.published, .public)))
        XCTAssertFalse(KnowledgePolicy.mayShare(with: network, stranger))
    }

    func testTheFormIsCheckedFieldByField() {
        var v = Validation()
        let draft = MaterialDraft.validate(
            [
                "kind": "article", "title": "Læsebånd", "summary": "Kort.",
                "body": "Se [planen](ftp://x) og [mere](https://x",
                "authors": "Anne, Bo\nAnne", "grade_bands": "early,lower", "language": "da", "licence": "cc-by-4.0",
                "visibility": "public", "contact": "ikke en adresse",
            ], into: &v)
        XCTAssertEqual(draft?.authors, ["Anne", "Bo"])
        XCTAssertEqual(draft?.gradeBands, [.early, .lower])
        XCTAssertEqual(draft?.consent, false)
        XCTAssertEqual(v.errors.map(\.field), ["body", "body", "contact"])
        XCTAssertEqual(
            v.errors.map(\.messageKey), ["markdown.error.link_address", "markdown.error.link_open", "validation.email"])
        XCTAssertEqual(v.errors.first?.arguments, ["planen", "ftp://x"])
        XCTAssertThrowsError(try MaterialDraft.requireConsent(false)) { error in
            XCTAssertEqual((error as? SamradError)?.fieldErrors.first?.field, "consent")
        }
        XCTAssertEqual(MaterialDraft.slug("Læring & trivsel på Århus Skole", .da), "laering-trivsel-paa-aarhus-skole")
        XCTAssertEqual(MaterialDraft.slug("Skolutveckling i Umeå – åk 7", .sv), "skolutveckling-i-umea-ak-7")
        XCTAssertEqual(MaterialDraft.slug("!!!", .en), "material")
        // A long title is cut after a whole word, never in the middle of one.
        XCTAssertEqual(
            MaterialDraft.slug("Sådan styrker Aarhus skoleudviklingen gennem klyngesamarbejdet i kommunen", .da),
            "saadan-styrker-aarhus-skoleudviklingen-gennem")
    }

    func testMarkdownIsReadAsPlainTextAndTheFeedIsEscaped() throws {
        XCTAssertEqual(
            SafeMarkdown.plainText("# Overskrift\n\n**Fed** og [link](https://x.dk) <b>"), "Overskrift Fed og link <b>")
        let feed = AtomFeed(
            id: "https://s/knowledge/feed.atom", title: "Bank & co", selfLink: "https://s/knowledge/feed.atom",
            pageLink: "https://s/knowledge",
            language: .da,
            entries: [
                .init(
                    id: "https://s/knowledge/a", title: "<script>", link: "https://s/knowledge/a",
                    updated: Date(timeIntervalSince1970: 0), summary: "a\u{1}b", contentHTML: "<p>x</p>")
            ])
        let xml = feed.xml
        XCTAssertTrue(xml.contains("<title>Bank &amp; co</title>"))
        XCTAssertTrue(xml.contains("<title>&lt;script&gt;</title>"))
        XCTAssertTrue(xml.contains("<summary>ab</summary>"), "control characters XML forbids are dropped")
        XCTAssertTrue(xml.contains("<content type=\"html\">&lt;p&gt;x&lt;/p&gt;</content>"))
        XCTAssertTrue(xml.contains("<updated>1970-01-01T00:00:00Z</updated>"))
        _ = try XMLDocument(xmlString: xml)
    }
}
