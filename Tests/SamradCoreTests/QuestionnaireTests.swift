import Foundation
@testable import SamradCore
import XCTest

final class QuestionnaireTests: XCTestCase {
    static func text(_ en: String) -> LocalizedText { LocalizedText(da: en + " (da)", sv: en + " (sv)", en: en) }

    /// One question of every kind, with a condition.
    static let form = QuestionnaireForm(sections: [
        QuestionnaireSection(
            key: "status", title: text("Status"),
            questions: [
                Question(
                    key: "phase", kind: .singleChoice, text: text("Phase"), required: true,
                    options: [
                        QuestionOption(key: "start", label: text("Starting")),
                        QuestionOption(key: "middle", label: text("Under way")),
                        QuestionOption(key: "done", label: text("Done")),
                    ]),
                Question(
                    key: "areas", kind: .multipleChoice, text: text("Areas"),
                    options: [
                        QuestionOption(key: "a", label: text("A")),
                        QuestionOption(key: "b", label: text("B")), QuestionOption(key: "c", label: text("C")),
                    ]),
                Question(
                    key: "ready", kind: .likert, text: text("Ready"), required: true,
                    scale: AnswerScale(min: 1, max: 5, low: text("Not"), high: text("Fully"))),
                Question(
                    key: "hours", kind: .number, text: text("Hours"),
                    number: NumberFormat(unit: text("hours"), min: 0, max: 40, wholeNumbers: true)),
                Question(key: "plan", kind: .yesNo, text: text("Plan?"), required: true),
                Question(
                    key: "plan-why", kind: .longText, text: text("Why not?"), required: true,
                    showIf: ShowCondition(question: "plan", values: ["no"])),
                Question(key: "name", kind: .shortText, text: text("Name")),
                Question(
                    key: "grid", kind: .matrix, text: text("Grid"),
                    statements: [
                        QuestionOption(key: "s1", label: text("One")), QuestionOption(key: "s2", label: text("Two")),
                    ],
                    scale: AnswerScale(min: 1, max: 4)),
            ])
    ])

    func testTheFormIsCheckedAndNamesEveryProblemByItsPath() throws {
        XCTAssertNoThrow(try Self.form.validated())
        var bad = Self.form
        bad.sections[0].questions[1].key = "phase"
        bad.sections[0].questions[0].options = [QuestionOption(key: "only", label: Self.text("Only"))]
        bad.sections[0].questions[2].scale = AnswerScale(min: 3, max: 3)
        bad.sections[0].questions[3].number = NumberFormat(min: 10, max: 1)
        bad.sections[0].questions[4].showIf = ShowCondition(question: "plan-why", values: ["x"])
        bad.sections[0].questions[6].text = LocalizedText(da: "  ")
        do { _ = try bad.validated(); XCTFail("accepted") } catch let error as SamradError {
            let fields = Set(error.fieldErrors.map(\.field))
            XCTAssertEqual(
                fields,
                [
                    "sections[0].questions[1].key", "sections[0].questions[0].options",
                    "sections[0].questions[2].scale",
                    "sections[0].questions[3].number", "sections[0].questions[4].showIf",
                    "sections[0].questions[6].text",
                ])
        }
        do { _ = try QuestionnaireForm().validated(); XCTFail("empty accepted") } catch let error as SamradError {
            XCTAssertEqual(error.fieldErrors.map(\.messageKey), ["questionnaires.error.no_questions"])
        }
    }

    func testRewordingIsAChangeOfWordingAndAnythingElseOfStructure() {
        var worded = Self.form
        worded.sections[0].questions[0].text.sv = "Fas"
        worded.sections[0].questions[0].options[1].label.da = "I gang"
        worded.sections[0].title.en = "Where you are"
        XCTAssertEqual(Self.form.change(to: worded), .wording(["phase", "status"]))
        XCTAssertEqual(Self.form.change(to: Self.form), .none)
        var moved = Self.form
        moved.sections.append(
            QuestionnaireSection(
                key: "more", title: Self.text("More"), questions: [moved.sections[0].questions.removeLast()]))
        XCTAssertEqual(Self.form.change(to: moved), .wording(["more"]), "moving a question keeps its answers")
        for change in [
            { (f: inout QuestionnaireForm) in f.sections[0].questions[0].options.removeLast() },
            { f in f.sections[0].questions[3].number?.max = 20 },
            { f in f.sections[0].questions[6].required = true },
            { f in f.sections[0].questions[2].kind = .number },
            { f in f.sections[0].questions.remove(at: 1) },
            { f in f.sections[0].questions.append(Question(key: "new", kind: .yesNo, text: Self.text("New"))) },
        ] {
            var changed = Self.form
            change(&changed)
            guard case .structure(let keys) = Self.form.change(to: changed) else {
                return XCTFail("not structural: \(changed)")
            }
            XCTAssertEqual(keys.count, 1)
        }
    }

