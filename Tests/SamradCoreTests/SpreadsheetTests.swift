import Foundation
import SamradCore
import XCTest

/// Files as Danish and Swedish spreadsheets write them, and the typed cells Samrad writes back.
final class SpreadsheetTests: XCTestCase {
    func testTextFilesInEveryEncodingASpreadsheetSavesAndNoGarbling() throws {
        let text = "kommune;navn\n101;Bjørn Æbelø – “Skoleleder”\n"
        XCTAssertEqual(try TextFile.decode(Data(text.utf8)).encoding, .utf8)
        XCTAssertEqual(try TextFile.decode(Data([0xEF, 0xBB, 0xBF] + Array(text.utf8))).text, text, "BOM dropped")
        // Windows-1252, as "CSV (semikolonsepareret)" saves it: ø is F8, Æ C6, – 96, “ 93, ” 94.
        var cp1252 = Array("kommune;navn\n101;Bj".utf8) + [0xF8] + Array("rn ".utf8) + [0xC6]
        cp1252 += Array("bel".utf8) + [0xF8, 0x20, 0x96, 0x20, 0x93] + Array("Skoleleder".utf8) + [0x94, 0x0A]
        let decoded = try TextFile.decode(Data(cp1252))
        XCTAssertEqual(decoded.encoding, .windows1252)
        XCTAssertEqual(decoded.text, text)
        let utf16 = Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        XCTAssertEqual(try TextFile.decode(utf16).text, text)
        // 0x81 means nothing in Windows-1252 and is no UTF-8: refused, with the file named.
        XCTAssertThrowsError(try TextFile.decode(Data([0x61, 0x81, 0xC3]))) { error in
            XCTAssertEqual((error as? SamradError)?.fieldErrors.first?.field, "file")
            XCTAssertEqual((error as? SamradError)?.messageKey, "csv.encoding_unknown")
        }
    }

    func testCellsAreTypedExceptCodes() {
        XCTAssertEqual(SpreadsheetCell("12", kind: .typed), .number(12))
        XCTAssertEqual(SpreadsheetCell("-3.25", kind: .typed), .number(-3.25))
        XCTAssertEqual(SpreadsheetCell("0180", kind: .typed), .text("0180"), "a leading zero is a code")
        XCTAssertEqual(SpreadsheetCell("1e5", kind: .typed), .text("1e5"))
        XCTAssertEqual(SpreadsheetCell("2026-12-06", kind: .typed), .day(year: 2026, month: 12, day: 6))
        XCTAssertEqual(
            SpreadsheetCell("2027-05-27T13:00", kind: .typed), .wallClock(year: 2027, month: 5, day: 27, minutes: 780))
        XCTAssertEqual(
            SpreadsheetCell("2026-12-06T10:00:00Z", kind: .typed), .moment(Date(timeIntervalSince1970: 1_796_551_200)))
        XCTAssertEqual(SpreadsheetCell("751", kind: .text), .text("751"))
        XCTAssertEqual(SpreadsheetCell("", kind: .typed), .empty)
        XCTAssertEqual(
            SpreadsheetColumn.kinds(["code", "region_code", "population", "phone", "ean_gln_or_org_number", "amount"]),
            [.text, .text, .typed, .text, .text, .typed])
    }

    func testTheSemicolonFormHasDecimalCommas() {
        var writer = CSVWriter(header: ["code", "name", "amount", "note"])
        writer.append(["0180", "Stockholm", "12500.50", "a; b"])
        writer.append(["101", "København", "-3.5", "1.5 timer"])
        XCTAssertEqual(
            writer.text(separator: ";"),
            "code;name;amount;note\r\n0180;Stockholm;12500,50;\"a; b\"\r\n101;København;-3,5;1.5 timer\r\n")
        XCTAssertEqual(
            writer.text, "code,name,amount,note\r\n0180,Stockholm,12500.50,a; b\r\n101,København,-3.5,1.5 timer\r\n")
    }

    func testTheScannerReadsSemicolonFiles() throws {
        var rows: [[String]] = []
        try CSVScanner.scan(Data("\u{FEFF}kommune;år;værdi\n101;2025;\"7,3\"\n147;2025;6,1\n".utf8)) { _, fields in
            rows.append(fields); return true
        }
        XCTAssertEqual(rows, [["kommune", "år", "værdi"], ["101", "2025", "7,3"], ["147", "2025", "6,1"]])
    }
}
