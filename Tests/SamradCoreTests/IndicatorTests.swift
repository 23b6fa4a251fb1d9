import Foundation
import XCTest
@testable import SamradCore

final class IndicatorTests: XCTestCase {
    let passed = Indicator(
        code: "se.passed_all_subjects_pct", names: [.en: "Passed all subjects"], unit: .percent,
        direction: .higherIsBetter,
        level: .municipality, category: .learning, country: .se, source: "Skolverket", licence: "Källa: Skolverket")
    let absence = Indicator(
        code: "dk.high_absence_pct", names: [.en: "High absence"], unit: .percent, direction: .lowerIsBetter,
        level: .municipality, category: .attendance, country: .dk, source: "UVM", licence: "CC BY")
    let grade = Indicator(
        code: "dk.fp9_exam_grade", names: [.en: "Exam grade"], unit: .grade, direction: .higherIsBetter,
        level: .municipality, category: .learning, country: .dk, source: "UVM", licence: "CC BY")

    func observation(
        _ indicator: String, _ code: String, _ year: Int, _ value: Double?, _ status: ObservationStatus = .reported,
        pupils: Int? = nil
    ) -> Observation {
        Observation(
            indicator: indicator, unit: UnitKey(.municipality, .se, code), year: year, value: value, status: status,
            pupils: pupils)
    }

    // MARK: Values and years

    func testValuesAndSchoolYearsAsFilesWriteThem() {
        XCTAssertEqual(ObservationValue.number("7,3"), 7.3)
        XCTAssertEqual(ObservationValue.number(" 203.2 "), 203.2)
        XCTAssertNil(ObservationValue.number("abc"))
        XCTAssertNil(ObservationValue.number("1,234.5"))
        XCTAssertEqual(ObservationValue.year("2024/25"), 2025)
        XCTAssertEqual(ObservationValue.year("2019/2020"), 2020)
        XCTAssertEqual(ObservationValue.year("1999/00"), 2000)
        XCTAssertEqual(ObservationValue.year("2026"), 2026)
        XCTAssertNil(ObservationValue.year("2024/27"))
        XCTAssertNil(ObservationValue.year("next year"))
        XCTAssertEqual(ObservationValue.schoolYear(2025), "2024/25")
        XCTAssertEqual(ObservationStatus(flag: ".."), .suppressed)
        XCTAssertEqual(ObservationStatus(flag: "~100"), .approximate)
        XCTAssertNil(ObservationStatus(flag: "12"))
        XCTAssertEqual(" \t7,3 ".trimmedSpaces, "7,3")
        XCTAssertEqual("7.3".trimmedSpaces, "7.3")
        XCTAssertEqual("   ".trimmedSpaces, "")
    }

    // MARK: Import validation

    func context(mayImport: @escaping @Sendable (String) -> Bool = { _ in true }) -> ImportContext {
        let known: Set<String> = ["0180", "1480", "1440"]
        return ImportContext(
            country: .se, level: .municipality, indicators: [passed.code: passed, grade.code: grade],
            years: 2000...2027,
            resolveUnit: { known.contains($0) ? $0 : (known.contains("0" + $0) ? "0" + $0 : nil) },
            mayImportFor: mayImport)
    }

