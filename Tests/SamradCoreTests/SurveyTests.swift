import Foundation
@testable import SamradCore
import XCTest

/// Issue 27: a survey's compact records, its tally per unit, and suppression per school,
/// municipality, cluster, grouping, region and country that no difference undoes.
final class SurveyTests: XCTestCase {
    static func text(_ en: String) -> LocalizedText { LocalizedText(da: en, sv: en, en: en) }

    static let form = QuestionnaireForm(sections: [
        QuestionnaireSection(
            key: "s", title: text("S"),
            questions: [
                Question(key: "happy", kind: .likert, text: text("Happy?"), scale: AnswerScale(min: 1, max: 5)),
                Question(
                    key: "subjects", kind: .multipleChoice, text: text("Subjects"),
                    options: (1...10).map { QuestionOption(key: "o\($0)", label: text("O\($0)")) }),
                Question(key: "hours", kind: .number, text: text("Hours")),
                Question(key: "bullied", kind: .yesNo, text: text("Bullied?")),
                Question(
                    key: "how", kind: .singleChoice, text: text("How?"),
                    options: [QuestionOption(key: "a", label: text("A")), QuestionOption(key: "b", label: text("B"))],
                    showIf: ShowCondition(question: "bullied", values: ["yes"])),
                Question(
                    key: "class", kind: .matrix, text: text("Class"),
                    statements: [QuestionOption(key: "calm", label: text("Calm")),
                                 QuestionOption(key: "kind", label: text("Kind"))],
                    scale: AnswerScale(min: 0, max: 4)),
                Question(key: "words", kind: .longText, text: text("Words")),
            ])
    ])

    func testARecordHoldsEveryCountedAnswerInFixedSlots() throws {
        let layout = SurveyAnswerLayout(Self.form)
        // likert 1 + 10 options in 2 bytes + number 8 + yes/no 1 + choice 1 + two statements: 15 bytes.
        XCTAssertEqual(layout.size, 15)
        let sheet = AnswerSheet([
            "happy": .scale(4), "subjects": .options(["o1", "o9", "o10"]), "hours": .number(2.5),
            "bullied": .yesNo(true), "how": .option("b"), "class": .matrix(["calm": 0, "kind": 3]),
            "words": .text("not stored here"),
        ])
        let record = layout.encode(sheet)
        var tally = SurveyTally(layout: layout)
        XCTAssertTrue(tally.add(record, unit: 2))
        XCTAssertFalse(tally.add([UInt8](repeating: 0, count: 3), unit: 0), "a record of another layout")
        XCTAssertEqual(tally.records, 1)
        XCTAssertEqual(tally.unitCount, 3)
        let items = layout.items
        func n(_ key: String, _ statement: String? = nil) -> Int {
            tally.answered(unit: 2, item: items.item(key, statement: statement)!)
        }
        XCTAssertEqual([n("happy"), n("subjects"), n("hours"), n("bullied"), n("how")], [1, 1, 1, 1, 1])
        XCTAssertEqual([n("class", "calm"), n("class", "kind")], [1, 1])
        XCTAssertEqual(tally.answered(unit: 0, item: 0), 0)

        // An empty sheet counts nowhere, and a number's NaN stays "no answer".
        tally.add(layout.encode(AnswerSheet()), unit: 2)
        XCTAssertEqual(n("hours"), 1)

        var grouping = SurveyGrouping()
        let place = SurveyGrouping.Place(municipality: MunicipalityKey(.dk, "101"), region: "dk/1084")
        for school in ["a", "b", "c"] { grouping.add(school: school, place: place) }
        let results = SurveyResults(tally: tally, grouping: grouping, threshold: 1)
        let subjects = try XCTUnwrap(results.figures(.country(.dk), item: items.item("subjects")!))
        XCTAssertEqual(subjects.counts, [1, 0, 0, 0, 0, 0, 0, 0, 1, 1])
        let happy = try XCTUnwrap(results.figures(SurveyGroup(.school, "c"), item: items.item("happy")!))
        XCTAssertEqual(happy.counts, [0, 0, 0, 1, 0])
        XCTAssertEqual(happy.mean, 4)
        let calm = try XCTUnwrap(
            results.figures(.municipality(place.municipality!), item: items.item("class", statement: "calm")!))
        XCTAssertEqual(calm.counts, [1, 0, 0, 0, 0])
        XCTAssertEqual(calm.mean, 0, "a scale from 0 counts its first point as 0")
        XCTAssertEqual(results.figures(.country(.dk), item: items.item("hours")!)?.mean, 2.5)
        XCTAssertNil(results.figures(SurveyGroup(.school, "a"), item: 0), "no answers: nothing to show")
    }

