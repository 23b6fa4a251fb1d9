import Foundation
import XCTest
@testable import SamradCore

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

final class LocalizationTests: XCTestCase {
    func catalog() throws -> Catalog {
        try Catalog(directory: repositoryRoot.appendingPathComponent("Sources/SamradServer/Resources/Localization"))
    }

    func testEveryLanguageHasEveryKey() throws {
        let missing = try catalog().missingKeys()
        XCTAssertTrue(missing.isEmpty, "Missing: \(missing.map { "\($0.0.rawValue): \($0.1)" })")
    }

    /// Every key a template (#t("…")) or the code (a quoted dotted key with a known prefix) uses
    /// exists in all three languages.
    func testEveryUsedKeyExists() throws {
        let catalog = try catalog()
        let prefixes = Set(catalog.tables[.en]!.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
        var used: Set<String> = []
        let sources = repositoryRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }
        .filter { ["swift", "leaf"].contains($0.pathExtension) }
        XCTAssertGreaterThan(files.count, 20)
        let template = try NSRegularExpression(pattern: #"#tc?\("([a-z_.]+)""#)
        let code = try NSRegularExpression(pattern: #""([a-z_]+\.[a-z_.]+)""#)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            let regex = file.pathExtension == "leaf" ? template : code
            for match in regex.matches(in: text, range: range) {
                let key = String(text[Range(match.range(at: 1), in: text)!])
                // File names ("people.csv", "export.zip") and route paths ("feed.atom") are not keys.
                let fileNames = ["csv", "json", "zip", "atom", "html", "ics", "pdf", "eml", "txt"]
                if let prefix = key.split(separator: ".").first, prefixes.contains(String(prefix)), !key.hasSuffix("."),
                    !fileNames.contains(where: { key.hasSuffix(".\($0)") })
                {
                    used.insert(key)
                }
            }
        }
        // Keys built at run time from enumerations.
        for country in Country.allCases { used.insert("country.\(country.rawValue)") }
        for role in RoleKind.allCases { used.insert("role.\(role.rawValue)") }
        for status in ["pending", "sent", "failed"] { used.insert("outbox.status.\(status)") }
        for unit in IndicatorUnit.allCases {
            used.insert("indicators.unit.\(unit.rawValue)"); used.insert("indicators.unit_short.\(unit.rawValue)")
        }
        for direction in IndicatorDirection.allCases { used.insert("indicators.direction.\(direction.rawValue)") }
        for level in IndicatorLevel.allCases { used.insert("indicators.level.\(level.rawValue)") }
        for category in IndicatorCategory.allCases { used.insert("indicators.category.\(category.rawValue)") }
        for verdict in ["beyond_chance", "within_chance", "no_pupils", "no_spread"] {
            used.insert("indicators.verdict.\(verdict)")
        }
        for status in ["achieved", "on_track", "behind", "awaiting_data", "missed"] {
            used.insert("goals.status.\(status)")
        }
        for status in ["running", "done", "rejected", "failed"] { used.insert("imports.status.\(status)") }
        for status in ["agreed", "ongoing", "done", "dropped"] { used.insert("steps.status.\(status)") }
        for format in ["csv", "kolada"] { used.insert("imports.format.\(format)") }
        // Audit actions are recorded as "subject:verb" and shown as "audit.subject_verb".
        let audit = try NSRegularExpression(pattern: #"Audit\.record\("([a-z_]+):([a-z_]+)""#)
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in audit.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                used.insert(
                    "audit.\(text[Range(match.range(at: 1), in: text)!])_\(text[Range(match.range(at: 2), in: text)!])")
            }
        }
        XCTAssertGreaterThan(used.count, 150)
        for language in Language.allCases {
            // A count's key has its plural forms instead (`key.one`, `key.other`).
            let missing = used.filter {
                !catalog.has($0, language)
                    && !(catalog.has($0 + ".one", language) && catalog.has($0 + ".other", language))
            }.sorted()
            XCTAssertTrue(missing.isEmpty, "\(language.rawValue) lacks \(missing)")
        }
    }

