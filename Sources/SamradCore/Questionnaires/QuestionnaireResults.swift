import Foundation

/// What results count: one item per closed question, and one per statement of a matrix. Text
/// questions are listed, not counted.
public struct ResultItem: Sendable, Equatable {
    public var question: String
    public var statement: String?
    public var kind: QuestionKind
    /// What is counted per item: option keys, "yes"/"no", or scale points as text; empty for numbers.
    public var codes: [String]
    /// Whether a mean and spread are meaningful (scales, matrix statements and numbers).
    public var hasMean: Bool
}

public struct ResultItems: Sendable {
    public let items: [ResultItem]
    /// Where each item's codes start in a group's block of counts.
    let codeOffset: [Int]
    let codeTotal: Int
    private let index: [String: Int]
    private let codeIndex: [[String: Int32]]
    /// Scale points start at the scale's minimum.
    private let scaleMin: [Int]
    /// Per item: the item of the question it is shown after (`showIf`), if any.
    let parent: [Int?]

    public init(_ form: QuestionnaireForm) {
        var items: [ResultItem] = []
        var mins: [Int] = []
        for q in form.questions {
            let scaleCodes = (q.scale?.points ?? 1...5).map(String.init)
            switch q.kind {
            case .singleChoice, .multipleChoice:
                items.append(ResultItem(question: q.key, kind: q.kind, codes: q.options.map(\.key), hasMean: false))
            case .yesNo: items.append(ResultItem(question: q.key, kind: q.kind, codes: ["yes", "no"], hasMean: false))
            case .likert: items.append(ResultItem(question: q.key, kind: q.kind, codes: scaleCodes, hasMean: true))
            case .number: items.append(ResultItem(question: q.key, kind: q.kind, codes: [], hasMean: true))
            case .matrix:
                for s in q.statements {
                    items.append(
                        ResultItem(question: q.key, statement: s.key, kind: q.kind, codes: scaleCodes, hasMean: true));
                    mins.append(q.scale?.min ?? 1)
                }
                continue
            case .shortText, .longText: continue
            }
            mins.append(q.scale?.min ?? 0)
        }
        self.items = items
        scaleMin = mins
        var offsets: [Int] = []
        var total = 0
        for item in items { offsets.append(total); total += item.codes.count }
        codeOffset = offsets
        codeTotal = total
        var index: [String: Int] = [:]
        for (i, item) in items.enumerated() { index[Self.id(item.question, item.statement)] = i }
        self.index = index
        codeIndex = items.map { item in
            Dictionary(uniqueKeysWithValues: item.codes.enumerated().map { ($0.element, Int32($0.offset)) })
        }
        let conditions = Dictionary(
            form.questions.map { ($0.key, $0.showIf?.question) },
            uniquingKeysWith: { a, _ in a })
        parent = items.map { item in conditions[item.question].flatMap { $0 }.flatMap { index[Self.id($0, nil)] } }
    }

    static func id(_ question: String, _ statement: String?) -> String {
        statement.map { "\(question)\u{1F}\($0)" } ?? question
    }

    public func item(_ question: String, statement: String? = nil) -> Int? { index[Self.id(question, statement)] }

    /// The item and code of a stored cell; nil for text and for cells the form no longer has.
    public func locate(_ cell: AnswerCell) -> (item: Int32, code: Int32, value: Double)? {
        guard let i = index[Self.id(cell.question, cell.statement)] else { return nil }
        let item = items[i]
        switch item.kind {
        case .singleChoice, .multipleChoice, .yesNo:
            guard let option = cell.option, let code = codeIndex[i][option] else { return nil }
            return (Int32(i), code, .nan)
        case .likert, .matrix:
            guard let number = cell.number else { return nil }
            let code = Int(number) - scaleMin[i]
            guard code >= 0, code < item.codes.count else { return nil }
            return (Int32(i), Int32(code), number)
        case .number:
            guard let number = cell.number else { return nil }
            return (Int32(i), -1, number)
        case .shortText, .longText:
            return nil
        }
    }
}

