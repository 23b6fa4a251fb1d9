import XCTest
@testable import SamradCore

final class SearchTextTests: XCTestCase {
    func testTextsAndQueriesBecomeTheSameStems() {
        XCTAssertEqual(
            SearchText.stems("Skoleudviklingen i Aarhus: lærernes rolle.", .da), "skoleudvikling aarhus lær rol")
        XCTAssertEqual(SearchText.ftsQuery("skoleudvikling lærerne", .da), "\"skoleudvikling\" \"lær\"")
        // Operators and quotes typed by a person are words, not FTS5 syntax.
        XCTAssertEqual(SearchText.ftsQuery("skola OR \"NEAR(x\" -", .sv), "\"skol\" \"or\" \"near\" \"x\"")
        XCTAssertNil(SearchText.ftsQuery(" ;; ", .sv))
        // Stop words are left out of texts and queries alike, as PostgreSQL's configurations do.
        XCTAssertEqual(SearchText.terms("skolen og eleverne", .da), ["skol", "elev"])
        XCTAssertNil(SearchText.ftsQuery("och det att", .sv))
    }

    func testWordsAreWhatUnicodeCallsLettersDigitsAndTheirMarks() {
        // The ASCII shortcut gives the answer the scalar properties give, character by character.
        for value in UInt32(0)..<0x80 {
            let scalar = Unicode.Scalar(value)!
            let expected = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            XCTAssertEqual(
                SearchText.words("(\(Character(scalar)))").count, expected ? 1 : 0, "U+\(String(value, radix: 16))")
        }
        XCTAssertEqual(
            SearchText.words("Æblerne, ölen 2024 – naïve café\u{301}!").map(\.text),
            ["æblerne", "ölen", "2024", "naïve", "café\u{301}"])
    }

    func testThePassageHoldsTheHitsAndMarksThem() {
        let text =
            String(repeating: "Indledning om noget andet. ", count: 10)
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
