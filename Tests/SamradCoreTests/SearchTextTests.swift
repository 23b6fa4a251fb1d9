import XCTest
@testable import SamradCore

final class SearchTextTests: XCTestCase {
    func testTextsAndQueriesBecomeTheSameStems() {
        XCTAssertEqual(SearchText.stems("Skoleudviklingen i Aarhus: lærernes rolle.", .da), "skoleudvikling aarhus lær rol")
        XCTAssertEqual(SearchText.ftsQuery("skoleudvikling lærerne", .da), "\"skoleudvikling\" \"lær\"")
        // Operators and quotes typed by a person are words, not FTS5 syntax.
        XCTAssertEqual(SearchText.ftsQuery("skola OR \"NEAR(x\" -", .sv), "\"skol\" \"or\" \"near\" \"x\"")
        XCTAssertNil(SearchText.ftsQuery(" ;; ", .sv))
        // Stop words are left out of texts and queries alike, as PostgreSQL's configurations do.
        XCTAssertEqual(SearchText.terms("skolen og eleverne", .da), ["skol", "elev"])
        XCTAssertNil(SearchText.ftsQuery("och det att", .sv))
        XCTAssertEqual(SearchText.ftsQuery("lärarna", columns: ["title", "body"]),
                       "(language : \"da\" AND {title body} : (\"lärarna\")) OR (language : \"sv\" AND {title body} : (\"lär\"))"
                       + " OR (language : \"en\" AND {title body} : (\"lärarna\"))")
    }

    func testThePassageHoldsTheHitsAndMarksThem() {
        let text = String(repeating: "Indledning om noget andet. ", count: 10)
            + "Her beskriver lærerne skoleudviklingen på deres skole, og lærernes erfaringer deles. "
            + String(repeating: "Afslutning. ", count: 20)
        let passage = SearchText.passage(text, query: "lærer skoleudvikling", language: .da, length: 120)
        XCTAssertEqual(passage.first?.text, "…")
        XCTAssertEqual(passage.last?.text, "…")
        XCTAssertEqual(passage.filter(\.hit).map(\.text), ["lærerne", "skoleudviklingen", "lærernes"])
        let plain = SearchText.passage("Kort tekst uden træf.", query: "klynge", language: .da)
        XCTAssertEqual(plain, [SearchText.Segment("Kort tekst uden træf.", hit: false)])
    }
}