    func testAnswersAreCheckedByKind() throws {
        let q = Dictionary(uniqueKeysWithValues: Self.form.questions.map { ($0.key, $0) })
        func parse(_ key: String, _ values: [String], statements: [String: String] = [:]) throws -> AnswerValue? {
            try AnswerSheet.parse(RawAnswer(values: values, statements: statements), for: q[key]!, field: key)
        }
        func message(_ key: String, _ values: [String], statements: [String: String] = [:]) -> [String] {
            do { _ = try parse(key, values, statements: statements); return [] } catch let error as SamradError {
                return error.fieldErrors.map(\.messageKey)
            } catch { return ["?"] }
        }
        XCTAssertEqual(try parse("phase", ["middle"]), .option("middle"))
        XCTAssertEqual(message("phase", ["later"]), ["questionnaires.error.unknown_option"])
        XCTAssertEqual(message("phase", ["start", "done"]), ["questionnaires.error.one_option"])
        XCTAssertEqual(try parse("areas", ["c", "a", "c"]), .options(["a", "c"]))
        XCTAssertEqual(message("areas", ["a", "z"]), ["questionnaires.error.unknown_option"])
        XCTAssertEqual(try parse("ready", ["4"]), .scale(4))
        XCTAssertEqual(message("ready", ["6"]), ["questionnaires.error.scale_point"])
        XCTAssertEqual(try parse("hours", ["12"]), .number(12))
        XCTAssertEqual(message("hours", ["41"]), ["questionnaires.error.above"])
        XCTAssertEqual(message("hours", ["-1"]), ["questionnaires.error.below"])
        XCTAssertEqual(message("hours", ["2,5"]), ["questionnaires.error.whole_number"])
        XCTAssertEqual(message("hours", ["many"]), ["questionnaires.error.not_a_number"])
        XCTAssertEqual(try parse("plan", ["no"]), .yesNo(false))
        XCTAssertEqual(try parse("name", ["  Ada  "]), .text("Ada"))
        XCTAssertEqual(message("name", [String(repeating: "x", count: 501)]), ["validation.too_long"])
        XCTAssertEqual(try parse("grid", [], statements: ["s1": "2", "s2": ""]), .matrix(["s1": 2]))
        XCTAssertEqual(message("grid", [], statements: ["s3": "2"]), ["questionnaires.error.unknown_statement"])
        XCTAssertNil(try parse("hours", [" "]), "an empty answer clears a draft")
    }

    func testConditionsDecideWhatShowsAndWhatMustBeAnswered() throws {
        var sheet = AnswerSheet([
            "phase": .option("start"), "ready": .scale(3), "plan": .yesNo(true), "plan-why": .text("kept from before"),
        ])
        let why = Self.form.question("plan-why")!
        XCTAssertFalse(sheet.shows(why, in: Self.form))
        XCTAssertEqual(sheet.missing(in: Self.form), [])
        let submitted = try sheet.submitted(in: Self.form)
        XCTAssertNil(submitted.answers["plan-why"], "an answer to a hidden question is not counted")
        sheet.answers["plan"] = .yesNo(false)
        sheet.answers["plan-why"] = nil
        XCTAssertEqual(sheet.missing(in: Self.form), ["plan-why"])
        sheet.answers["grid"] = .matrix(["s1": 1])
        var strict = Self.form
        strict.sections[0].questions[7].required = true
        XCTAssertEqual(sheet.missing(in: strict), ["plan-why", "grid"], "a required matrix needs every statement")
        do { _ = try sheet.submitted(in: Self.form); XCTFail() } catch let error as SamradError {
            XCTAssertEqual(error.fieldErrors.map(\.field), ["answers.plan-why"])
        }
    }