    func testClassCodesAreReadAsTypedAndRefuseWhatCannotBeOne() {
        var generator = SystemRandomNumberGenerator()
        let code = ClassCode.make(using: &generator)
        XCTAssertEqual(code.count, 8)
        XCTAssertEqual(ClassCode.normalised(ClassCode.display(code).lowercased()), code)
        XCTAssertEqual(ClassCode.normalised(" k7rm 2xqp "), "K7RM2XQP")
        XCTAssertNil(ClassCode.normalised("K7RM-2XQ"), "seven characters")
        XCTAssertNil(ClassCode.normalised("K7RM-2XQ0"), "0 is never in a code")
        XCTAssertEqual(ClassCode.display("K7RM2XQP"), "K7RM-2XQP")
    }

    // MARK: Suppression

    /// Respondents answering the first question ("happy") with 3, per unit: (school or nil,
    /// municipality code, region, cluster, how many).
    struct Unit {
        var school: String?
        var municipality: String
        var region = "r1"
        var similar: String?
        var cluster: String?
        var count: Int
    }

    func results(_ units: [Unit], threshold: Int = 5) -> SurveyResults {
        let layout = SurveyAnswerLayout(Self.form)
        var tally = SurveyTally(layout: layout)
        var grouping = SurveyGrouping()
        let record = layout.encode(AnswerSheet(["happy": .scale(3)]))
        for (u, unit) in units.enumerated() {
            grouping.add(
                school: unit.school,
                place: .init(
                    municipality: MunicipalityKey(.dk, unit.municipality), region: unit.region, similar: unit.similar,
                    cluster: unit.cluster))
            tally.reserve(units: u + 1)
            for _ in 0..<unit.count { tally.add(record, unit: u) }
        }
        return SurveyResults(tally: tally, grouping: grouping, threshold: threshold)
    }

    func shown(_ r: SurveyResults, _ group: SurveyGroup) -> Int? { r.answered(group, item: 0) }
    func school(_ key: String) -> SurveyGroup { SurveyGroup(.school, key) }
    func municipality(_ code: String) -> SurveyGroup { .municipality(MunicipalityKey(.dk, code)) }

    func testASchoolBelowTheThresholdIsHiddenAndSoIsItsSiblingThatWouldRevealIt() {
        // 101 = school a (20) + school b (3): 101 − a would be b.
        let r = results([
            Unit(school: "a", municipality: "101", count: 20), Unit(school: "b", municipality: "101", count: 3),
            Unit(school: "c", municipality: "102", count: 30),
        ])
        XCTAssertNil(shown(r, school("b")))
        XCTAssertNil(shown(r, school("a")))
        XCTAssertEqual(shown(r, municipality("101")), 23)
        XCTAssertEqual(shown(r, school("c")), 30)
    }

    func testThoseWhoNamedNoSchoolCountAsHiddenInTheirMunicipality() {
        // 101 = school a (20) + two staff of the administration: 101 − a would be the two.
        let r = results([
            Unit(school: "a", municipality: "101", count: 20), Unit(municipality: "101", count: 2),
            Unit(school: "c", municipality: "102", count: 30),
        ])
        XCTAssertNil(shown(r, school("a")))
        XCTAssertEqual(shown(r, municipality("101")), 22)
    }

    func testTheHiddenPartOfAMunicipalityHoldsTheThresholdWhateverIsHidden() {
        // b (3) and d (3) hidden: 6 ≥ 5 together, so a stays.
        let r = results([
            Unit(school: "a", municipality: "101", count: 20), Unit(school: "b", municipality: "101", count: 3),
            Unit(school: "d", municipality: "101", count: 3),
        ])
        XCTAssertEqual(shown(r, school("a")), 20)
        XCTAssertNil(shown(r, school("b")))
        XCTAssertEqual(shown(r, municipality("101")), 26)
    }

    func testAMunicipalityHiddenForItsRegionIsNotAddedUpFromItsSchools() {
        // Region r1 = 101 (schools a 10 + b 10) + 102 (2). r1 − 101 would be 102, so 101 goes; and
        // then a + b would be 101 again, so one of its schools goes too.
        let r = results([
            Unit(school: "a", municipality: "101", count: 10), Unit(school: "b", municipality: "101", count: 10),
            Unit(school: "c", municipality: "102", count: 2),
            Unit(school: "e", municipality: "201", region: "r2", count: 40),
        ])
        XCTAssertNil(shown(r, municipality("102")))
        XCTAssertNil(shown(r, municipality("101")))
        XCTAssertEqual([shown(r, school("a")), shown(r, school("b"))].compactMap { $0 }.count, 1)
        XCTAssertEqual(shown(r, SurveyGroup(.region, "r1")), 22)
    }

