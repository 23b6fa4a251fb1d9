import Foundation
@testable import SamradCore
import XCTest

/// H2 of the security review: what a viewer sees of results never lets them work out the answers of
/// fewer people than the threshold, by any sum or difference of what they see, across overlapping
/// groups, a follow-up question, or two municipalities they may both view.
final class SuppressionTests: XCTestCase {
    static func text(_ en: String) -> LocalizedText { LocalizedText(da: en, sv: en, en: en) }

    /// Q1 yes/no for everyone; Q2 (a 1-5 scale) only for those who said yes.
    static let form = QuestionnaireForm(sections: [
        QuestionnaireSection(
            key: "s", title: text("S"),
            questions: [
                Question(key: "q1", kind: .yesNo, text: text("Do you have a plan?"), required: true),
                Question(
                    key: "q2", kind: .likert, text: text("How far is it?"), scale: AnswerScale(min: 1, max: 5),
                    showIf: ShowCondition(question: "q1", values: ["yes"])),
            ])
    ])

    struct Person {
        var region: String
        var similar: String?
        var cluster: String?
        var yes: Bool
        var point: Int?
    }

    func results(_ people: [Person], threshold: Int = 5) -> QuestionnaireResults {
        let items = ResultItems(Self.form)
        var columns = AnswerColumns()
        for (r, p) in people.enumerated() {
            columns.append(respondent: r, AnswerCell(question: "q1", option: p.yes ? "yes" : "no"), items: items)
            if p.yes, let point = p.point {
                columns.append(respondent: r, AnswerCell(question: "q2", number: Double(point)), items: items)
            }
        }
        let respondents = people.enumerated().map {
            Respondent(
                municipality: MunicipalityKey(.dk, String(100 + $0.offset)), region: $0.element.region,
                similar: $0.element.similar, cluster: $0.element.cluster)
        }
        return QuestionnaireResults(items: items, respondents: respondents, columns: columns, threshold: threshold)
    }

    func shownKinds(_ seen: (own: QuestionnaireResults.Figures?, groups: [QuestionnaireResults.Shown])) -> [GroupKind] {
        seen.groups.filter { $0.figures != nil }.map(\.group.kind)
    }

    /// Example 1: a cluster and a region that overlap only in the viewer. All − cluster − region +
    /// own would be the three in neither.
    func testTwoGroupsThatOverlapOnlyInTheViewerDoNotIsolateTheRest() {
        var people = [Person(region: "hovedstaden", cluster: "c", yes: true, point: 3)]
        people += (0..<5).map { _ in Person(region: "sjaelland", cluster: "c", yes: true, point: 4) }
        people += (0..<5).map { _ in Person(region: "hovedstaden", yes: false) }
        people += (0..<3).map { _ in Person(region: "syddanmark", yes: true, point: 1) }
        let r = results(people)
        let item = r.items.item("q1")!
        let seen = r.view(item: item, for: .of(0, in: r))
        XCTAssertEqual(seen.groups.map(\.group.kind), [.cluster, .region, .all])
        XCTAssertEqual(seen.groups[2].figures?.n, 14, "all is shown")
        XCTAssertTrue(seen.groups[0].figures == nil || seen.groups[1].figures == nil, "not both: \(shownKinds(seen))")
        XCTAssertTrue(Derivation.smallestDerivable(r, item: item, viewpoint: .of(0, in: r)).map { $0 >= 5 } ?? true)
        // Before: each nested difference was large enough (13, 5, 5, 8, 8), so all three were shown.
    }

    /// Example 2: the region is hidden on Q1 (all − region = 3), so it is hidden on the follow-up
    /// question too, whose respondents are exactly Q1's "yes".
    func testAFollowUpQuestionHidesWhatItsQuestionHides() {
        var people = [Person(region: "r", yes: true, point: 2)]
        people += (0..<6).map { _ in Person(region: "r", yes: true, point: 4) }
        people += (0..<2).map { _ in Person(region: "r", yes: false) }
        people += (0..<3).map { _ in Person(region: "other", yes: false) }
        let r = results(people)
        let q1 = r.items.item("q1")!, q2 = r.items.item("q2")!
        let viewer = QuestionnaireResults.Viewpoint.of(0, in: r)
        XCTAssertEqual(shownKinds(r.view(item: q1, for: viewer)), [.all], "all − region = 3")
        let followUp = r.view(item: q2, for: viewer)
        XCTAssertEqual(followUp.groups.map(\.group.kind), [.region, .all])
        XCTAssertNil(followUp.groups[0].figures, "the region equals all on Q2, but showing it tells Q1's hidden answer")
        XCTAssertEqual(followUp.groups[1].figures?.n, 7)
    }

    /// Example 3: one coordinator of two municipalities in a region of six. Each view alone leaves
    /// five others; together four.
    func testOnePersonWhoMayViewTwoMunicipalitiesGetsOneView() {
        let people =
            (0..<6).map { _ in Person(region: "r", yes: true, point: 3) }
            + (0..<9).map { _ in Person(region: "s", yes: false) }
        let r = results(people)
        let item = r.items.item("q1")!
        XCTAssertNotNil(r.view(item: item, for: .of(0, in: r)).groups[0].figures, "A alone: region − A = 5")
        let both = QuestionnaireResults.Viewpoint.combining([.of(0, in: r), .of(1, in: r)], primary: 0)
        let seen = r.view(item: item, for: both)
        XCTAssertEqual(seen.groups.map(\.group.kind), [.region, .all])
        XCTAssertNil(seen.groups[0].figures, "region − A − B = 4")
        XCTAssertEqual(seen.own?.n, 1, "A's own answer beside")
    }

