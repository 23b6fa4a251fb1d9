import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Day care beside schools (issue 26, case 3's 0-18 area): a municipality keeps its day-care units
/// as units like its schools, imports their figures at the day-care level, and sees them compared
/// with other day-care units, never with schools.
extension IndicatorRouteTests {
    func testDayCareUnitsAreKeptBesideSchoolsAndMeasuredAtTheirOwnLevel() async throws {
        let coordinator = try await client("koordinator@aarhus.dk")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let added = try await coordinator.post(
            "/municipalities/dk/751/schools", form: ["kind": "day_care", "code": "DT-751-01", "name": "Dagtilbud Viby"])
        XCTAssertEqual(added.status, .seeOther, added.body.string)
        let school = try await coordinator.post(
            "/municipalities/dk/751/schools", form: ["kind": "school", "code": "751-S1", "name": "Vibyskolen"])
        XCTAssertEqual(school.status, .seeOther, school.body.string)
        let wrongKind = try await coordinator.upload(
            "/municipalities/dk/751/schools/import", fields: [:],
            file: ("enheder.csv", Data("code,name,kind\nDT-751-02,Dagtilbud Tilst,fritidshjem\n".utf8)))
        XCTAssertEqual(wrongKind.status, .unprocessableEntity)
        XCTAssertTrue(wrongKind.body.string.contains("Line 2: the kind"), wrongKind.body.string)
        let listed = try await coordinator.upload(
            "/municipalities/dk/751/schools/import", fields: [:],
            file: (
                "enheder.csv",
                Data(
                    "code;name;kind\nDT-751-02;Dagtilbud Tilst;Dagtilbud\nDT-751-03;Børnehuset Mårslet;børnehave\n"
                        .utf8)
            ))
        XCTAssertEqual(listed.status, .seeOther, listed.body.string)
        let kinds = try await School.query(on: app.db).filter(\.$municipalityCode == "751").all()
            .map { "\($0.code):\($0.kind)" }.sorted()
        XCTAssertEqual(
            kinds, ["751-S1:school", "DT-751-01:day_care", "DT-751-02:day_care", "DT-751-03:day_care"])
        let page = try await coordinator.get("/municipalities/dk/751/schools", headers: en)
        XCTAssertTrue(page.body.string.contains("<h2>Day-care units</h2>"))
        XCTAssertTrue(page.body.string.contains("Børnehuset Mårslet"))

        // Figures at the day-care level name day-care units; a school's code is not one of them.
        func importShares(_ csv: String) async throws -> XCTHTTPResponse {
            let mapping = [
                "unit_column": "enhed", "year_column": "år", "value_column": "andel",
                "indicator": "dk.day_care.pedagogue_share_pct",
            ]
            return try await importCSV(coordinator, csv, mapping: mapping, level: "day_care").1
        }
        let wrong = try await importShares("enhed,år,andel\nDT-751-01,2025,62.5\n751-S1,2025,70\n")
        XCTAssertTrue(wrong.body.string.contains("751-S1"), wrong.body.string)
        let done = try await importShares("enhed,år,andel\nDT-751-01,2025,62.5\nDT-751-02,2025,58\n")
        XCTAssertEqual(done.status, .ok)
        let stored = try await count(
            "SELECT count(*) AS n FROM observations WHERE level = 'day_care' AND unit_code LIKE 'DT-751-%'")
        XCTAssertEqual(stored, 2)
        let dashboard = try await coordinator.get("/schools/dk/DT-751-01", headers: en)
        XCTAssertEqual(dashboard.status, .ok)
        XCTAssertTrue(dashboard.body.string.contains("Pedagogues among the staff"), dashboard.body.string)
        XCTAssertTrue(dashboard.body.string.contains("Other day-care units in Aarhus"))
        XCTAssertFalse(dashboard.body.string.contains("Other schools in Aarhus"))
        // Odense's coordinator does not add units to Aarhus.
        let odense = try await client("koordinator@odense.dk")
        let refused = try await odense.post(
            "/municipalities/dk/751/schools", form: ["kind": "day_care", "code": "DT-X", "name": "Ikke vores"])
        XCTAssertEqual(refused.status, .forbidden)
    }
}
