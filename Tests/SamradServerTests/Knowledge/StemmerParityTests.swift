import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest

/// Search stems words in Swift on SQLite and with PostgreSQL's own Snowball dictionaries: the two
/// must agree, or the same query finds different texts. Compared on every Danish and Swedish word
/// of Samrad's own texts; runs when the suite runs on PostgreSQL.
final class StemmerParityTests: XCTestCase {
    func testSwiftStemsAgreeWithPostgreSQLsSnowballDictionariesWhenRunOnPostgreSQL() async throws {
        guard ProcessInfo.processInfo.environment["SAMRAD_TEST_DATABASE_URL"] != nil else {
            throw XCTSkip("needs PostgreSQL (scripts/test runs it)")
        }
        let app = try await makeTestApp()
        do { try await compare(app) } catch { try await app.asyncShutdown(); throw error }
        try await app.asyncShutdown()
    }

    func compare(_ app: Application) async throws {
        let sql = app.db.sql
        for (language, dictionary) in [(Language.da, "danish_stem"), (.sv, "swedish_stem")] {
            let catalog = try JSONDecoder().decode(
                [String: String].self,
                from: Data(contentsOf: app.resources.url("Localization/\(language.rawValue).json")))
            var words = Set<String>()
            for text in catalog.values {
                for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count >= 2 {
                    words.insert(String(word))
                }
            }
            let list = words.sorted()
            struct Row: Decodable { var word: String; var stems: [String]? }
            let rows = try await sql.raw(
                "SELECT w AS word, ts_lexize(\(literal: dictionary), w) AS stems FROM unnest(\(bind: list)::text[]) "
                    + "AS w"
            )
            .all(decoding: Row.self)
            var differ: [String] = []
            for row in rows {
                // A stop word has no stem in PostgreSQL's dictionary; search leaves it out either way.
                guard let stem = row.stems?.first else { continue }
                if Stemmer.stem(row.word, language) != stem {
                    differ.append("\(row.word): \(Stemmer.stem(row.word, language)) ≠ \(stem)")
                }
            }
            XCTAssertGreaterThan(rows.count, 500)
            // Stop words: the same list, so texts and queries lose the same words on both databases.
            struct File: Decodable { var text: String }
            let file = try await sql.raw(
                """
                SELECT pg_read_file((SELECT setting FROM pg_config WHERE name = 'SHAREDIR') || '/tsearch_data/' ||
                    \(bind: dictionary == "danish_stem" ? "danish" : "swedish") || '.stop') AS text
                """
            ).first(decoding: File.self)
            let theirs = Set(
                (file?.text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty })
            XCTAssertFalse(theirs.isEmpty)
            XCTAssertEqual(
                theirs.subtracting(StopWords.words(language)).sorted(), [],
                "\(language.rawValue): stop words only PostgreSQL has")
            XCTAssertEqual(
                StopWords.words(language).subtracting(theirs).sorted(), [],
                "\(language.rawValue): stop words only Samrad has")
            XCTAssertEqual(differ, [], "\(language.rawValue): \(differ.count) of \(rows.count) words stem differently")
        }
    }
}