    func testCellsKeepEveryAnswer() {
        let sheet = AnswerSheet([
            "phase": .option("done"), "areas": .options(["a", "b"]), "ready": .scale(5), "hours": .number(7),
            "plan": .yesNo(true),
            "name": .text("Ada"), "grid": .matrix(["s1": 4, "s2": 1]),
        ])
        XCTAssertEqual(sheet.cells.count, 9)
        XCTAssertEqual(AnswerSheet(cells: sheet.cells, form: Self.form), sheet)
    }

    func testWindowAndReminders() {
        let close = Date(timeIntervalSince1970: 1_000_000_000)
        let window = QuestionnaireWindow(opensAt: close.addingTimeInterval(-30 * 86_400), closesAt: close)
        XCTAssertTrue(window.isOpen(at: close.addingTimeInterval(-1)))
        XCTAssertFalse(window.isOpen(at: close))
        XCTAssertThrowsError(try window.checkOpen(at: close.addingTimeInterval(60)))
        XCTAssertThrowsError(try window.checkOpen(at: close.addingTimeInterval(-31 * 86_400)))
        var v = Validation()
        XCTAssertEqual(QuestionnaireWindow.reminderDays("2, 7", field: "r", &v), [7, 2])
        XCTAssertEqual(QuestionnaireWindow.reminderDays("0", field: "r", &v), [])
        XCTAssertEqual(v.errors.map(\.field), ["r"])
        XCTAssertNil(window.dueReminder(days: [7, 2], sent: [], now: close.addingTimeInterval(-8 * 86_400)))
        XCTAssertEqual(window.dueReminder(days: [7, 2], sent: [], now: close.addingTimeInterval(-6 * 86_400)), 7)
        XCTAssertNil(window.dueReminder(days: [7, 2], sent: [7], now: close.addingTimeInterval(-6 * 86_400)))
        XCTAssertEqual(
            window.dueReminder(days: [7, 2], sent: [], now: close.addingTimeInterval(-86_400)), 2,
            "only the latest, no burst")
    }

    func testAnsweringRights() {
        let q = UUID(), key = MunicipalityKey(.se, "1280"), person = UUID()
        let coordinator = Actor(
            userID: UUID(), personID: nil, grants: [RoleGrant(kind: .coordinator, municipality: key)])
        let colleague = Actor(userID: UUID(), personID: person, grants: [RoleGrant(kind: .member, municipality: key)])
        let outsider = Actor(userID: UUID(), personID: UUID(), grants: [])
        XCTAssertEqual(
            QuestionnairePolicy.right(coordinator, unit: .municipality(key), questionnaireID: q, link: nil), .full)
        XCTAssertEqual(
            QuestionnairePolicy.right(colleague, unit: .municipality(key), questionnaireID: q, link: nil),
            .init(mayDraft: true, maySubmit: false))
        XCTAssertEqual(
            QuestionnairePolicy.right(
                colleague, unit: .municipality(MunicipalityKey(.se, "0180")), questionnaireID: q,
                link: nil), .none)
        XCTAssertEqual(
            QuestionnairePolicy.right(outsider, unit: .municipality(key), questionnaireID: q, link: nil), .none)
        let link = AnswerLinkGrant(questionnaireID: q, unit: .municipality(key), maySubmit: true)
        XCTAssertEqual(
            QuestionnairePolicy.right(.visitor, unit: .municipality(key), questionnaireID: q, link: link), .full)
        XCTAssertEqual(
            QuestionnairePolicy.right(.visitor, unit: .municipality(key), questionnaireID: UUID(), link: link), .none)
        XCTAssertEqual(
            QuestionnairePolicy.right(colleague, unit: .person(person), questionnaireID: q, link: nil), .full)
        XCTAssertFalse(
            QuestionnairePolicy.mayViewResults(
                .visitor, owner: .organiser(UUID()), visibility: .participants, published: true, isParticipant: false))
        XCTAssertTrue(
            QuestionnairePolicy.mayViewResults(
                .visitor, owner: .organiser(UUID()), visibility: .public, published: true, isParticipant: false))
        XCTAssertFalse(
            QuestionnairePolicy.mayViewResults(
                coordinator, owner: .organiser(UUID()), visibility: .public, published: false, isParticipant: true))
        XCTAssertFalse(
            QuestionnairePolicy.mayReadTexts(
                .visitor, owner: .organiser(UUID()), visibility: .public, textsPublished: true, isParticipant: false))
        // A municipality's own survey: its coordinators build it, not its members or another's coordinator.
        XCTAssertTrue(QuestionnairePolicy.mayBuild(coordinator, owner: .municipality(key)))
        XCTAssertFalse(QuestionnairePolicy.mayBuild(colleague, owner: .municipality(key)))
        XCTAssertFalse(QuestionnairePolicy.mayBuild(coordinator, owner: .municipality(MunicipalityKey(.se, "0180"))))
        XCTAssertFalse(QuestionnairePolicy.mayBuild(coordinator, owner: .organiser(UUID())))
    }