    /// Every key in the catalogue is used: written out in a template or the code, or under a prefix that the code
    /// completes at run time (`"position.\(kind)"`, `"mail.meeting_\(kind).subject"`, `"knowledge.licence."`).
    func testEveryKeyIsUsed() throws {
        let sources = repositoryRoot.appendingPathComponent("Sources")
        let text = try FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }
            .filter { ["swift", "leaf"].contains($0.pathExtension) }
            .map { try String(contentsOf: $0, encoding: .utf8) }
            .joined(separator: "\n")
        let range = NSRange(text.startIndex..., in: text)
        // A prefix and an optional literal ending around one interpolation.
        let interpolated = try NSRegularExpression(
            pattern: #""([a-z_.]+)\\\((?:[^()"]|\([^()]*\))*\)((?:\.[a-z_]+)*)""#)
        var families: [(prefix: String, suffix: String)] = interpolated.matches(in: text, range: range).map {
            (String(text[Range($0.range(at: 1), in: text)!]), String(text[Range($0.range(at: 2), in: text)!]))
        }
        // Prefixes handed to a function that appends the value ("knowledge.licence.").
        let prefix = try NSRegularExpression(pattern: #""([a-z_]+\.[a-z_.]*\.)""#)
        families += prefix.matches(in: text, range: range).map { (String(text[Range($0.range(at: 1), in: text)!]), "") }
        // Audit entries are recorded as "subject:verb" and shown as "audit.subject_verb".
        families.append(("audit.", ""))
        // The import problem's key is put together from its parts.
        let composed: Set = [
            "imports.problem_item", "imports.problem_line", "imports.problem_item_field", "imports.problem_line_field",
        ]
        let tail = try NSRegularExpression(pattern: #"^[A-Za-z0-9_/-]+(\.[0-9]+)?$"#)
        func fills(_ middle: Substring) -> Bool {
            let middle = String(middle)
            return tail.firstMatch(in: middle, range: NSRange(middle.startIndex..., in: middle)) != nil
        }
        // Every string literal once, so that looking a key up is cheap.
        let literal = try NSRegularExpression(pattern: #""@?([a-z_][A-Za-z0-9_./-]*)""#)
        let written = Set(
            literal.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) })
        let keys = try catalog().tables[.en]!.keys
        var unused: [String] = []
        for key in keys {
            // A count's forms are used through the key without `.one` or `.other`.
            let stem =
                key.hasSuffix(".one")
                ? String(key.dropLast(4)) : key.hasSuffix(".other") ? String(key.dropLast(6)) : key
            let isWritten = written.contains(key) || written.contains(stem)
            let built = [key, stem].contains { candidate in
                families.contains { family in
                    candidate.hasPrefix(family.prefix) && candidate.hasSuffix(family.suffix)
                        && candidate.count > family.prefix.count + family.suffix.count
                        && fills(candidate.dropFirst(family.prefix.count).dropLast(family.suffix.count))
                }
            }
            if !isWritten && !built && !composed.contains(stem) { unused.append(key) }
        }
        XCTAssertGreaterThan(keys.count, 1_000)
        XCTAssertTrue(unused.isEmpty, "Keys that nothing uses: \(unused.sorted())")
    }

    /// A Danish or Swedish text that is the same as the English one is untranslated, unless every word in it is
    /// written the same way in that language ("Status", "Region", "{0} km").
    func testEveryTextIsTranslated() throws {
        let catalog = try catalog()
        let shared: [Language: Set<String>] = [
            .da: [
                "Administration", "Administrator", "CSV", "E-mail", "Excel", "Facilitator", "Feedback", "Finland",
                "Helsinki",
                "For", "Format", "Guide", "Invitation", "Menu", "Organisation", "organisation", "Person", "person",
                "Region", "Respondent", "Samrad", "Send", "invitation", "link", "Slides", "Status", "Webinar", "km",
                "min", "Online", "online",
                // Names of formats, standards and payment systems.
                "OIOUBL", "Peppol", "BIS", "Billing", "IBAN", "BIC", "SWIFT", "Bankgiro", "Plusgiro",
            ],
            .sv: [
                "Administration", "CSV", "Excel", "Finland", "Format", "Guide", "Organisation", "organisation",
                "Period",
                "Person", "person", "Presentation", "Samrad", "Status", "Text", "Markdown", "km", "Material",
                "OIOUBL", "Peppol", "BIS", "Billing", "IBAN", "BIC", "SWIFT", "Bankgiro", "Plusgiro",
            ],
        ]
        for (language, words) in shared {
            var untranslated: [String] = []
            for (key, english) in catalog.tables[.en]! where catalog.tables[language]?[key] == english {
                let textWords = english.split { !$0.isLetter && $0 != "-" }.map(String.init)
                if !textWords.allSatisfy(words.contains) { untranslated.append("\(key): \(english)") }
            }
            XCTAssertTrue(untranslated.isEmpty, "\(language.rawValue) keeps English: \(untranslated.sorted())")
        }
    }

    func testPlaceholdersAreFilled() throws {
        let catalog = try catalog()
        XCTAssertEqual(catalog.text("directory.page_of", .da, ["2", "7"]), "Side 2 af 7")
        XCTAssertEqual(catalog.text("directory.page_of", .sv, ["2", "7"]), "Sida 2 av 7")
        XCTAssertEqual(catalog.text("no.such.key", .sv), "no.such.key")
    }

    /// Counts take the plural form of their language: one for 1, other for 0, 2 and more.
    func testCountsUseEachLanguagesPluralForms() throws {
        let catalog = try catalog()
        XCTAssertEqual(catalog.count("people_import.created", 1, .da), "1 ny person")
        XCTAssertEqual(catalog.count("people_import.created", 2, .da), "2 nye personer")
        XCTAssertEqual(catalog.count("people_import.created", 0, .sv), "0 nya personer")
        XCTAssertEqual(catalog.count("people_import.created", 1, .sv), "1 ny person")
        XCTAssertEqual(catalog.count("people_import.created", 1_200, .en), "1,200 new people")
        XCTAssertEqual(catalog.count("people_import.created", 1, .en), "1 new person")
        // Every key with plural forms has both, in every language.
        for language in Language.allCases {
            let keys = catalog.tables[language]!.keys
            for key in keys where key.hasSuffix(".one") {
                XCTAssertTrue(
                    catalog.has(String(key.dropLast(4)) + ".other", language), "\(language): \(key) without .other")
            }
        }
    }

    func testAcceptLanguageNegotiation() {
        XCTAssertEqual(Language.negotiate(acceptLanguage: "sv-SE,sv;q=0.9,en;q=0.8"), .sv)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "de-DE, da;q=0.5, en;q=0.4"), .da)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "nb-NO"), .da)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "fr-FR"), .en)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "da;q=0, sv;q=0.1"), .sv)
        XCTAssertEqual(Language.negotiate(acceptLanguage: nil), .en)
    }

    func testNumbersAreWrittenPerLanguage() {
        XCTAssertEqual(NumberText.integer(671_714, .da), "671.714")
        XCTAssertEqual(NumberText.integer(974_073, .sv), "974\u{00A0}073")
        XCTAssertEqual(NumberText.integer(1_234_567, .en), "1,234,567")
        XCTAssertEqual(NumberText.integer(12, .en), "12")
        XCTAssertEqual(NumberText.decimal(91.12, .da), "91,1")
        XCTAssertEqual(NumberText.decimal(7372.05, .en, fractionDigits: 2), "7,372.05")
    }
}