    func testTextsAreListedOnlyWhenEnoughOthersWrote() {
        let r = results((0..<8).map { _ in Person(region: "r", yes: true, point: 3) })
        XCTAssertFalse(r.mayListTexts(count: 4, for: .everyone))
        XCTAssertTrue(r.mayListTexts(count: 5, for: .everyone))
        XCTAssertFalse(r.mayListTexts(count: 5, for: .of(0, in: r)), "the viewer's own text aside, four")
        XCTAssertTrue(r.mayListTexts(count: 6, for: .of(0, in: r)))
    }

    /// Small random populations, seeded: for every viewer (one respondent, two together, or one who
    /// did not answer), on every question, no set of fewer than the threshold other respondents has
    /// figures that any combination of what the viewer sees gives (brute force over all such sets),
    /// and a follow-up question shows no group its question hides.
    func testNoViewerDerivesFewerThanTheThresholdByAnyCombination() {
        let seed = UInt64(0x5A3D_2026)
        var rng = SeededGenerator(seed: seed)
        var viewsChecked = 0
        for round in 0..<150 {
            let k = [3, 4, 5].randomElement(using: &rng)!
            let count = Int.random(in: 6...13, using: &rng)
            let regions = Int.random(in: 1...3, using: &rng), clusters = Int.random(in: 1...4, using: &rng)
            let people = (0..<count).map { _ in
                Person(
                    region: "r\(Int.random(in: 0..<regions, using: &rng))",
                    similar: Bool.random(using: &rng) ? "g\(Int.random(in: 0..<2, using: &rng))" : nil,
                    cluster: Int.random(in: 0...2, using: &rng) > 0
                        ? "c\(Int.random(in: 0..<clusters, using: &rng))" : nil,
                    yes: Int.random(in: 0...3, using: &rng) > 0,
                    point: Int.random(in: 0...4, using: &rng) > 0 ? Int.random(in: 1...5, using: &rng) : nil)
            }
            let r = results(people, threshold: k)
            var viewpoints: [QuestionnaireResults.Viewpoint] = people.indices.map { .of($0, in: r) }
            for _ in 0..<3 {
                let a = Int.random(in: 0..<count, using: &rng), b = Int.random(in: 0..<count, using: &rng)
                viewpoints.append(.combining([.of(a, in: r), .of(b, in: r)], primary: 0))
            }
            viewpoints.append(.everyone)
            for viewpoint in viewpoints {
                for item in r.items.items.indices {
                    if let smallest = Derivation.smallestDerivable(r, item: item, viewpoint: viewpoint) {
                        XCTAssertGreaterThanOrEqual(
                            smallest, k, "seed \(seed) round \(round) item \(item): a set of \(smallest) is derivable")
                    }
                    viewsChecked += 1
                }
                let q1 = r.view(item: r.items.item("q1")!, for: viewpoint).groups,
                    q2 = r.view(item: r.items.item("q2")!, for: viewpoint).groups
                for (parent, child) in zip(q1, q2) where child.figures != nil {
                    XCTAssertNotNil(
                        parent.figures, "seed \(seed) round \(round): \(child.group) shown on Q2, hidden on Q1")
                }
            }
        }
        XCTAssertGreaterThan(viewsChecked, 3000)
    }
}

/// What a viewer can work out: the figures of any set of respondents whose membership vector is a
/// combination of the shown groups' (their own answers known one by one). Small sets only.
enum Derivation {
    /// The size of the smallest set of other respondents (answering `item`) whose figures the viewer
    /// can derive; nil when none smaller than six can be.
    static func smallestDerivable(
        _ r: QuestionnaireResults, item: Int, viewpoint: QuestionnaireResults.Viewpoint
    ) -> Int? {
        let answering = Array(
            Set((0..<r.columns.count).filter { Int(r.columns.item[$0]) == item }.map { Int(r.columns.respondent[$0]) })
        )
        .sorted()
        let others = answering.filter { !viewpoint.own.contains($0) }
        // Groups shown on this item, and on any follow-up question: a group's count there is how many
        // of the group gave the answer that leads to it here, so it tells about this item too.
        var items = [item]
        items += r.items.items.indices.filter { r.items.parent[$0] == item }
        var vectors: [[Double]] = []
        for i in items {
            for shown in r.view(item: i, for: viewpoint).groups where shown.figures != nil {
                guard let g = r.group(shown.group) else { continue }
                vectors.append(others.map { o in g == 0 || r.membership.contains { $0[o] == Int32(g) } ? 1 : 0 })
            }
        }
        guard !vectors.isEmpty, !others.isEmpty else { return nil }
        let base = rank(vectors)
        for size in 1...min(5, others.count) {
            for subset in combinations(others.count, size) {
                var target = [Double](repeating: 0, count: others.count)
                for i in subset { target[i] = 1 }
                if rank(vectors + [target]) == base { return size }
            }
        }
        return nil
    }

    static func rank(_ rows: [[Double]]) -> Int {
        var m = rows
        var rank = 0
        let columns = m.first?.count ?? 0
        for c in 0..<columns {
            guard let pivot = (rank..<m.count).first(where: { abs(m[$0][c]) > 1e-9 }) else { continue }
            m.swapAt(rank, pivot)
            for r in 0..<m.count where r != rank && abs(m[r][c]) > 1e-9 {
                let f = m[r][c] / m[rank][c]
                for j in 0..<columns { m[r][j] -= f * m[rank][j] }
            }
            rank += 1
        }
        return rank
    }

    static func combinations(_ n: Int, _ k: Int) -> [[Int]] {
        guard k > 0 else { return [[]] }
        guard n >= k else { return [] }
        return combinations(n - 1, k - 1).map { $0 + [n - 1] } + combinations(n - 1, k)
    }
}
