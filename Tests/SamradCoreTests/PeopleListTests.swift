import XCTest
@testable import SamradCore

/// A list of people from a spreadsheet: read as Excel writes it in Denmark and Sweden, and every
/// problem named by its line and column before anything is used.
final class PeopleListTests: XCTestCase {
    var directory: MunicipalityDirectory!
    let names: [String: Position] = [
        "udvalgsformand": .committeeChair, "skolechef": .schoolChief, "rektor": .schoolLeader,
    ]

    override func setUpWithError() throws {
        directory = MunicipalityDirectory(try shippedDataset().municipalities())
    }

    func read(_ text: String, country: Country = .dk) throws -> PeopleList {
        try PeopleList(csv: text, country: country, directory: directory, positionNames: names)
    }

    func problems(_ text: String) -> [FieldError] {
        do { _ = try read(text); XCTFail("read without a problem"); return [] } catch {
            return (error as? SamradError)?.fieldErrors ?? []
        }
    }

    func testSemicolonsBOMAndDanishHeadersAreReadAsExcelWritesThem() throws {
        let text =
            "\u{FEFF}Kommune;Navn;Funktion;E-mail;Telefon;Titel\r\n"
            + "751;Anne Jensen;Udvalgsformand;Anne.Jensen@Aarhus.dk;;\r\n"
            + "dk/101;\"Holm; Jens\";school_chief;jens.holm@kk.dk;+45 33 66 33 66;Skolechef\r\n"
        let list = try read(text)
        XCTAssertEqual(list.rows.count, 2)
        XCTAssertEqual(list.rows[0].municipality, MunicipalityKey(.dk, "751"))
        XCTAssertEqual(list.rows[0].position, .committeeChair)
        XCTAssertEqual(list.rows[0].email, "anne.jensen@aarhus.dk", "matched lower-case")
        XCTAssertNil(list.rows[0].phone)
        XCTAssertEqual(list.rows[1].name, "Holm; Jens")
        XCTAssertEqual(list.rows[1].phone, "+45 33 66 33 66")
        XCTAssertEqual(list.rows[1].line, 3)
    }

    func testCommasAndSwedishCodes() throws {
        let list = try read("kommunkod,namn,roll,e-post\n0180,Eva Berg,Rektor,eva.berg@stockholm.se\n", country: .se)
        XCTAssertEqual(list.rows.first?.municipality, MunicipalityKey(.se, "0180"))
        XCTAssertEqual(list.rows.first?.position, .schoolLeader)
    }

    func testEveryProblemNamesItsLineAndColumn() {
        let found = problems(
            """
            municipality,name,position,email,phone
            751,Anne Jensen,Udvalgsformand,anne@aarhus.dk,
            999,Bo Ek,Udvalgsformand,bo@example.dk,
            751,,Udvalgsformand,c@aarhus.dk,
            751,Dorte,Boss,dorte@aarhus.dk,
            751,Erik,Skolechef,erik@,
            751,Finn,Skolechef,ANNE@aarhus.dk,call me
            """)
        let byLine = Dictionary(grouping: found, by: \.field)
        XCTAssertNil(byLine["line 2"], "a good line has no problem")
        XCTAssertEqual(byLine["line 3"]?.map(\.messageKey), ["people_import.error.municipality"])
        XCTAssertEqual(byLine["line 3"]?.first?.arguments, ["3", "municipality", "999"])
        XCTAssertEqual(byLine["line 4"]?.map(\.messageKey), ["people_import.error.required"])
        XCTAssertEqual(byLine["line 4"]?.first?.arguments.prefix(2), ["4", "name"])
        XCTAssertEqual(byLine["line 5"]?.map(\.messageKey), ["people_import.error.position"])
        XCTAssertEqual(byLine["line 6"]?.map(\.messageKey), ["people_import.error.email"])
        XCTAssertEqual(
            Set(byLine["line 7"]?.map(\.messageKey) ?? []),
            ["people_import.error.phone", "people_import.error.duplicate"])
        XCTAssertEqual(found.count, 6)
    }

    func testAMissingColumnIsNamedBeforeAnyLine() {
        let found = problems("kommune;navn;e-mail\n751;Anne;anne@aarhus.dk\n")
        XCTAssertEqual(found.map(\.messageKey), ["people_import.error.column"])
        XCTAssertEqual(found.first?.arguments, ["position"])
    }

    func testAnEmptyListAndABrokenQuoteAreRefused() {
        XCTAssertEqual(
            problems("municipality,name,position,email\n").map(\.messageKey), ["people_import.error.no_rows"])
        XCTAssertThrowsError(try read("municipality,name,position,email\n751,\"Anne,x,y\n")) { error in
            XCTAssertEqual((error as? SamradError)?.messageKey, "csv.unclosed_quote")
        }
    }

    func testTheSeparatorIsTakenFromTheFirstLine() {
        XCTAssertEqual(CSVTable.separator(of: "a;b;c\n1,5;2;3"), ";")
        XCTAssertEqual(CSVTable.separator(of: "a,b,c\n1;2;3"), ",")
        XCTAssertEqual(CSVTable.separator(of: "\"a;b\",c\n"), ",", "a semicolon in quotes does not count")
    }
}