final class DateTextTests: XCTestCase {
    func testDatesInEachLanguageAndZone() {
        // 27 May 2014, 13:00 in Copenhagen (CEST, UTC+2): the first political meeting of case 1.
        let meeting = DateText.parseLocal("2014-05-27T13:00", zone: "Europe/Copenhagen")!
        XCTAssertEqual(ISO8601DateFormatter().string(from: meeting), "2014-05-27T11:00:00Z")
        XCTAssertEqual(DateText.dateTime(meeting, .da, zone: "Europe/Copenhagen"), "27. maj 2014 kl. 13.00")
        XCTAssertEqual(DateText.dateTime(meeting, .sv, zone: "Europe/Stockholm"), "27 maj 2014 kl. 13:00")
        XCTAssertEqual(DateText.dateTime(meeting, .en, zone: "Europe/Helsinki"), "27 May 2014, 14:00")
        XCTAssertEqual(DateText.local(meeting, zone: "Europe/Copenhagen"), "2014-05-27T13:00")
        XCTAssertNil(DateText.parseLocal("27/05/2014", zone: "Europe/Copenhagen"))
        XCTAssertTrue(DateText.isISODate("2016-06-01"))
        XCTAssertFalse(DateText.isISODate("2016-13-01"))
    }

    func testSlugs() {
        XCTAssertEqual(Slug.make("Kommunesamarbejde om folkeskolen 2014"), "kommunesamarbejde-om-folkeskolen-2014")
        XCTAssertEqual(Slug.make("Økonomi- og ressourcestyring!"), "okonomi-og-ressourcestyring")
        XCTAssertEqual(Slug.make("Nätverk för skolutveckling – Värmland"), "natverk-for-skolutveckling-varmland")
    }
}
