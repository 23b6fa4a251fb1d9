import Foundation
import XCTest
@testable import SamradCore

/// Reads the directory files the server ships with.
func shippedDataset() throws -> DirectoryDataset {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Sources/SamradServer/Resources/Directory")
    var files: [String: String] = [:]
    for name in DirectoryDataset.fileNames {
        files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    return DirectoryDataset(files: files)
}

final class DirectoryTests: XCTestCase {
    func testEveryNordicMunicipalityIsLoaded() throws {
        let all = try shippedDataset().municipalities()
        let counts = Dictionary(grouping: all, by: \.country).mapValues(\.count)
        XCTAssertEqual(counts[.dk], 98)
        XCTAssertEqual(counts[.se], 290)
        XCTAssertEqual(counts[.no], 356)
        XCTAssertEqual(counts[.fi], 310)
        let directory = MunicipalityDirectory(all)
        let copenhagen = try XCTUnwrap(directory[MunicipalityKey(.dk, "101")])
        XCTAssertEqual(copenhagen.name, "København")
        XCTAssertEqual(copenhagen.population, 671_714)
        XCTAssertEqual(copenhagen.populationDate, "2026-01-01")
        XCTAssertEqual(copenhagen.groupName, "Hovedstadskommuner")
        XCTAssertTrue(copenhagen.neighbours.contains("147"))
        let stockholm = try XCTUnwrap(directory[MunicipalityKey(.se, "0180")])
        XCTAssertEqual(stockholm.population, 974_073)
        XCTAssertEqual(stockholm.similar.count, 7)
        XCTAssertEqual(directory[MunicipalityKey(.no, "0301")]?.regionName, "Oslo")
        XCTAssertEqual(directory[MunicipalityKey(.fi, "005")]?.regionName, "Etelä-Pohjanmaa")
        // Borders are symmetric: 186 Danish and 728 Swedish pairs.
        XCTAssertEqual(all.filter { $0.country == .dk }.map(\.neighbours.count).reduce(0, +), 2 * 186)
        XCTAssertEqual(all.filter { $0.country == .se }.map(\.neighbours.count).reduce(0, +), 2 * 728)
        XCTAssertEqual(all.filter { $0.country == .dk }.map(\.population).reduce(0, +), 6_025_511)
    }

    func testBadRecordNamesFileLineAndColumn() throws {
        var dataset = try shippedDataset()
        dataset.files["dk_municipalities.csv"] = dataset.files["dk_municipalities.csv"]!.replacingOccurrences(
            of: ",671714,", with: ",many,")
        XCTAssertThrowsError(try dataset.municipalities()) { error in
            let error = error as! SamradError
            XCTAssertEqual(error.messageKey, "directory.bad_record")
            XCTAssertEqual(error.arguments, ["dk_municipalities.csv", "2", "population"])
        }
    }

    func testUnknownNeighbourIsRejected() throws {
        var dataset = try shippedDataset()
        dataset.files["dk_municipality_adjacency.csv"]! += "101,København,999,Nowhere,1.0\n"
        XCTAssertThrowsError(try dataset.municipalities()) { error in
            XCTAssertEqual((error as! SamradError).arguments.first, "dk_municipality_adjacency.csv")
        }
    }

    func testSearchFoldsAccentsAndFilters() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        XCTAssertEqual(directory.search(MunicipalityQuery(text: "malmo")).items.map(\.name), ["Malmö"])
        XCTAssertEqual(directory.search(MunicipalityQuery(country: .dk, text: "koge")).items.map(\.name), ["Køge"])
        XCTAssertEqual(directory.search(MunicipalityQuery(country: .dk, region: "1081")).total, 11)
        XCTAssertEqual(directory.search(MunicipalityQuery(country: .se, group: "Storstäder")).total, 3)
        XCTAssertEqual(directory.search(MunicipalityQuery(text: "0180")).items.first?.name, "Stockholm")
        let page = directory.search(MunicipalityQuery(country: .se, page: 6, perPage: 50))
        XCTAssertEqual(page.items.count, 40)
        XCTAssertEqual(page.pageCount, 6)
        XCTAssertEqual(directory.search(MunicipalityQuery(page: 99)).items.count, 0)
    }

    func testNamesSortTheWayEachCountryWritesThem() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        let danish = directory.search(MunicipalityQuery(country: .dk, perPage: 500)).items.map(\.name)
        XCTAssertGreaterThan(danish.firstIndex(of: "Ærø")!, danish.firstIndex(of: "Vordingborg")!)
        let swedish = directory.search(MunicipalityQuery(country: .se, perPage: 500)).items.map(\.name)
        XCTAssertEqual(Array(swedish.suffix(3)), ["Östra Göinge", "Överkalix", "Övertorneå"])
        XCTAssertGreaterThan(swedish.firstIndex(of: "Åre")!, swedish.firstIndex(of: "Ystad")!)
        XCTAssertLessThan(swedish.firstIndex(of: "Åre")!, swedish.firstIndex(of: "Älmhult")!)
    }

    func testSimilarMunicipalities() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        let aarhus = directory[MunicipalityKey(.dk, "751")]!
        let similar = directory.similar(to: aarhus)
        XCTAssertFalse(similar.isEmpty)
        XCTAssertTrue(similar.allSatisfy { $0.groupCode == aarhus.groupCode && $0.code != "751" })
        let stockholm = directory[MunicipalityKey(.se, "0180")]!
        XCTAssertEqual(directory.similar(to: stockholm).map(\.code), stockholm.similar)
    }

    func testHaversineUsesTheMeanEarthRadius() {
        // Copenhagen and Stockholm city halls, about 522 km apart.
        let km = Geography.haversineKm(55.6761, 12.5683, 59.3293, 18.0686)
        XCTAssertEqual(km, 522, accuracy: 3)
        XCTAssertEqual(Geography.haversineKm(10, 10, 10, 10), 0)
    }
}
