import Foundation
import XCTest
@testable import SamradCore

/// Case 1: "12 kommuner vil få mulighed for at deltage" — the organiser chooses among applications.
final class PlaceSelectionTests: XCTestCase {
    let deadline = ISO8601DateFormatter().date(from: "2014-05-09T21:59:00Z")!
    func terms(_ status: CollaborationStatus = .open, capacity: Int? = 2) -> RegistrationTerms {
        RegistrationTerms(
            status: status, opensAt: nil, deadline: deadline, capacity: capacity, seats: [], price: .free,
            admission: .selection)
    }
    func town(_ code: String, region: String, _ population: Int) -> Municipality {
        Municipality(
            country: .dk, code: code, name: "Kommune \(code)", regionCode: region, regionName: "Region \(region)",
            population: population, populationDate: "2024-01-01", areaKm2: 100, latitude: 56, longitude: 10)
    }
    var aarhus: MunicipalityKey { MunicipalityKey(.dk, "751") }
    var odense: MunicipalityKey { MunicipalityKey(.dk, "461") }
    var laeso: MunicipalityKey { MunicipalityKey(.dk, "825") }

    func testApplicationsWaitForTheChoiceAndLateComersQueueAfterIt() {
        XCTAssertEqual(
            RegistrationRules.placement(registeredCount: 0, capacity: 12, admission: .selection), .applied)
        XCTAssertEqual(
            RegistrationRules.placement(registeredCount: 12, capacity: 12, admission: .selection, placesChosen: true),
            .waitlisted)
        XCTAssertEqual(
            RegistrationRules.placement(registeredCount: 3, capacity: 12, admission: .selection, placesChosen: true),
            .registered)
        XCTAssertTrue(RegistrationStatus.applied.isActive, "an application can be changed and withdrawn")
    }

    func testTheChoiceIsMadeOnceAfterTheApplicationsClosedWithinThePlaces() {
        let applicants: Set = [aarhus, odense, laeso]
        let after = deadline.addingTimeInterval(60)
        func problem(_ chosen: [MunicipalityKey], _ terms: RegistrationTerms, made: Bool = false, at now: Date)
            -> String?
        {
            do {
                try PlaceSelection.check(
                    chosen: chosen, applicants: applicants, terms: terms, alreadyMade: made, now: now)
                return nil
            } catch let error as SamradError {
                return error.fieldErrors.first?.messageKey ?? error.messageKey
            } catch { return "\(error)" }
        }
        XCTAssertEqual(problem([aarhus], terms(), at: deadline.addingTimeInterval(-60)), "selection.still_open")
        XCTAssertNil(problem([aarhus], terms(.closed), at: deadline.addingTimeInterval(-60)), "closed early")
        XCTAssertNil(problem([aarhus, laeso], terms(), at: after))
        XCTAssertEqual(problem([aarhus, laeso], terms(), made: true, at: after), "selection.already_made")
        XCTAssertEqual(problem([aarhus, odense, laeso], terms(), at: after), "selection.over_capacity")
        XCTAssertEqual(problem([MunicipalityKey(.dk, "101")], terms(), at: after), "selection.not_applicant")
        XCTAssertEqual(problem([], terms(), at: after), "selection.none_chosen")
        XCTAssertEqual(problem([aarhus, aarhus], terms(), at: after), "selection.twice")
        XCTAssertNil(problem([aarhus, odense, laeso], terms(capacity: nil), at: after), "no limit")
    }

    func testTheSpreadCountsRegionsAndSizesOfTheChosenBesideAllWhoApplied() {
        XCTAssertEqual(SizeBand(population: 1_780), .small)
        XCTAssertEqual(SizeBand(population: 19_999), .small)
        XCTAssertEqual(SizeBand(population: 20_000), .medium)
        XCTAssertEqual(SizeBand(population: 50_000), .large)
        XCTAssertEqual(SizeBand(population: 100_000), .largest)
        let applicants = [
            town("751", region: "1082", 367_095), town("461", region: "1083", 207_063),
            town("825", region: "1081", 1_780), town("727", region: "1082", 46_917),
        ]
        let spread = PlaceSelection.spread(chosen: [aarhus, laeso], applicants: applicants, capacity: 2)
        XCTAssertEqual(spread.chosen, 2)
        XCTAssertEqual(spread.applied, 4)
        XCTAssertEqual(spread.population, 367_095 + 1_780)
        XCTAssertEqual(spread.regions.map(\.name), ["Region 1081", "Region 1082", "Region 1083"])
        XCTAssertEqual(spread.regions.map(\.chosen), [1, 1, 0])
        XCTAssertEqual(spread.regions.map(\.applied), [1, 2, 1])
        XCTAssertEqual(spread.sizes.map(\.key), ["under_20000", "20000_49999", "100000_up"], "empty bands left out")
        XCTAssertEqual(spread.sizes.map(\.chosen), [1, 0, 1])
    }
}
