import XCTest
@testable import SamradCore

final class StemmerTests: XCTestCase {
    func testDanishWordsOfOneFamilyShareAStem() {
        XCTAssertEqual(Stemmer.stem("skoleudviklingen", .da), Stemmer.stem("skoleudvikling", .da))
        XCTAssertEqual(Stemmer.stem("lærernes", .da), Stemmer.stem("lærerne", .da))
        XCTAssertEqual(Stemmer.stem("lærerne", .da), "lær")
        // Words from the Snowball project's Danish sample vocabulary and their stems.
        for (word, stem) in [
            ("indtage", "indtag"), ("indtagelse", "indtag"), ("indtager", "indtag"), ("indtages", "indtag"),
            ("indtaget", "indtag"), ("indtil", "indtil"), ("indtog", "indtog"), ("indtraf", "indtraf"),
            ("kommunerne", "kommun"), ("kommunernes", "kommun"), ("undervisningen", "undervisning"),
            ("skolerne", "skol"),
        ] {
            XCTAssertEqual(Stemmer.stem(word, .da), stem, word)
        }
    }

    func testSwedishWordsOfOneFamilyShareAStem() {
        XCTAssertEqual(Stemmer.stem("skolutvecklingen", .sv), Stemmer.stem("skolutveckling", .sv))
        for (word, stem) in [
            ("jaktkarlarne", "jaktkarl"), ("jaktkarlens", "jaktkarl"), ("klokheten", "klok"), ("klokare", "klok"),
            ("lärarna", "lär"), ("lärarnas", "lär"), ("kommunerna", "kommun"), ("skolorna", "skol"),
            ("kraftfullt", "kraftfull"), ("upplöst", "upplös"),
        ] {
            XCTAssertEqual(Stemmer.stem(word, .sv), stem, word)
        }
    }

    /// Passages find their hits by this: a stem only ever takes an ending off its word.
    func testAStemIsAPrefixOfItsWord() {
        let words = [
            "indtagelse", "kommunernes", "undervisningen", "lærernes", "løst", "hovedløst", "skolerne", "trivslen",
            "jaktkarlarne",
            "klokheten", "upplöst", "kraftfullt", "lärarnas", "skolutvecklingens", "elevernas", "fullt", "nämndens",
        ]
        for word in words {
            XCTAssertTrue(word.hasPrefix(Stemmer.stem(word, .da)), "da \(word)")
            XCTAssertTrue(word.hasPrefix(Stemmer.stem(word, .sv)), "sv \(word)")
        }
    }

    func testShortWordsAndEnglishAreLeftAlone() {
        XCTAssertEqual(Stemmer.stem("og", .da), "og")
        XCTAssertEqual(Stemmer.stem("Skole", .da), "skol")
        XCTAssertEqual(Stemmer.stem("Schools", .en), "schools")
    }
}