    func testEveryBadRowIsNamedByItsLineAndGoodRowsAreRead() throws {
        let csv = """
            kommun,år,andel,enhet,elever
            0180,2024/25,"81,5",%,11318
            9999,2025,80,%,
            1480,2025,abc,%,
            1440,2031,70,%,
            180,2024,79.0,procent,
            1480,2024,140,%,
            1440,2024,70,ratio,
            0180,2025,82,%,
            1480,2023,..,%,
            1480,2022,71,%,many

            """
        let mapping = ImportMapping(
            unitColumn: "kommun", yearColumn: "år", valueColumn: "andel", indicator: passed.code,
            pupilsColumn: "elever", measureColumn: "enhet")
        let check = try ObservationReader.read(csv: Data(csv.utf8), mapping: mapping, context: context())
        XCTAssertEqual(check.rows, 10)
        XCTAssertEqual(check.problems.map(\.line), [3, 4, 5, 7, 8, 9, 11])
        XCTAssertEqual(
            check.problems.map(\.key),
            [
                "import.error.unknown_municipality", "import.error.not_a_number", "import.error.year_range",
                "import.error.implausible", "import.error.unit_mismatch", "import.error.duplicate",
                "import.error.pupils",
            ])
        XCTAssertEqual(check.problems[0].arguments, ["9999", "se"])
        XCTAssertEqual(check.problems[3].arguments, ["140", "0", "100"])
        XCTAssertEqual(check.problems[5].arguments, ["2", passed.code, "0180", "2025"])
        XCTAssertEqual(check.rejectedRows, 7)
        XCTAssertEqual(check.observations.count, 3)
        XCTAssertEqual(check.observations[0], observation(passed.code, "0180", 2025, 81.5, pupils: 11318))
        // "180" is Stockholm's code without its leading zero, as spreadsheets write it.
        XCTAssertEqual(check.observations[1].unit.code, "0180")
        XCTAssertEqual(check.observations[2].status, .suppressed)
        XCTAssertNil(check.observations[2].value)
    }

    func testTheMappingMustNameColumnsOfTheFileAndAnIndicator() {
        let mapping = ImportMapping(unitColumn: "kommun", yearColumn: "year", valueColumn: "value")
        XCTAssertThrowsError(
            try ObservationReader.read(
                csv: Data("kommun,år,värde\n0180,2025,1\n".utf8), mapping: mapping, context: context())
        ) { error in
            let fields = (error as? SamradError)?.fieldErrors.map(\.field)
            XCTAssertEqual(fields, ["year_column", "value_column", "indicator"])
        }
    }