/// The counted answers, one row per cell, in columns: the respondent, the item, the code counted
/// (-1 for a number) and the value for means (NaN for choices). Rows of one respondent and item
/// must be adjacent (several for a multiple choice), which `sorted()` ensures.
public struct AnswerColumns: Sendable {
    public var respondent: [Int32] = []
    public var item: [Int32] = []
    public var code: [Int32] = []
    public var value: [Double] = []

    public init() {}

    public init(capacity: Int) {
        respondent.reserveCapacity(capacity)
        item.reserveCapacity(capacity)
        code.reserveCapacity(capacity)
        value.reserveCapacity(capacity)
    }

    public var count: Int { respondent.count }

    public mutating func append(respondent r: Int32, item i: Int32, code c: Int32, value v: Double) {
        respondent.append(r)
        item.append(i)
        code.append(c)
        value.append(v)
    }

    public mutating func append(respondent: Int, _ cell: AnswerCell, items: ResultItems) {
        guard let located = items.locate(cell) else { return }
        append(respondent: Int32(respondent), item: located.item, code: located.code, value: located.value)
    }

    /// Orders the rows by respondent and item, unless they already are.
    public func sorted() -> AnswerColumns {
        var ordered = true
        for i in 1..<Swift.max(count, 1) where (respondent[i - 1], item[i - 1]) > (respondent[i], item[i]) {
            ordered = false
            break
        }
        if ordered { return self }
        let order = (0..<count).sorted { (respondent[$0], item[$0]) < (respondent[$1], item[$1]) }
        var result = AnswerColumns(capacity: count)
        for i in order { result.append(respondent: respondent[i], item: item[i], code: code[i], value: value[i]) }
        return result
    }
}

/// Whom a response speaks for, and so which comparison groups it counts in. The keys are the
/// server's (region "dk/1084", national grouping "se/B5", cluster id); nil when the respondent has none.
public struct Respondent: Sendable, Equatable {
    public var municipality: MunicipalityKey?
    public var region: String?
    public var similar: String?
    public var cluster: String?

    public init(municipality: MunicipalityKey?, region: String? = nil, similar: String? = nil, cluster: String? = nil) {
        self.municipality = municipality
        self.region = region
        self.similar = similar
        self.cluster = cluster
    }
}

public enum GroupKind: String, CaseIterable, Codable, Sendable {
    case own, cluster, similar, region, all
}

/// A group results are compared across; `families` are the partitions of all respondents.
public struct ComparisonGroup: Hashable, Sendable {
    public var kind: GroupKind
    public var key: String

    public init(_ kind: GroupKind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    public static let all = ComparisonGroup(.all, "all")
    static let families: [GroupKind] = [.region, .similar, .cluster]
}

/// Counts, sums and squares per comparison group and item, computed in one pass over the answer
/// rows, and the groups that may be shown: a group with fewer respondents than the threshold is
/// hidden (primary suppression), and within each family of groups that together make up all
/// respondents (regions, national groupings, clusters) more groups are hidden until what is hidden
/// adds up to the threshold or more, so subtracting the shown groups from "all" reveals no small
/// group (secondary suppression). `view(for:)` adds the checks that depend on who looks.
public struct QuestionnaireResults: Sendable {
    public let items: ResultItems
    public let respondents: [Respondent]
    public let groups: [ComparisonGroup]
    public let threshold: Int
    /// Group index per family (region, similar, cluster) per respondent; -1 for none.
    let membership: [[Int32]]
    /// Per group × item.
    public private(set) var n: [Int32]
    var sum: [Double]
    var sumSquares: [Double]
    /// Per group × code.
    var counts: [Int32]
    /// Per group × item: hidden from everyone but organisers.
    public private(set) var hidden: [Bool]
    let columns: AnswerColumns

    public init(form: QuestionnaireForm, respondents: [Respondent], columns: AnswerColumns, threshold: Int) {
        self.init(items: ResultItems(form), respondents: respondents, columns: columns, threshold: threshold)
    }

