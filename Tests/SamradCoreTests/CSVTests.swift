import XCTest
@testable import SamradCore

final class CSVTests: XCTestCase {
    func testQuotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        let table = try CSVTable(
            parsing: "\u{FEFF}code,name\r\n101,\"København, \"\"Kbh\"\"\"\n147,\"Frederiks\nberg\"\n")
        XCTAssertEqual(table.header, ["code", "name"])
        XCTAssertEqual(table.records.count, 2)
        XCTAssertEqual(table.records[0]["name"], "København, \"Kbh\"")
        XCTAssertEqual(table.records[1]["name"], "Frederiks\nberg")
        XCTAssertEqual(table.records[1].line, 3)
    }

    func testWrongFieldCountNamesTheLine() {
        XCTAssertThrowsError(try CSVTable(parsing: "a,b\n1,2\n3\n")) { error in
            let error = error as! SamradError
            XCTAssertEqual(error.messageKey, "csv.field_count")
            XCTAssertEqual(error.fieldErrors.first?.field, "line 3")
        }
    }

    func testUnclosedQuoteIsReported() {
        XCTAssertThrowsError(try CSVTable(parsing: "a,b\n1,\"open\n")) { error in
            XCTAssertEqual((error as! SamradError).messageKey, "csv.unclosed_quote")
        }
    }

    func testNumbersAreCheckedWithColumnAndLine() throws {
        let table = try CSVTable(parsing: "code,population\n101,many\n")
        XCTAssertThrowsError(try table.records[0].int("population")) { error in
            let error = error as! SamradError
            XCTAssertEqual(error.arguments, ["2", "population"])
        }
    }

    func testWriterQuotesAndDefusesFormulas() {
        var writer = CSVWriter(header: ["name", "note"])
        writer.append(["Lyngby-Taarbæk", "=HYPERLINK(\"x\")"])
        writer.append(["A, B", "-12"])
        XCTAssertEqual(writer.text, "name,note\r\nLyngby-Taarbæk,\"'=HYPERLINK(\"\"x\"\")\"\r\n\"A, B\",-12\r\n")
        // L10: a tab or carriage return first (OWASP's list) is defused too.
        XCTAssertEqual(CSVWriter.quote("\t=1+1"), "'\t=1+1")
        XCTAssertEqual(CSVWriter.quote("\r=1+1"), "\"'\r=1+1\"")
    }
}