    // MARK: Results

    /// Respondents with their region, grouping and cluster, each answering "ready" with a point.
    func results(
        _ people: [(region: String, similar: String?, cluster: String?, point: Int?)], threshold: Int = 5
    ) -> QuestionnaireResults {
        let items = ResultItems(Self.form)
        var columns = AnswerColumns()
        for (r, p) in people.enumerated() {
            if let point = p.point {
                columns.append(respondent: r, AnswerCell(question: "ready", number: Double(point)), items: items)
            }
        }
        let respondents = people.enumerated().map {
            Respondent(
                municipality: MunicipalityKey(.se, String(format: "%04d", $0.offset)), region: $0.element.region,
                similar: $0.element.similar, cluster: $0.element.cluster)
        }
        return QuestionnaireResults(items: items, respondents: respondents, columns: columns, threshold: threshold)
    }

    func testCountsSharesMeansAndSpread() {
        let items = ResultItems(Self.form)
        var columns = AnswerColumns()
        let sheets: [AnswerSheet] = [
            AnswerSheet([
                "phase": .option("start"), "areas": .options(["a", "b"]), "ready": .scale(2), "hours": .number(10),
                "plan": .yesNo(true), "grid": .matrix(["s1": 1]),
            ]),
            AnswerSheet([
                "phase": .option("done"), "areas": .options(["a"]), "ready": .scale(4), "hours": .number(20),
                "plan": .yesNo(false), "name": .text("x"),
            ]),
            AnswerSheet([
                "phase": .option("done"), "ready": .scale(3), "plan": .yesNo(true),
                "grid": .matrix(["s1": 3, "s2": 4]),
            ]),
        ]
        // Added in reverse: the results put them in order themselves.
        for (r, sheet) in sheets.enumerated().reversed() {
            for cell in sheet.cells.reversed() { columns.append(respondent: r, cell, items: items) }
        }
        let results = QuestionnaireResults(
            items: items, respondents: sheets.map { _ in Respondent(municipality: nil) }, columns: columns, threshold: 1
        )
        func fig(_ q: String, _ s: String? = nil) -> QuestionnaireResults.Figures {
            results.figures(group: 0, item: items.item(q, statement: s)!)
        }
        XCTAssertEqual(fig("phase").counts, [1, 0, 2])
        XCTAssertEqual(fig("phase").n, 3)
        XCTAssertEqual(fig("areas").n, 2, "respondents, not ticks")
        XCTAssertEqual(fig("areas").counts, [2, 1, 0])
        XCTAssertEqual(fig("areas").shares, [1, 0.5, 0])
        XCTAssertEqual(fig("ready").mean, 3)
        XCTAssertEqual(fig("ready").standardDeviation!, 1, accuracy: 1e-9)
        XCTAssertEqual(fig("ready").counts, [0, 1, 1, 1, 0])
        XCTAssertEqual(fig("hours").mean, 15)
        XCTAssertEqual(fig("hours").n, 2)
        XCTAssertEqual(fig("plan").counts, [2, 1])
        XCTAssertEqual(fig("grid", "s1").mean, 2)
        XCTAssertEqual(fig("grid", "s2").n, 1)
        XCTAssertNil(items.item("name"), "text answers are listed, not counted")
        XCTAssertEqual(results.figures(respondent: 1, item: items.item("ready")!).mean, 4)
    }