    func testAClusterAcrossRegionsRevealsNoSmallPart() {
        // Cluster k = 101 (r1, 30) + 201 (r2, 3). Region r2 = 201 + 202 (40). k − 101 would be 201.
        let r = results([
            Unit(school: "a", municipality: "101", cluster: "k", count: 30),
            Unit(school: "b", municipality: "102", count: 30),
            Unit(school: "c", municipality: "201", region: "r2", cluster: "k", count: 3),
            Unit(school: "d", municipality: "202", region: "r2", count: 40),
        ])
        let k = SurveyGroup(.cluster, "k")
        XCTAssertNil(shown(r, municipality("201")))
        XCTAssertFalse(shown(r, k) != nil && shown(r, municipality("101")) != nil, "k − 101 = 201")
        assertNoSmallAtom(r)
    }

    func testAConditionalQuestionShowsOnlyWhereItsQuestionDoes() {
        let layout = SurveyAnswerLayout(Self.form)
        var tally = SurveyTally(layout: layout)
        var grouping = SurveyGrouping()
        let place = SurveyGrouping.Place(municipality: MunicipalityKey(.dk, "101"), region: "r1")
        grouping.add(school: "a", place: place)
        grouping.add(school: "b", place: place)
        // Everyone at school a says yes; at b, 4 answer "bullied" at all (hidden), 2 of them yes.
        for _ in 0..<6 {
            tally.add(layout.encode(AnswerSheet(["bullied": .yesNo(true), "how": .option("a")])), unit: 0)
        }
        for yes in [true, true, false, false] {
            var sheet = AnswerSheet(["bullied": .yesNo(yes)])
            if yes { sheet.answers["how"] = .option("b") }
            tally.add(layout.encode(sheet), unit: 1)
        }
        let r = SurveyResults(tally: tally, grouping: grouping, threshold: 3)
        let bullied = layout.items.item("bullied")!, how = layout.items.item("how")!
        XCTAssertEqual(r.answered(school("b"), item: bullied), 4)
        // "how" at b has 2 answers, below 3, and is hidden; its sibling a (6) then too.
        XCTAssertNil(r.answered(school("b"), item: how))
        XCTAssertEqual(r.answered(municipality("101"), item: how), 8)
    }

    /// Random networks of schools and municipalities: no shown group is below the threshold and no
    /// atom of the shown groups is.
    func testRandomNetworksLeaveNoSmallAtom() {
        var generator = SeededGenerator(seed: 27)
        for _ in 0..<200 {
            var units: [Unit] = []
            for m in 0..<Int.random(in: 1...8, using: &generator) {
                let region = "r\(Int.random(in: 1...3, using: &generator))"
                let similar = Bool.random(using: &generator) ? "g\(Int.random(in: 1...2, using: &generator))" : nil
                let clustered = Int.random(in: 0...2, using: &generator) > 0
                let cluster = clustered ? "k\(Int.random(in: 1...2, using: &generator))" : nil
                for s in 0..<Int.random(in: 0...4, using: &generator) {
                    units.append(Unit(
                        school: "s\(m)-\(s)", municipality: "\(100 + m)", region: region, similar: similar,
                        cluster: cluster, count: Int.random(in: 0...12, using: &generator)))
                }
                if Bool.random(using: &generator) {
                    units.append(Unit(
                        municipality: "\(100 + m)", region: region, similar: similar, cluster: cluster,
                        count: Int.random(in: 0...4, using: &generator)))
                }
            }
            assertNoSmallAtom(results(units))
        }
    }

    func assertNoSmallAtom(_ r: SurveyResults, file: StaticString = #filePath, line: UInt = #line) {
        let itemCount = r.items.items.count
        for (g, group) in r.groups.enumerated() where !r.hidden[g * itemCount] {
            XCTAssertGreaterThanOrEqual(Int(r.n[g * itemCount]), r.threshold, "\(group)", file: file, line: line)
        }
        var atoms: [[Int32]: Int32] = [:]
        for u in r.unitGroups[0].indices {
            let key = r.unitGroups.map { $0[u] >= 0 && !r.hidden[Int($0[u]) * itemCount] ? $0[u] : -1 }
            atoms[key, default: 0] += r.unitN[u * itemCount]
        }
        for (key, n) in atoms where n > 0 && key.contains(where: { $0 >= 0 }) {
            XCTAssertGreaterThanOrEqual(Int(n), r.threshold, "atom \(key)", file: file, line: line)
        }
    }
}
