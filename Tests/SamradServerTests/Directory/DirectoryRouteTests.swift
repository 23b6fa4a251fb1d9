import Fluent
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

final class DirectoryRouteTests: XCTestCase {
    var app: Application!

    override func setUp() async throws { app = try await makeTestApp() }
    override func tearDown() async throws { try await app.asyncShutdown() }

    func testListAPIFiltersAndPages() async throws {
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities")
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.json["total"] as? Int, 1054)
            XCTAssertEqual((res.json["items"] as? [Any])?.count, 50)
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities?country=dk&per_page=500")
            XCTAssertEqual(res.json["total"] as? Int, 98)
            XCTAssertEqual((res.json["items"] as? [Any])?.count, 98)
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities?country=se&q=malm%C3%B6")
            let items = res.json["items"] as! [[String: Any]]
            XCTAssertEqual(items.map { $0["name"] as? String }, ["Malmö"])
            XCTAssertEqual(items.first?["code"] as? String, "1280")
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities?country=dk&region=1081")
            XCTAssertEqual(res.json["total"] as? Int, 11)
        }
    }

    func testBadFiltersAreProblemsNamingTheParameter() async throws {
        do {
            let res = try await send(
                app, .GET, "/api/v1/municipalities?country=xx&per_page=9999", headers: ["Accept-Language": "da"])
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertEqual(res.headers.contentType?.description, "application/problem+json; charset=utf-8")
            let fields = (res.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }
            XCTAssertEqual(fields, ["country", "per_page"])
            XCTAssertEqual(res.json["detail"] as? String, "Nogle af oplysningerne mangler eller er forkerte.")
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities/dk/9999")
            XCTAssertEqual(res.status, .notFound)
            XCTAssertEqual(res.json["status"] as? Int, 404)
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities/xx/101")
            XCTAssertEqual(res.status, .notFound)
        }
    }

    func testDetailAPIHasNeighboursAndSimilar() async throws {
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities/dk/101")
            XCTAssertEqual(res.status, .ok)
            let m = res.json["municipality"] as! [String: Any]
            XCTAssertEqual(m["population"] as? Int, 671_714)
            XCTAssertEqual(m["populationDate"] as? String, "2026-01-01")
            let neighbours = (res.json["neighbours"] as! [[String: Any]]).compactMap { $0["name"] as? String }
            XCTAssertTrue(neighbours.contains("Frederiksberg"))
            XCTAssertEqual(res.json["similarSource"] as? String, "national_group_population")
        }
        do {
            let res = try await send(app, .GET, "/api/v1/municipalities/se/0180")
            XCTAssertEqual((res.json["similar"] as? [Any])?.count, 7)
            XCTAssertEqual(res.json["similarSource"] as? String, "kolada_grundskola_2024")
        }
    }

    func testCSVExportHasEveryFilteredRow() async throws {
        do {
            let res = try await send(app, .GET, "/municipalities.csv?country=se")
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.headers.contentType?.subType, "csv")
            let lines = res.body.string.split(separator: "\r\n")
            XCTAssertEqual(lines.count, 291)
            XCTAssertTrue(lines[0].hasPrefix("\u{FEFF}country,code,name,region_code"), "UTF-8 with a byte order mark")
        }
    }

    func testPagesInEveryLanguage() async throws {
        for (language, heading, population) in [
            ("da", "Kommuner", "671.714"), ("sv", "Kommuner", "671\u{00A0}714"), ("en", "Municipalities", "671,714"),
        ] {
            do {
                let res = try await send(
                    app, .GET, "/municipalities?country=dk&q=k%C3%B8benhavn", headers: ["Accept-Language": language])
                XCTAssertEqual(res.status, .ok)
                XCTAssertTrue(res.body.string.contains("<html lang=\"\(language)\">"))
                XCTAssertTrue(res.body.string.contains("<h1>\(heading)</h1>"))
                XCTAssertTrue(res.body.string.contains(population), "\(language): \(population)")
            }
        }
        do {
            let res = try await send(app, .GET, "/municipalities/se/1280", headers: ["Accept-Language": "sv"])
            XCTAssertEqual(res.status, .ok)
            XCTAssertTrue(res.body.string.contains("<h1>Malmö</h1>"))
            XCTAssertTrue(res.body.string.contains("Grannkommuner"))
            XCTAssertTrue(res.body.string.contains("Liknande kommuner"))
        }
        do {
            let res = try await send(app, .GET, "/municipalities?page=nope")
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertTrue(res.body.string.contains("The page must be a whole number from 1."))
        }
        do {
            let res = try await send(app, .GET, "/municipalities/dk/0")
            XCTAssertEqual(res.status, .notFound)
            XCTAssertTrue(res.body.string.contains("<html"))
        }
    }

    func testImportIsIdempotentAndAllOrNothing() async throws {
        let sql = app.db.sql
        struct Count: Decodable { var n: Int }
        func count(_ table: String) async throws -> Int {
            try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)!.n
        }
        let before = (
            try await count("municipalities"), try await count("municipality_links"),
            try await count("directory_versions")
        )
        XCTAssertEqual(before.0, 1054)
        let again = try await DirectoryImport.run(on: app.db, files: app.resources, logger: app.logger)
        XCTAssertFalse(again.imported)
        let after = (
            try await count("municipalities"), try await count("municipality_links"),
            try await count("directory_versions")
        )
        XCTAssertEqual(before.0, after.0); XCTAssertEqual(before.1, after.1); XCTAssertEqual(before.2, after.2)

        // A changed file with a bad line is refused whole: nothing of it is written.
        var files: [String: String] = [:]
        for name in DirectoryDataset.fileNames {
            files[name] = try String(
                contentsOf: app.resources.url("Directory").appendingPathComponent(name), encoding: .utf8)
        }
        files["se_municipalities.csv"] = files["se_municipalities.csv"]!.replacingOccurrences(
            of: "Upplands Väsby,Upplands Väsby kommun", with: "Väsby,Väsby kommun")
        files["fi_municipalities_2020.csv"]! += "999,Broken,FI200,not-a-number,2020-01-01,1,1,1\n"
        XCTAssertThrowsError(try DirectoryDataset(files: files).municipalities())
        do {
            _ = try await DirectoryImport.run(on: app.db, dataset: DirectoryDataset(files: files), logger: app.logger)
            XCTFail("the import should fail")
        } catch let error as SamradError {
            XCTAssertEqual(error.arguments.first, "fi_municipalities_2020.csv")
        }
        struct Name: Decodable { var name: String }
        let name = try await sql.raw("SELECT name FROM municipalities WHERE country = 'se' AND code = '0114'").first(
            decoding: Name.self)
        XCTAssertEqual(name?.name, "Upplands Väsby")
        let v1 = try await count("directory_versions")
        XCTAssertEqual(v1, 1)

        // A good change is imported, once.
        files["fi_municipalities_2020.csv"] = try String(
            contentsOf: app.resources.url("Directory/fi_municipalities_2020.csv"), encoding: .utf8)
        let changed = try await DirectoryImport.run(
            on: app.db, dataset: DirectoryDataset(files: files), logger: app.logger)
        XCTAssertTrue(changed.imported)
        let v2 = try await count("municipalities")
        XCTAssertEqual(v2, 1054)
        let v3 = try await sql.raw("SELECT name FROM municipalities WHERE country = 'se' AND code = '0114'").first(
            decoding: Name.self)?.name
        XCTAssertEqual(v3, "Väsby")
    }

    func testHealthAndHeaders() async throws {
        do {
            let res = try await send(app, .GET, "/healthz")
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.json["municipalities"] as? Int, 1054)
        }
        do {
            let res = try await send(app, .GET, "/")
            XCTAssertEqual(res.headers.first(name: "X-Frame-Options"), "DENY")
            XCTAssertNotNil(res.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(
                res.headers[.setCookie].contains {
                    $0.hasPrefix("samrad_csrf=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict")
                })
        }
        // Error answers carry them too: a missing page and a malformed API request.
        for path in ["/no-such-page", "/api/v1/municipalities/xx/1"] {
            let res = try await send(app, .GET, path)
            XCTAssertEqual(res.status, .notFound, path)
            XCTAssertEqual(res.headers.first(name: "X-Content-Type-Options"), "nosniff", path)
            XCTAssertNotNil(res.headers.first(name: "Content-Security-Policy"), path)
        }
        do {
            let res = try await send(app, .GET, "/api/openapi.json")
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.json["openapi"] as? String, "3.1.0")
        }
        // L1: the whole set, on a page and on an error; HSTS and Secure cookies only over https.
        let expected = [
            "Content-Security-Policy":
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors "
                + "'none'; form-action 'self'; base-uri 'none'",
            "Referrer-Policy": "same-origin", "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
        ]
        for path in ["/", "/no-such-page"] {
            let res = try await send(app, .GET, path)
            for (name, value) in expected { XCTAssertEqual(res.headers.first(name: name), value, "\(name) on \(path)") }
            XCTAssertNil(res.headers.first(name: "Strict-Transport-Security"), "not over plain http")
        }
        let secure = try await makeTestApp(publicBaseURL: "https://samrad.example.dk")
        do {
            try await makeUser(secure, email: "kim@example.dk")
            let res = try await send(secure, .GET, "/")
            XCTAssertEqual(res.headers.first(name: "Strict-Transport-Security"), "max-age=31536000")
            XCTAssertTrue(
                res.headers[.setCookie].contains { $0.hasPrefix("__Host-samrad_csrf=") && $0.contains("Secure") },
                "M10: only this host sets it")
            let client = Client(secure)
            let signIn = try await client.post(
                "/sign-in", form: ["email": "kim@example.dk", "password": "correct horse battery"])
            XCTAssertEqual(signIn.status, .seeOther)
            let cookie = signIn.headers[.setCookie].first { $0.hasPrefix("__Host-samrad_session=") } ?? ""
            XCTAssertTrue(
                cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), cookie)
        }
        try await secure.asyncShutdown()
    }
}
