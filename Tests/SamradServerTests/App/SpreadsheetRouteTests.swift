import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Files for Excel both ways: every table's .xlsx twin and semicolon CSV, and imports that take what
/// Danish and Swedish Excel save (semicolons, Windows-1252, workbooks).
final class SpreadsheetRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func testAWorkbookWrittenIsReadBackWithItsTypes() throws {
        var table = CSVWriter(header: ["code", "name", "population", "population_date", "note"])
        table.append(["0180", "Stockholm", "984748", "2024-12-31", "A & B <c>\u{1}"])
        table.append(["1281", "Lund", "129000", "", " leading space"])
        let zone = TimeZone(identifier: "Europe/Stockholm")!
        let data = try XLSXWorkbook(title: "Kommuner: Sverige/2024", table: table, zone: zone).data()
        let sheet = try XLSXSheet.read(data)
        XCTAssertEqual(sheet.rows[0], ["code", "name", "population", "population_date", "note"])
        XCTAssertEqual(sheet.rows[1], ["0180", "Stockholm", "984748", "2024-12-31", "A & B <c>"])
        XCTAssertEqual(sheet.rows[2], ["1281", "Lund", "129000", "", " leading space"])
        let workbook = XLSXWorkbook(title: "Kommuner: Sverige/2024", table: table, zone: zone)
        XCTAssertEqual(workbook.sheetName, "Kommuner  Sverige 2024")
        XCTAssertTrue(workbook.sheet.contains(#"<c r="C2"><v>984748</v></c>"#), "a number cell")
        XCTAssertTrue(workbook.sheet.contains(#"<c r="D2" s="2"><v>45657</v></c>"#), "a date cell: 2024-12-31")
        XCTAssertTrue(workbook.sheet.contains(#"<c r="A2" t="inlineStr"><is><t>0180</t></is></c>"#), "a code")
        XCTAssertEqual(XLSXWorkbook.column(0), "A")
        XCTAssertEqual(XLSXWorkbook.column(27), "AB")
    }

    func testDaysAreExcelsSerialNumbers() {
        // Excel's own numbers, checked against Python's date arithmetic.
        let days = [
            (1899, 12, 30, 0), (1900, 3, 1, 61), (1970, 1, 1, 25_569), (2024, 2, 29, 45_351), (2026, 12, 6, 46_362),
        ]
        for (year, month, day, serial) in days {
            XCTAssertEqual(XLSXWorkbook.serial(year, month, day), serial, "\(year)-\(month)-\(day)")
        }
    }

    func testTheListComesAsWorkbookAndForDanishExcel() async throws {
        let xlsx = try await send(app, .GET, "/municipalities.xlsx?country=se")
        XCTAssertEqual(xlsx.status, .ok)
        XCTAssertEqual(xlsx.headers.contentType?.subType, "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        XCTAssertTrue(xlsx.headers.first(name: .contentDisposition)?.contains("municipalities.xlsx") ?? false)
        let rows = try XLSXSheet.read(Data(xlsx.body.readableBytesView)).rows
        XCTAssertEqual(rows.count, 291)
        XCTAssertTrue(rows.contains { $0.starts(with: ["se", "0180", "Stockholm"]) })
        let semicolon = try await send(app, .GET, "/municipalities.csv?country=se&sep=semicolon")
        let lines = semicolon.body.string.split(separator: "\r\n")
        XCTAssertTrue(lines[0].hasPrefix("\u{FEFF}country;code;name;"))
        let stockholm = try XCTUnwrap(lines.first { $0.hasPrefix("se;0180;Stockholm;") })
        XCTAssertTrue(stockholm.split(separator: ";")[7].contains(","), "area with a decimal comma: \(stockholm)")
    }

    func importList(_ token: String, _ data: Data, type: String) async throws -> XCTHTTPResponse {
        var headers = bearer(token)
        headers.replaceOrAdd(name: .contentType, value: type)
        return try await send(
            app, .POST, "/api/v1/people/import?country=dk", headers: headers, body: ByteBuffer(data: data))
    }

    func testPeopleComeInFromSemicolonWindows1252AndWorkbooks() async throws {
        let coordinator = try await makeToken(
            app, for: try await makeUser(
                app, email: "koordinator@kk.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))]))
        // "Søren Ærø" in Windows-1252, semicolons, as Danish Excel saves "CSV (semikolonsepareret)".
        var cp1252 = Array("kommune;navn;funktion;e-mail\r\n101;S".utf8) + [0xF8]
        cp1252 += Array("ren ".utf8) + [0xC6] + Array("r".utf8) + [0xF8] + Array(";school_chief;soren@kk.dk\r\n".utf8)
        let first = try await importList(coordinator, Data(cp1252), type: "text/csv")
        XCTAssertEqual(first.status, .ok, first.body.string)
        let søren = try await Person.query(on: app.db).filter(\.$email == "soren@kk.dk").first()
        XCTAssertEqual(søren?.name, "Søren Ærø")

        var table = CSVWriter(header: ["kommune", "navn", "funktion", "e-mail", "telefon"])
        table.append(["101", "Åse Ødegård", "school_leader", "ase@kk.dk", "+45 33 66 33 66"])
        let workbook = try XLSXWorkbook(title: "Personer", table: table, zone: .gmt).data()
        let second = try await importList(
            coordinator, workbook, type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        XCTAssertEqual(second.status, .ok, second.body.string)
        let åse = try await Person.query(on: app.db).filter(\.$email == "ase@kk.dk").first()
        XCTAssertEqual(åse?.name, "Åse Ødegård")
        XCTAssertEqual(åse?.phone, "+45 33 66 33 66", "a phone number is not taken for a formula")

        let garbled = try await importList(coordinator, Data([0x61, 0x81, 0x3B, 0x62, 0x0A]), type: "text/csv")
        XCTAssertEqual(garbled.status, .unprocessableEntity)
        XCTAssertTrue(garbled.body.string.contains("neither UTF-8 nor Windows-1252"), garbled.body.string)
        let broken = try await importList(coordinator, Data([0x50, 0x4B, 0x03, 0x04, 0x00]), type: "text/csv")
        XCTAssertEqual(broken.status, .unprocessableEntity)
        XCTAssertTrue(broken.body.string.contains("Excel file cannot be read"), broken.body.string)
    }

    func testSchoolsComeInFromASemicolonFile() async throws {
        let client = Client(app)
        try await makeUser(
            app, email: "koordinator@lund.se",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1281"))])
        try await client.signIn("koordinator@lund.se", "correct horse battery")
        let file = Data("code;name\n12810001;Östratornskolan\n12810002;Vikingaskolan\n".utf8)
        let response = try await client.upload(
            "/municipalities/se/1281/schools/import", fields: [:], file: ("skolor.csv", file))
        XCTAssertEqual(response.status, .seeOther, response.body.string)
        let names = try await School.query(on: app.db).filter(\.$municipalityCode == "1281").all().map(\.name).sorted()
        XCTAssertEqual(names, ["Vikingaskolan", "Östratornskolan"])
    }
}