    func testSmallGroupsAreHiddenAndSoIsWhatWouldRevealThem() {
        // 17 in the north, 3 in the south: the south is too small, and showing the north would let
        // anyone subtract it from all 20 and read the south.
        let people = (0..<20).map { i in
            (region: i < 17 ? "north" : "south", similar: String?.none, cluster: String?.none, point: Int?(1 + i % 5))
        }
        let r = results(people)
        let item = r.items.item("ready")!
        let viewer = QuestionnaireResults.Viewpoint.of(0, in: r)
        let seen = r.view(item: item, for: viewer)
        XCTAssertEqual(seen.own?.mean, 1)
        XCTAssertEqual(seen.groups.map(\.group.kind), [.region, .all])
        XCTAssertNil(seen.groups[0].figures, "north hidden: all minus north is the south's three")
        XCTAssertEqual(seen.groups[1].figures?.n, 20)
        // With 6 in the south both regions can show.
        let balanced = results(
            (0..<20).map { i in (region: i < 14 ? "north" : "south", similar: nil, cluster: nil, point: 3) })
        XCTAssertNotNil(balanced.view(item: item, for: .of(0, in: balanced)).groups[0].figures)
        XCTAssertNotNil(balanced.view(item: item, for: .of(19, in: balanced)).groups[0].figures)
    }

    func testAViewerCannotSubtractTheirOwnAnswerOrANestedGroup() {
        // A cluster of 5 inside a region of 8, inside 30: the cluster minus the viewer's own answer
        // leaves 4; the region minus the cluster leaves 3.
        var people: [(region: String, similar: String?, cluster: String?, point: Int?)] = []
        for i in 0..<30 {
            people.append(
                (
                    region: i < 8 ? "r1" : (i < 19 ? "r2" : "r3"), similar: nil,
                    cluster: i < 5 ? "c1" : (i < 11 ? "c2" : nil), point: 1 + i % 4
                ))
        }
        let r = results(people)
        let item = r.items.item("ready")!
        let inCluster = r.view(item: item, for: .of(0, in: r))
        XCTAssertEqual(inCluster.groups.map(\.group.kind), [.cluster, .region, .all])
        XCTAssertNil(inCluster.groups[0].figures, "cluster of 5 minus own = 4")
        XCTAssertNotNil(inCluster.groups[1].figures, "region of 8 minus own = 7")
        XCTAssertNotNil(inCluster.groups[2].figures)
        // A member of the other cluster, in the same region.
        let outside = r.view(item: item, for: .of(6, in: r))
        XCTAssertEqual(outside.groups.map(\.group.kind), [.cluster, .region, .all])
        XCTAssertNotNil(outside.groups[1].figures, "r1 (8) minus own leaves 7")
        XCTAssertNil(
            outside.groups[0].figures,
            "c2 (6) beside r1 (8) would cut out c2 ∩ r1 without the viewer: 5 and 7, two people")
    }