    public init(items: ResultItems, respondents: [Respondent], columns unsorted: AnswerColumns, threshold: Int) {
        self.items = items
        self.respondents = respondents
        self.threshold = threshold
        let columns = unsorted.sorted()
        self.columns = columns
        var groups: [ComparisonGroup] = [.all]
        var lookup: [ComparisonGroup: Int32] = [.all: 0]
        var membership: [[Int32]] = Array(
            repeating: Array(repeating: -1, count: respondents.count), count: ComparisonGroup.families.count)
        for (r, respondent) in respondents.enumerated() {
            for (f, kind) in ComparisonGroup.families.enumerated() {
                let key: String? =
                    switch kind {
                    case .region: respondent.region
                    case .similar: respondent.similar
                    default: respondent.cluster
                    }
                guard let key else { continue }
                let group = ComparisonGroup(kind, key)
                if let g = lookup[group] {
                    membership[f][r] = g
                } else {
                    let g = Int32(groups.count)
                    groups.append(group)
                    lookup[group] = g
                    membership[f][r] = g
                }
            }
        }
        self.groups = groups
        self.membership = membership
        let itemCount = items.items.count
        let codeTotal = items.codeTotal
        var n = [Int32](repeating: 0, count: groups.count * itemCount)
        var sum = [Double](repeating: 0, count: groups.count * itemCount)
        var squares = [Double](repeating: 0, count: groups.count * itemCount)
        var counts = [Int32](repeating: 0, count: groups.count * codeTotal)
        let offsets = items.codeOffset.map(Int32.init)
        // The hot loop: each row adds to "all" and to at most one group of each family.
        n.withUnsafeMutableBufferPointer { n in
            sum.withUnsafeMutableBufferPointer { sum in
                squares.withUnsafeMutableBufferPointer { squares in
                    counts.withUnsafeMutableBufferPointer { counts in
                        columns.respondent.withUnsafeBufferPointer { rs in
                            columns.item.withUnsafeBufferPointer { its in
                                columns.code.withUnsafeBufferPointer { cs in
                                    columns.value.withUnsafeBufferPointer { vs in
                                        membership[0].withUnsafeBufferPointer { m0 in
                                            membership[1].withUnsafeBufferPointer { m1 in
                                                membership[2].withUnsafeBufferPointer { m2 in
                                                    var previous: (Int32, Int32) = (-1, -1)
                                                    for row in 0..<rs.count {
                                                        let r = Int(rs[row]), item = its[row], code = cs[row],
                                                            value = vs[row]
                                                        let first = (rs[row], item) != previous
                                                        previous = (rs[row], item)
                                                        let hasValue = !value.isNaN
                                                        let codeAt = code >= 0 ? Int(offsets[Int(item)] + code) : -1
                                                        @inline(__always) func add(_ g: Int32) {
                                                            let cell = Int(g) * itemCount + Int(item)
                                                            if first { n[cell] += 1 }
                                                            if hasValue {
                                                                sum[cell] += value
                                                                squares[cell] += value * value
                                                            }
                                                            if codeAt >= 0 { counts[Int(g) * codeTotal + codeAt] += 1 }
                                                        }
                                                        add(0)
                                                        if m0[r] >= 0 { add(m0[r]) }
                                                        if m1[r] >= 0 { add(m1[r]) }
                                                        if m2[r] >= 0 { add(m2[r]) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.n = n
        self.sum = sum
        self.sumSquares = squares
        self.counts = counts
        self.hidden = []
        self.hidden = suppress()
    }

    private func suppress() -> [Bool] {
        let itemCount = items.items.count
        var hidden = [Bool](repeating: false, count: groups.count * itemCount)
        let k = Int32(threshold)
        var familyGroups: [[Int]] = Array(repeating: [], count: ComparisonGroup.families.count)
        for (g, group) in groups.enumerated() {
            if let f = ComparisonGroup.families.firstIndex(of: group.kind) { familyGroups[f].append(g) }
        }
        for item in 0..<itemCount {
            let total = n[item]
            if total < k {
                for g in groups.indices { hidden[g * itemCount + item] = true }
                continue
            }
            for members in familyGroups {
                var shown: [(g: Int, n: Int32)] = []
                var hiddenTotal = total
                for g in members {
                    let count = n[g * itemCount + item]
                    if count < k {
                        hidden[g * itemCount + item] = true
                    } else {
                        shown.append((g, count)); hiddenTotal -= count
                    }
                }
                // What is hidden (with those outside every group of the family) is "all" minus the shown groups.
                shown.sort { ($0.n, $0.g) < ($1.n, $1.g) }
                var next = 0
                while hiddenTotal > 0 && hiddenTotal < k && next < shown.count {
                    hidden[shown[next].g * itemCount + item] = true
                    hiddenTotal += shown[next].n
                    next += 1
                }
            }
        }
        return hidden
    }

    public func group(_ group: ComparisonGroup) -> Int? { groups.firstIndex(of: group) }

    /// One group's figures for one item.
    public struct Figures: Sendable, Equatable {
        public var n: Int
        public var counts: [Int]
        public var mean: Double?
        public var standardDeviation: Double?

        public var shares: [Double] { counts.map { n > 0 ? Double($0) / Double(n) : 0 } }

        public init(n: Int, counts: [Int], mean: Double?, standardDeviation: Double?) {
            self.n = n
            self.counts = counts
            self.mean = mean
            self.standardDeviation = standardDeviation
        }

        /// From an item's running totals: the sum and the sum of squares of the values give the mean
        /// and the sample standard deviation, where the item has a mean. Both kinds of results sum so.
        public init(n: Int, counts: [Int], sum: Double, squares: Double, hasMean: Bool) {
            var mean: Double?, sd: Double?
            if hasMean && n > 0 {
                let m = sum / Double(n)
                mean = m
                // Cancellation may leave a tiny negative for identical values.
                if n > 1 { sd = (Swift.max(0, squares - Double(n) * m * m) / Double(n - 1)).squareRoot() }
            }
            self.init(n: n, counts: counts, mean: mean, standardDeviation: sd)
        }
    }

    public func figures(group g: Int, item i: Int) -> Figures {
        let itemCount = items.items.count
        let cell = g * itemCount + i
        let count = Int(n[cell])
        let item = items.items[i]
        let start = g * items.codeTotal + items.codeOffset[i]
        let codes = (0..<item.codes.count).map { Int(counts[start + $0]) }
        return Figures(n: count, counts: codes, sum: sum[cell], squares: sumSquares[cell], hasMean: item.hasMean)
    }

    /// The figures of one respondent alone (a municipality's own answer).
    public func figures(respondent r: Int, item i: Int) -> Figures {
        let item = items.items[i]
        var counts = [Int](repeating: 0, count: item.codes.count)
        var answered = false
        var value: Double?
        for row in rows(of: r) where Int(columns.item[row]) == i {
            answered = true
            if columns.code[row] >= 0 { counts[Int(columns.code[row])] += 1 }
            if !columns.value[row].isNaN { value = columns.value[row] }
        }
        return Figures(n: answered ? 1 : 0, counts: counts, mean: item.hasMean ? value : nil, standardDeviation: nil)
    }

    private func rows(of r: Int) -> Range<Int> {
        let target = Int32(r)
        var low = 0, high = columns.count
        while low < high {
            let mid = (low + high) / 2; if columns.respondent[mid] < target { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < columns.count && columns.respondent[end] == target { end += 1 }
        return low..<end
    }

    // MARK: Who looks

    /// What one viewer knows besides the figures shown: the respondents who are their own (every
    /// unit they answer for or may view) and the groups of all of them. `respondent` is the one
    /// whose own answer is shown beside the groups.
    public struct Viewpoint: Sendable {
        public var respondent: Int?
        public var own: Set<Int>
        public var groups: [ComparisonGroup]

        public init(respondent: Int?, groups: [ComparisonGroup], own: Set<Int> = []) {
            self.respondent = respondent
            self.groups = groups
            self.own = own.union(respondent.map { [$0] } ?? [])
        }

        /// A respondent's own groups, most specific first, then all.
        public static func of(_ r: Int, in results: QuestionnaireResults) -> Viewpoint {
            Viewpoint(respondent: r, groups: groups(of: results.respondents[r]))
        }

        public static func groups(of respondent: Respondent) -> [ComparisonGroup] {
            var groups: [ComparisonGroup] = []
            if let c = respondent.cluster { groups.append(ComparisonGroup(.cluster, c)) }
            if let s = respondent.similar { groups.append(ComparisonGroup(.similar, s)) }
            if let region = respondent.region { groups.append(ComparisonGroup(.region, region)) }
            groups.append(.all)
            return groups
        }

        /// One view for a person who may see several units: what they know of each counts for
        /// all, so they cannot put two views side by side. `primary` is the unit on the page.
        public static func combining(_ views: [Viewpoint], primary: Int) -> Viewpoint {
            var groups: [ComparisonGroup] = []
            for group in ([views[primary]] + views).flatMap(\.groups) where group != .all && !groups.contains(group) {
                groups.append(group)
            }
            return Viewpoint(
                respondent: views[primary].respondent, groups: groups + [.all],
                own: views.reduce(into: Set<Int>()) { $0.formUnion($1.own) })
        }

        /// The public's anonymised view: all respondents only.
        public static let everyone = Viewpoint(respondent: nil, groups: [.all])
    }

    public struct Shown: Sendable, Equatable {
        public var group: ComparisonGroup
        /// nil when hidden: too few answers, or it would let one work out a small group.
        public var figures: Figures?
    }

    /// What the viewer may see of one item. Besides the global suppression, the groups shown to a
    /// viewer leave no one to work out fewer than the threshold: take away their own answers, and
    /// every part of the answers that the shown groups cut out (an "atom": inside exactly these of
    /// them, outside the rest) is empty or holds at least the threshold, so no sum or difference of
    /// what is shown, however combined, is about fewer people. Groups are added from the widest
    /// down; a narrower one that would cut out a small part is hidden. A question shown only after
    /// an answer to another shows a group only where that question does, since who answers it is
    /// itself an answer to the other.
    public func view(item i: Int, for viewpoint: Viewpoint) -> (own: Figures?, groups: [Shown]) {
        let shown = shownGroups(item: i, for: viewpoint)
        var own: Figures?
        if let r = viewpoint.respondent { own = figures(respondent: r, item: i) }
        return (
            own,
            viewpoint.groups.enumerated().map { position, group in
                Shown(group: group, figures: shown[position].map { figures(group: $0, item: i) })
            }
        )
    }

    /// Per position of the viewpoint's groups: the group's index where it is shown.
    func shownGroups(item i: Int, for viewpoint: Viewpoint) -> [Int?] {
        let itemCount = items.items.count
        let indices = viewpoint.groups.map { group($0) }
        let parent: [Int?]? = items.parent[i].map { shownGroups(item: $0, for: viewpoint) }
        // Every other answering respondent as a bit mask of the viewer's groups.
        var histogram: [Int: Int] = [:]
        var previous: Int32 = -1
        for row in 0..<columns.count where Int(columns.item[row]) == i {
            let r = columns.respondent[row]
            if r == previous { continue }
            previous = r
            if viewpoint.own.contains(Int(r)) { continue }
            var mask = 0
            for (bit, g) in indices.enumerated() {
                guard let g else { continue }
                if g == 0 || membership.contains(where: { $0[Int(r)] == Int32(g) }) { mask |= 1 << bit }
            }
            histogram[mask, default: 0] += 1
        }
        func size(_ bit: Int) -> Int { histogram.reduce(0) { $0 + ($1.key & (1 << bit) != 0 ? $1.value : 0) } }
        /// Whether every atom that these groups cut out is empty or large enough.
        func safe(_ shownBits: Int) -> Bool {
            var atoms: [Int: Int] = [:]
            for (mask, count) in histogram where mask & shownBits != 0 { atoms[mask & shownBits, default: 0] += count }
            return atoms.values.allSatisfy { $0 >= threshold }
        }
        let order = viewpoint.groups.indices.sorted { (size($0), $1) > (size($1), $0) }
        var shownBits = 0
        var shown = [Int?](repeating: nil, count: viewpoint.groups.count)
        for position in order {
            guard let g = indices[position], !hidden[g * itemCount + i] else { continue }
            if let parent, parent[position] == nil { continue }
            let bits = shownBits | 1 << position
            if safe(bits) {
                shownBits = bits
                shown[position] = g
            }
        }
        return shown
    }

    /// Text answers are listed without names only when, the viewer's own aside, at least the
    /// threshold wrote one.
    public func mayListTexts(count: Int, for viewpoint: Viewpoint) -> Bool {
        count - viewpoint.own.count >= threshold
    }
}
