import Foundation
import XCTest
@testable import SamradCore

/// "Kommunesamarbejde om folkeskolen 2014, 2015, 2016": the next season of a collaboration.
final class SeasonTests: XCTestCase {
    func testTheTitleMovesEveryYearInIt() {
        XCTAssertEqual(Season.nextTitle("Politisk del 2014", years: 1, startYear: 2014), "Politisk del 2015")
        XCTAssertEqual(Season.nextTitle("Skoleåret 2014/15", years: 1, startYear: nil), "Skoleåret 2015/16")
        XCTAssertEqual(Season.nextTitle("Läsåret 2099/00", years: 1, startYear: nil), "Läsåret 2100/01")
        XCTAssertEqual(Season.nextTitle("Netværk 2014-2016", years: 3, startYear: nil), "Netværk 2017-2019")
        XCTAssertEqual(Season.nextTitle("Nordic network", years: 1, startYear: 2026), "Nordic network 2027")
        XCTAssertEqual(Season.nextTitle("Nordic network", years: 1, startYear: nil), "Nordic network")
        XCTAssertEqual(Season.nextTitle("98 kommuner, 12 pladser", years: 1, startYear: nil), "98 kommuner, 12 pladser")
        XCTAssertEqual(Season.nextTitle("Kode 120145", years: 1, startYear: nil), "Kode 120145", "not a year")
    }

    func testDatesMoveByWholeYearsAtTheSameLocalTime() throws {
        let deadline = try XCTUnwrap(DateText.parseLocal("2014-05-09T12:00", zone: "Europe/Copenhagen"))
        let next = Season.move(deadline, years: 1, zone: "Europe/Copenhagen")
        XCTAssertEqual(DateText.local(next, zone: "Europe/Copenhagen"), "2015-05-09T12:00")
        XCTAssertEqual(Season.move(isoDate: "2014-08-01", years: 1), "2015-08-01")
        XCTAssertEqual(Season.move(isoDate: "2016-02-29", years: 1), "2017-02-28")
        XCTAssertEqual(Season.move(isoDate: "2016-02-29", years: 4), "2020-02-29")
        XCTAssertNil(Season.move(isoDate: "2016-13-01", years: 1))
    }

    func testTheLineRunsFromTheFirstSeasonToTheLast() {
        let previous = ["2015": "2014", "2016": "2015", "2016b": "2015"]
        let order = ["2014", "2015", "2016", "2016b", "other"]
        XCTAssertEqual(Season.line(of: "2015", previous: previous, order: order), ["2014", "2015", "2016", "2016b"])
        XCTAssertEqual(Season.line(of: "other", previous: previous, order: order), ["other"])
        XCTAssertEqual(Season.line(of: "a", previous: ["a": "b", "b": "a"], order: ["a", "b"]).count, 2, "no loop")
    }
}
