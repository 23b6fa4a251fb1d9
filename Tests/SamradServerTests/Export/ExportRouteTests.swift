import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import ZIPFoundation

/// The municipality's export: its coordinators and administrators may take it; it holds the
/// municipality's own data and public statistics, never another municipality's private values.
final class ExportRouteTests: XCTestCase {
    var app: Application!
    let aarhus = MunicipalityKey(.dk, "751")

    override func setUp() async throws {
        app = try await makeTestApp()
        try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        try await makeUser(
            app, email: "koordinator@aarhus.dk", grants: [RoleGrant(kind: .coordinator, municipality: aarhus)])
        try await makeUser(
            app, email: "koordinator@kk.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))])
        for (name, code) in [("Anna Andersen", "751"), ("Bo Berg", "101")] {
            let person = Person()
            person.name = name
            person.email = "\(name.split(separator: " ")[0].lowercased())@example.dk"
            person.position = "administration"
            person.municipalityCountry = "dk"
            person.municipalityCode = code
            person.isExample = false
            try await person.create(on: app.db)
        }
        let goal = Goal()
        goal.level = "municipality"; goal.country = "dk"; goal.unitCode = "751"; goal.municipalityCode = "751";
        goal.indicator = "trivsel"
        goal.baselineYear = 2024; goal.baselineValue = 3.8; goal.targetYear = 2027; goal.targetValue = 4.0
        goal.reason = "Flere elever skal trives"; goal.owner = "Skolechefen"
        try await goal.create(on: app.db)
        let sql = app.db.sql
        // Public, Aarhus's own, and Copenhagen's private values about Aarhus and about itself.
        for (unit, scope, value) in [
            ("751", "", 71.5), ("751", "dk/751", 64.0), ("751", "dk/101", 99.0), ("101", "dk/101", 55.0),
        ] {
            try await sql.raw(
                """
                INSERT INTO observations (indicator, level, country, unit_code, year, scope, value, status)
                VALUES ('trivsel', 'municipality', 'dk', \(bind: unit), 2025, \(bind: scope), \(bind: value), 'final')
                """
            ).run()
        }
    }

    override func tearDown() async throws { try await app.asyncShutdown() }

    func client(_ email: String?) async throws -> Client {
        let client = Client(app)
        if let email { try await client.signIn(email, "correct horse battery") }
        return client
    }

    func testTheCoordinatorAndTheAdministratorTakeTheExportOthersDoNot() async throws {
        for email in ["koordinator@aarhus.dk", "admin@example.dk"] {
            let response = try await client(email).get("/municipalities/dk/751/export.zip")
            XCTAssertEqual(response.status, .ok, email)
            XCTAssertEqual(response.headers.contentType?.subType, "zip")
            XCTAssertTrue(response.headers.first(name: .contentDisposition)?.contains("samrad-dk-751-") ?? false)
            let files = try unzip(Data(response.body.readableBytesView))
            XCTAssertEqual(
                Set(files.keys),
                [
                    "manifest.json", "people.csv", "registrations.csv", "invitations.csv", "clusters.csv",
                    "attendances.csv",
                    "meetings.json", "commitments.csv", "questionnaire_answers.csv", "goals.csv", "next_steps.csv",
                    "indicators.csv", "local_dialogues.json", "materials.json",
                ])
            let people = files["people.csv"]!
            XCTAssertTrue(people.contains("Anna Andersen") && !people.contains("Bo Berg"), people)
            XCTAssertTrue(
                files["goals.csv"]!.contains(
                    "municipality,751,trivsel,2024,3.8,2027,4,Flere elever skal trives,Skolechefen"))
            let indicators = files["indicators.csv"]!
            XCTAssertTrue(indicators.contains("trivsel,municipality,751,2025,71.5,final,,public"), indicators)
            XCTAssertTrue(indicators.contains("trivsel,municipality,751,2025,64,final,,own"), indicators)
            XCTAssertFalse(
                indicators.contains("99") || indicators.contains("55"), "another municipality's private values stay out"
            )
            XCTAssertTrue(files["manifest.json"]!.contains("\"name\" : \"Aarhus\""))
            // The manifest lists the features' files in the order of the features.
            let manifest = files["manifest.json"]!
            let order = [
                "people.csv", "registrations.csv", "invitations.csv", "clusters.csv", "attendances.csv",
                "meetings.json", "commitments.csv", "questionnaire_answers.csv", "goals.csv", "next_steps.csv",
                "indicators.csv", "local_dialogues.json", "materials.json",
            ]
            let places = order.compactMap { manifest.range(of: "\"\($0)\"")?.lowerBound }
            XCTAssertEqual(places, places.sorted(), manifest)
        }
        // The audit log names who took it.
        let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "municipality:export").count()
        XCTAssertEqual(audited, 2)
        // Another municipality's coordinator and a visitor: no.
        let other = try await client("koordinator@kk.dk").get("/municipalities/dk/751/export.zip")
        XCTAssertEqual(other.status, .forbidden)
        let visitor = try await client(nil).get("/municipalities/dk/751/export.zip")
        XCTAssertNotEqual(visitor.status, .ok)
        XCTAssertTrue([.seeOther, .unauthorized].contains(visitor.status))
        // The page offers the download only to those who may take it.
        let page = try await client("koordinator@aarhus.dk").get("/municipalities/dk/751").body.string
        XCTAssertTrue(page.contains("href=\"/municipalities/dk/751/export.zip\""))
        let otherPage = try await client("koordinator@kk.dk").get("/municipalities/dk/751").body.string
        XCTAssertFalse(otherPage.contains("export.zip"))
    }

    func unzip(_ data: Data) throws -> [String: String] {
        let archive = try Archive(data: data, accessMode: .read)
        var files: [String: String] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            files[entry.path] = String(decoding: bytes, as: UTF8.self)
        }
        return files
    }
}