    /// Random programmes: whatever the viewer sees, no two nested groups they see (their own answer
    /// counted as a group of one) differ by fewer than the threshold, and in every family what is
    /// hidden is nothing or at least the threshold.
    func testNoViewerCanDeriveASmallGroupBySubtracting() {
        let seed = UInt64(20_261_204)
        var rng = SeededGenerator(seed: seed)
        for round in 0..<60 {
            let k = [3, 5, 7].randomElement(using: &rng)!
            let count = Int.random(in: 8...80, using: &rng)
            let regions = Int.random(in: 1...5, using: &rng), clusters = Int.random(in: 1...8, using: &rng),
                groups = Int.random(in: 1...4, using: &rng)
            let people = (0..<count).map { _ in
                (
                    region: "r\(Int.random(in: 0..<regions, using: &rng))",
                    similar: Bool.random(using: &rng) ? "g\(Int.random(in: 0..<groups, using: &rng))" : nil,
                    cluster: Int.random(in: 0...3, using: &rng) > 0
                        ? "c\(Int.random(in: 0..<clusters, using: &rng))" : nil,
                    point: Int.random(in: 0...5, using: &rng) > 0 ? Int.random(in: 1...5, using: &rng) : nil
                )
            }
            let r = results(people, threshold: k)
            let item = r.items.item("ready")!
            let answered = Set(people.indices.filter { people[$0].point != nil })
            func members(_ g: ComparisonGroup) -> Set<Int> {
                answered.filter { i in
                    switch g.kind {
                    case .all: true
                    case .region: people[i].region == g.key
                    case .similar: people[i].similar == g.key
                    case .cluster: people[i].cluster == g.key
                    case .own: false
                    }
                }
            }
            for viewer in people.indices {
                let seen = r.view(item: item, for: .of(viewer, in: r))
                var known: [Set<Int>] = answered.contains(viewer) ? [[viewer]] : []
                for shown in seen.groups where shown.figures != nil {
                    let set = members(shown.group)
                    XCTAssertGreaterThanOrEqual(set.count, k, "seed \(seed) round \(round)")
                    XCTAssertEqual(shown.figures?.n, set.count)
                    known.append(set)
                }
                for a in known {
                    for b in known where a != b && a.isSubset(of: b) {
                        XCTAssertGreaterThanOrEqual(
                            b.count - a.count, k,
                            "round \(round): viewer \(viewer) subtracts \(a.count) from \(b.count)")
                    }
                }
            }
            // Across viewers: in each family, the hidden part of "all" is empty or large enough.
            for kind in [GroupKind.region, .similar, .cluster] {
                let shownTotal = r.groups.indices.filter {
                    r.groups[$0].kind == kind && !r.hidden[$0 * r.items.items.count + item]
                }
                .reduce(0) { $0 + members(r.groups[$1]).count }
                let rest = answered.count - shownTotal
                if answered.count >= k {
                    XCTAssertTrue(rest == 0 || rest >= k, "round \(round): \(kind) leaves \(rest)")
                }
            }
        }
    }

    func testChartsDrawSharesDistributionsAndMeansAndSayWhenAGroupIsHidden() {
        let bars = ResultsChart.bars(
            categories: ["Ja", "Nej"],
            series: [.init(label: "Alla", shares: [0.75, 0.25]), .init(label: "Län", shares: nil)],
            language: .da, hiddenLabel: "skjult")
        // A heading per option, then one row per group.
        XCTAssertEqual(bars.rows.map(\.heading), [true, false, false, true, false, false])
        XCTAssertEqual(bars.rows[1].segments.first?.width, ResultsChart.plotWidth * 0.75)
        XCTAssertEqual(bars.rows[1].value, "75 %")
        XCTAssertTrue(bars.rows[2].segments.isEmpty, "a hidden group is never drawn as zero")
        XCTAssertEqual(bars.rows[2].value, "skjult")
        XCTAssertEqual(bars.legend.map(\.label), ["Alla", "Län"])

        let spread = ResultsChart.distribution(
            points: ["1", "2", "3", "4", "5"],
            series: [.init(label: "Alla", shares: [0.1, 0.2, 0.4, 0.2, 0.1], mean: 3)],
            low: 1, high: 5, language: .en, hiddenLabel: "hidden")
        let widths = spread.rows[0].segments.map(\.width).reduce(0, +)
        XCTAssertEqual(widths, ResultsChart.plotWidth, accuracy: 1e-9, "the shares fill the bar")
        XCTAssertEqual(
            spread.rows[0].markX!, ResultsChart.plotStart + ResultsChart.plotWidth / 2, accuracy: 1e-9,
            "the mean 3 sits in the middle of 1-5")
        XCTAssertEqual(spread.rows[0].value, "⌀ 3.0")
        XCTAssertEqual(spread.legend.map(\.tone), [0, 2, 5, 7, 9], "scale points run from the first tone to the last")

        let means = ResultsChart.means(
            series: [.init(label: "Alla", shares: [], mean: 20), .init(label: "Kluster", shares: [], mean: 40)],
            upperBound: nil, unit: "timmar", language: .sv, hiddenLabel: "dold")
        XCTAssertEqual(means.rows[1].segments.first?.width, ResultsChart.plotWidth, "the largest mean fills the axis")
        XCTAssertEqual(means.rows[0].value, "20,0 timmar")
        XCTAssertEqual(means.ticks.last?.label, "40")
        let bounded = ResultsChart.means(
            series: [.init(label: "Alla", shares: [], mean: 12)], upperBound: 50, unit: "", language: .sv,
            hiddenLabel: "dold")
        XCTAssertEqual(bounded.ticks.map(\.label), ["0", "20", "40", "60"], "round ticks, not 0/13/25/38/50")
    }
}