    func testAFilterColumnReadsOnlyTheRowsAsked() throws {
        let csv =
            "kommunkod,huvudman,indicator,school_year,value,value_flag\n0180,Samtliga,\(passed.code),2024/25,80.1,\n"
                + "0180,Kommunal,\(passed.code),2024/25,79,\n1440,Samtliga,\(passed.code),2024/25,,..\n"
        let mapping = ImportMapping(
            unitColumn: "kommunkod", yearColumn: "school_year", valueColumn: "value", indicatorColumn: "indicator",
            flagColumn: "value_flag", filterColumn: "huvudman", filterValue: "Samtliga")
        let check = try ObservationReader.read(csv: Data(csv.utf8), mapping: mapping, context: context())
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.filteredOut, 1)
        XCTAssertEqual(check.observations.map(\.status), [.reported, .suppressed])
    }

    func testACoordinatorImportsOnlyForTheirOwnMunicipality() throws {
        let csv = "kommun,år,andel\n0180,2025,80\n1480,2025,70\n"
        let mapping = ImportMapping(
            unitColumn: "kommun", yearColumn: "år", valueColumn: "andel", indicator: passed.code)
        let check = try ObservationReader.read(
            csv: Data(csv.utf8), mapping: mapping, context: context(mayImport: { $0 == "0180" }))
        XCTAssertEqual(check.problems.map(\.key), ["import.error.outside_scope"])
        XCTAssertEqual(check.problems.map(\.line), [3])
    }

    func testKoladaDataFormatTakesTheTotalAndNumbersProblemsByEntry() throws {
        let json = """
            {"count":3,"values":[
              {"kpi":"N15419","municipality":"0180","period":2024,"values":[{"gender":"K","status":"","value":83.0,
                  "count":1},{"gender":"T","status":"","value":81.9,"count":1}]},
              {"kpi":"N15419","municipality":"1480","period":2024,"values":[{"gender":"T","status":"Missing",
                  "value":null,"count":0}]},
              {"kpi":"N99999","municipality":"7777","period":2024,"values":[{"gender":"T","status":"","value":1.0,
                  "count":1}]}
            ]}
            """
        var mapping = ImportMapping(unitColumn: "municipality", yearColumn: "period", valueColumn: "value")
        mapping.indicatorCodes = ["N15419": passed.code]
        let check = try ObservationReader.read(kolada: Data(json.utf8), mapping: mapping, context: context())
        XCTAssertEqual(check.observations.map(\.value), [81.9, nil])
        XCTAssertEqual(check.observations.map(\.status), [.reported, .missing])
        XCTAssertEqual(check.problems.map(\.line), [3, 3])
        XCTAssertEqual(
            check.problems.map(\.key), ["import.error.unknown_indicator", "import.error.unknown_municipality"])
        XCTAssertThrowsError(
            try ObservationReader.read(kolada: Data("{\"rows\":[]}".utf8), mapping: mapping, context: context()))
    }

    func testCSVScannerKeepsQuotedCommasLineBreaksAndLineNumbers() throws {
        var seen: [(Int, [String])] = []
        try CSVScanner.scan(Data("a,b\r\n\"x, y\",\"two\nlines\"\r\n\"say \"\"hi\"\"\",\n\nlast,1".utf8)) {
            line, fields in
            seen.append((line, fields)); return true
        }
        XCTAssertEqual(seen.map(\.0), [1, 2, 4, 6])
        XCTAssertEqual(seen[1].1, ["x, y", "two\nlines"])
        XCTAssertEqual(seen[2].1, ["say \"hi\"", ""])
        XCTAssertEqual(seen[3].1, ["last", "1"])
        XCTAssertThrowsError(try CSVScanner.scan(Data("a,b\nx\"y,1\n".utf8)) { _, _ in true })
    }

    // MARK: Comparison

    func table() -> IndicatorTable {
        IndicatorTable(
            indicator: passed.code,
            observations: [
                observation(passed.code, "A", 2023, 70, pupils: 400),
                observation(passed.code, "A", 2024, 78, pupils: 420),
                observation(passed.code, "B", 2023, 80), observation(passed.code, "B", 2024, 78),
                observation(passed.code, "C", 2023, 60), observation(passed.code, "C", 2024, nil, .suppressed),
                observation(passed.code, "D", 2023, 90), observation(passed.code, "D", 2024, 100, .approximate),
            ])
    }

    func testRanksShareTiesAndLeaveOutUnpublishedValues() {
        let t = table()
        XCTAssertEqual(t.rank("D", 2023, direction: .higherIsBetter)?.rank, 1)
        XCTAssertEqual(t.rank("C", 2023, direction: .higherIsBetter)?.rank, 4)
        XCTAssertEqual(t.rank("C", 2023, direction: .lowerIsBetter)?.rank, 1)
        // A and B tie in 2024; C is suppressed and D only approximate, so two are ranked.
        XCTAssertEqual(t.rank("A", 2024, direction: .higherIsBetter)?.rank, 1)
        XCTAssertEqual(t.rank("B", 2024, direction: .higherIsBetter)?.rank, 1)
        XCTAssertEqual(t.rank("A", 2024, direction: .higherIsBetter)?.of, 2)
        XCTAssertNil(t.rank("C", 2024, direction: .higherIsBetter))
        XCTAssertEqual(t.mean(2024)?.mean, 78)
        XCTAssertEqual(t.mean(2023)?.mean, 75)
    }

    func testGroupsMeansAndChangesForOneMunicipality() {
        let comparison = IndicatorComparison(
            table(), indicator: passed, unit: "A",
            groups: [PeerGroup(.cluster, label: "Cluster", members: ["B", "C"]), PeerGroup(.country, label: "Sweden")])
        XCTAssertEqual(comparison.years.map(\.year), [2023, 2024])
        // The cluster's mean leaves out C's suppressed value rather than counting it as zero.
        XCTAssertEqual(comparison.years[1].means, [78, 78])
        XCTAssertEqual(comparison.years[1].counts, [1, 2])
        XCTAssertEqual(comparison.years[0].means, [70, 75])
        let change = comparison.yearOnYear!
        XCTAssertEqual(change.difference, 8)
        XCTAssertEqual(change.improved, true)
        XCTAssertEqual(change.verdict, .beyondChance)
        XCTAssertEqual(comparison.latest?.year, 2024)
        // B has no pupil counts: its change cannot be tested.
        let b = IndicatorComparison(table(), indicator: passed, unit: "B", groups: [])
        XCTAssertEqual(b.yearOnYear?.verdict, .noPupils)
        XCTAssertNil(IndicatorComparison(table(), indicator: passed, unit: "C", groups: []).yearOnYear)
    }

    func testTheUncertaintyRuleForShares() {
        // 8 points on 400 pupils is beyond chance; 3 points on 60 pupils is not.
        let large = ChangeTest.shares(from: 70, pupils: 400, to: 78, pupils: 420)
        XCTAssertGreaterThan(large.lowerBound, 0)
        XCTAssertEqual(large.upperBound - large.lowerBound, 2 * 1.959964 * 2.99, accuracy: 0.3)
        let small = ChangeTest.shares(from: 70, pupils: 60, to: 73, pupils: 60)
        XCTAssertLessThan(small.lowerBound, 0)
        XCTAssertGreaterThan(small.upperBound, 0)
        // All pupils passing in both years still has an interval around zero, not a zero width.
        let full = ChangeTest.shares(from: 100, pupils: 20, to: 100, pupils: 20)
        XCTAssertLessThan(full.lowerBound, 0)
        XCTAssertGreaterThan(full.upperBound, 0)
        // A mean is tested only where the spread of single pupils' results is known.
        var g = grade
        let a = IndicatorTable.Cell(value: 7.0, status: .reported, pupils: 500),
            b = IndicatorTable.Cell(value: 7.4, status: .reported, pupils: 500)
        XCTAssertEqual(ChangeTest.change(g, from: (2024, a), to: (2025, b))?.verdict, .noSpread)
        g.pupilStandardDeviation = 2.5
        let tested = ChangeTest.change(g, from: (2024, a), to: (2025, b))!
        XCTAssertEqual(tested.verdict, .beyondChance)
        XCTAssertEqual(tested.interval!.lowerBound, 0.4 - 1.959964 * 2.5 * (2.0 / 500).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(ChangeTest.change(absence, from: (2024, a), to: (2025, b))?.improved, false)
    }

    // MARK: Goals

    func testGoalProgressAlongTheStraightLine() throws {
        let goal = try GoalTarget.validate(
            baselineYear: "2022", baselineValue: "70", targetYear: "2026", targetValue: "80", indicator: passed,
            years: 2000...2030)
        XCTAssertEqual(GoalProgress(goal, series: [(2022, 70)]).status, .awaitingData)
        let onTrack = GoalProgress(goal, series: [(2022, 70), (2024, 76)])
        XCTAssertEqual(onTrack.status, .onTrack)
        XCTAssertEqual(onTrack.fraction!, 0.6, accuracy: 1e-9)
        XCTAssertEqual(onTrack.expected!, 75, accuracy: 1e-9)
        XCTAssertEqual(GoalProgress(goal, series: [(2024, 72)]).status, .behind)
        XCTAssertEqual(GoalProgress(goal, series: [(2025, 81)]).status, .achieved)
        XCTAssertEqual(GoalProgress(goal, series: [(2026, 79)]).status, .missed)
        let lower = try GoalTarget.validate(
            baselineYear: "2024", baselineValue: "25", targetYear: "2027", targetValue: "20", indicator: absence,
            years: 2000...2030)
        XCTAssertEqual(GoalProgress(lower, series: [(2025, 23)]).status, .onTrack)
    }

    func testGoalFormsNameEachProblem() {
        XCTAssertThrowsError(
            try GoalTarget.validate(
                baselineYear: "2025", baselineValue: "70", targetYear: "2024", targetValue: "60",
                indicator: passed, years: 2000...2030)
        ) { error in
            XCTAssertEqual(
                (error as? SamradError)?.fieldErrors.map(\.messageKey),
                ["goals.error.target_after_baseline", "goals.error.target_worse"])
        }
        XCTAssertThrowsError(
            try GoalTarget.validate(
                baselineYear: "x", baselineValue: "", targetYear: "2040", targetValue: "140",
                indicator: passed, years: 2000...2030)
        ) { error in
            XCTAssertEqual(
                (error as? SamradError)?.fieldErrors.map(\.field),
                ["baseline_year", "baseline_value", "target_year", "target_value"])
        }
    }

    // MARK: Chart and permissions

    func testTheChartBreaksLinesAtGapsAndMarksThemOnTheAxis() {
        let chart = TrendChart(
            years: [2021, 2022, 2023, 2024],
            series: [
                TrendChart.Series(kind: "own", label: "Ale", values: [70, nil, 72, 75]),
                TrendChart.Series(kind: "country", label: "Sweden", values: [74, 75, 75, 76]),
            ], gaps: [1: "suppressed"], decimals: 1, language: .sv, title: "Ale <&> \"x\"")
        let svg = chart.svg
        XCTAssertTrue(svg.contains("aria-label=\"Ale &lt;&amp;&gt; &quot;x&quot;\""))
        // Two pieces of the own line: 2021 alone, then 2023-2024.
        let own = svg.components(separatedBy: "class=\"line own\" d=\"")[1].prefix(while: { $0 != "\"" })
        XCTAssertEqual(own.filter { $0 == "M" }.count, 2)
        XCTAssertTrue(svg.contains("<title>2021/22: suppressed</title>"), "school years on the axis and in the titles")
        XCTAssertTrue(svg.contains("<title>2022/23: 72,0</title>"))
        XCTAssertTrue(svg.contains(">2023/24</text>"))
        XCTAssertEqual(TrendChart.ticks(70, 76), [70, 72, 74, 76])
    }

    func testASingleYearIsDrawnAsLabelledPoints() {
        let chart = TrendChart(
            years: [2024],
            series: [
                TrendChart.Series(kind: "own", label: "Aarhus", values: [7.4]),
                TrendChart.Series(kind: "similar", label: "Lignende kommuner", values: [7.1]),
                TrendChart.Series(kind: "country", label: "Hele landet", values: [nil]),
            ], gaps: [:], decimals: 1, language: .da, title: "Karaktergennemsnit")
        let svg = chart.svg
        XCTAssertFalse(svg.contains("class=\"line"), "no line of one point")
        XCTAssertTrue(
            svg.contains(">Lignende kommuner</text>") && svg.contains(">7,1</text>"),
            "each point has its label and value")
        XCTAssertTrue(svg.contains("aria-label=\"Karaktergennemsnit (2023/24)\""))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2, "no point where there is no value")
    }

    func testPermissions() {
        let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461")
        let coordinator = Actor(
            userID: UUID(), personID: UUID(), grants: [RoleGrant(kind: .coordinator, municipality: aarhus)])
        let person = Actor(userID: UUID(), personID: UUID(), grants: [])
        let admin = Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .administrator)])
        XCTAssertTrue(IndicatorPolicy.mayImport(coordinator, for: aarhus))
        XCTAssertFalse(IndicatorPolicy.mayImport(coordinator, for: odense))
        XCTAssertFalse(IndicatorPolicy.importsPublicly(coordinator))
        XCTAssertFalse(IndicatorPolicy.mayImport(person))
        XCTAssertTrue(IndicatorPolicy.mayKeep(coordinator, aarhus))
        XCTAssertFalse(IndicatorPolicy.mayKeep(coordinator, odense))
        XCTAssertFalse(IndicatorPolicy.mayKeep(person, aarhus))
        let member = Actor(userID: UUID(), personID: UUID(), grants: [RoleGrant(kind: .member, municipality: aarhus)])
        XCTAssertTrue(IndicatorPolicy.mayViewPrivate(member, aarhus))
        XCTAssertFalse(IndicatorPolicy.mayViewPrivate(member, odense))
        XCTAssertFalse(IndicatorPolicy.mayViewPrivate(person, aarhus), "a person without a role is of no municipality")
        XCTAssertFalse(IndicatorPolicy.mayViewPrivate(.visitor, aarhus))
        XCTAssertFalse(IndicatorPolicy.mayImport(member, for: aarhus))
        XCTAssertFalse(IndicatorPolicy.mayKeep(member, aarhus))
        XCTAssertTrue(IndicatorPolicy.mayManageCatalogue(admin))
        XCTAssertFalse(IndicatorPolicy.mayManageCatalogue(coordinator))
    }
}
