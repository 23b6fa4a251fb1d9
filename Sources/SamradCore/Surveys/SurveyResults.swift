import Foundation

/// Where a survey's units belong: each unit is a school of a municipality, or the part of a
/// municipality's respondents that named no school, or those of no municipality (a meeting's
/// participants from an association); each municipality lies in a region and perhaps a national
/// grouping (similar municipalities) and a cluster of the collaboration. Keys are the server's
/// ("dk/1084", "se/B5", a cluster id, a school's "dk/280017").
public struct SurveyGrouping: Sendable {
    public struct Place: Sendable, Hashable {
        public var municipality: MunicipalityKey?
        public var region: String?
        public var similar: String?
        public var cluster: String?

        public init(municipality: MunicipalityKey?, region: String?, similar: String? = nil, cluster: String? = nil) {
            self.municipality = municipality
            self.region = region
            self.similar = similar
            self.cluster = cluster
        }
    }

    /// Per unit: its school's key (nil for a municipality's respondents outside its schools) and
    /// its place.
    public var schools: [String?] = []
    public var places: [Place] = []

    public init() {}

    public mutating func add(school: String?, place: Place) {
        schools.append(school)
        places.append(place)
    }

    public var count: Int { schools.count }
}

public enum SurveyGroupKind: String, CaseIterable, Codable, Sendable {
    case school, municipality, cluster, similar, region, country
    /// Every respondent, of any country or none.
    case all
}

public struct SurveyGroup: Hashable, Sendable, CustomStringConvertible {
    public var kind: SurveyGroupKind
    public var key: String

    public init(_ kind: SurveyGroupKind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    public static func municipality(_ key: MunicipalityKey) -> SurveyGroup {
        SurveyGroup(.municipality, key.description)
    }
    public static func country(_ country: Country) -> SurveyGroup { SurveyGroup(.country, country.rawValue) }
    public static let all = SurveyGroup(.all, "all")

    public var description: String { "\(kind.rawValue):\(key)" }
}

/// A survey's results per school, municipality, cluster, similar municipalities, region, country and
/// all respondents, summed from the tally's units, with the groups that may be shown worked out once for every
/// viewer. Who may look at which groups is the server's policy; what any group shows is decided
/// here, the same for all, so that nothing put side by side by several viewers (or by one who sees
/// many groups) is about fewer people than the threshold:
/// - a group with fewer answers than the threshold is hidden (primary suppression);
/// - where a shown group is made up of smaller ones (a municipality of its schools and of those who
///   named none, a region, cluster, grouping or country of its municipalities, a country of its
///   regions, clusters or groupings), what is hidden inside it adds up to none or to the threshold,
///   so subtracting the shown parts reveals no small group; a group hidden though large enough keeps
///   at least the threshold hidden inside it, so it cannot be added up from its parts;
/// - last, every part that the shown groups cut out of the respondents (an atom: inside exactly
///   these groups, outside the rest) holds none or at least the threshold, so no sum or difference
///   of shown figures, however combined, is about fewer people. Any viewer sees some of the shown
///   groups; their atoms are unions of these, so the rule holds for every viewer.
/// A question shown only after an answer to another shows a group only where that one does, since
/// who answers it is itself an answer to the other.
public struct SurveyResults: Sendable {
    public let items: ResultItems
    public let threshold: Int
    public let groups: [SurveyGroup]
    let index: [SurveyGroup: Int]
    /// The levels of `SurveyGroupKind` per unit: its group's index, -1 for none.
    let unitGroups: [[Int32]]
    /// Per group × item.
    var n: [Int32]
    var sum: [Double]
    var squares: [Double]
    /// Per group × code.
    var counts: [Int32]
    /// Per group × item.
    public private(set) var hidden: [Bool]
    /// Per unit × item: who answered.
    let unitN: [Int32]
    /// Records counted.
    public let records: Int

    static let levels = SurveyGroupKind.allCases

    public init(tally: SurveyTally, grouping: SurveyGrouping, threshold: Int) {
        items = tally.layout.items
        self.threshold = threshold
        records = tally.records
        var groups: [SurveyGroup] = []
        var index: [SurveyGroup: Int] = [:]
        var unitGroups = Array(repeating: [Int32](repeating: -1, count: grouping.count), count: Self.levels.count)
        func group(_ kind: SurveyGroupKind, _ key: String?) -> Int32 {
            guard let key else { return -1 }
            let g = SurveyGroup(kind, key)
            if let found = index[g] { return Int32(found) }
            index[g] = groups.count
            groups.append(g)
            return Int32(groups.count - 1)
        }
        for (u, place) in grouping.places.enumerated() {
            unitGroups[0][u] = group(.school, grouping.schools[u])
            unitGroups[1][u] = group(.municipality, place.municipality?.description)
            unitGroups[2][u] = group(.cluster, place.cluster)
            unitGroups[3][u] = group(.similar, place.similar)
            unitGroups[4][u] = group(.region, place.region)
            unitGroups[5][u] = group(.country, place.municipality?.country.rawValue)
            unitGroups[6][u] = group(.all, "all")
        }
        self.groups = groups
        self.index = index
        self.unitGroups = unitGroups
        let itemCount = items.items.count, codeTotal = items.codeTotal
        var n = [Int32](repeating: 0, count: groups.count * itemCount)
        var sum = [Double](repeating: 0, count: groups.count * itemCount)
        var squares = [Double](repeating: 0, count: groups.count * itemCount)
        var counts = [Int32](repeating: 0, count: groups.count * codeTotal)
        // Each unit's block is added to the group of each level it has: units × levels × (items + codes).
        for u in 0..<min(grouping.count, tally.unitCount) {
            let from = u * itemCount, fromCodes = u * codeTotal
            for level in unitGroups {
                let g = Int(level[u])
                guard g >= 0 else { continue }
                let to = g * itemCount, toCodes = g * codeTotal
                for i in 0..<itemCount {
                    n[to + i] += tally.n[from + i]
                    sum[to + i] += tally.sum[from + i]
                    squares[to + i] += tally.squares[from + i]
                }
                for c in 0..<codeTotal { counts[toCodes + c] += tally.counts[fromCodes + c] }
            }
        }
        self.n = n
        self.sum = sum
        self.squares = squares
        self.counts = counts
        hidden = []
        var unitN = [Int32](repeating: 0, count: grouping.count * itemCount)
        for u in 0..<min(grouping.count, tally.unitCount) {
            for i in 0..<itemCount { unitN[u * itemCount + i] = tally.n[u * itemCount + i] }
        }
        self.unitN = unitN
        var hidden = [Bool](repeating: true, count: groups.count * itemCount)
        let relations = Self.relations(unitGroups)
        for i in 0..<itemCount {
            let parentHidden = items.parent[i].map { p in groups.indices.map { hidden[$0 * itemCount + p] } }
            let answered = (0..<grouping.count).map { unitN[$0 * itemCount + i] }
            let shown = suppress(item: i, unitN: answered, parentHidden: parentHidden, relations: relations)
            for g in groups.indices { hidden[g * itemCount + i] = !shown[g] }
        }
        self.hidden = hidden
    }

    /// The parts a group is made up of, beside those who are in none of them.
    struct Relation {
        var whole: Int
        var parts: [Int]
    }

    /// Every way a group is made up of smaller ones: a municipality of its schools; a cluster,
    /// grouping, region or country of its municipalities; a country of its clusters, groupings or
    /// regions; all respondents of their countries. Each is a partition of the whole, but for those
    /// in none of its parts.
    static func relations(_ unitGroups: [[Int32]]) -> [Relation] {
        struct Key: Hashable { var whole: Int32; var level: Int }
        var parts: [Key: Set<Int32>] = [:]
        for u in unitGroups[0].indices {
            let municipality = unitGroups[1][u], country = unitGroups[5][u], all = unitGroups[6][u]
            if country >= 0 { parts[Key(whole: all, level: 5), default: []].insert(country) }
            guard municipality >= 0 else { continue }
            if unitGroups[0][u] >= 0 { parts[Key(whole: municipality, level: 0), default: []].insert(unitGroups[0][u]) }
            for level in 2...5 where unitGroups[level][u] >= 0 {
                parts[Key(whole: unitGroups[level][u], level: 1), default: []].insert(municipality)
            }
            for level in 2...4 where unitGroups[level][u] >= 0 {
                parts[Key(whole: country, level: level), default: []].insert(unitGroups[level][u])
            }
        }
        return parts.sorted { ($0.key.whole, $0.key.level) < ($1.key.whole, $1.key.level) }.map {
            Relation(whole: Int($0.key.whole), parts: $0.value.sorted().map(Int.init))
        }
    }

    /// Which groups show one item.
    private func suppress(item i: Int, unitN: [Int32], parentHidden: [Bool]?, relations: [Relation]) -> [Bool] {
        let itemCount = items.items.count
        let k = Int32(threshold)
        let size = groups.indices.map { n[$0 * itemCount + i] }
        var shown = size.map { $0 >= k }
        if let parentHidden { for g in groups.indices where parentHidden[g] { shown[g] = false } }
        /// Hides the smallest shown part that holds anyone; false when none is left.
        func hideSmallest(of parts: [Int]) -> Bool {
            guard let part = parts.filter({ shown[$0] && size[$0] > 0 }).min(by: { (size[$0], $0) < (size[$1], $1) })
            else { return false }
            shown[part] = false
            return true
        }
        while true {
            var changed = false
            for relation in relations {
                let hiddenInside = relation.parts.reduce(size[relation.whole]) { $0 - (shown[$1] ? size[$1] : 0) }
                if shown[relation.whole] {
                    if hiddenInside > 0 && hiddenInside < k { changed = hideSmallest(of: relation.parts) || changed }
                } else if size[relation.whole] >= k && hiddenInside < k {
                    changed = hideSmallest(of: relation.parts) || changed
                }
            }
            if changed { continue }
            // The atoms of what is shown: units keyed by their shown groups.
            var atoms: [[Int32]: (n: Int32, units: [Int])] = [:]
            for u in unitN.indices where unitN[u] > 0 {
                let key = unitGroups.map { level -> Int32 in level[u] >= 0 && shown[Int(level[u])] ? level[u] : -1 }
                atoms[key, default: (0, [])].n += unitN[u]
                atoms[key, default: (0, [])].units.append(u)
            }
            for (key, atom) in atoms.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) })
            where atom.n > 0 && atom.n < k {
                // The finest shown group around it goes, so it joins a larger atom.
                let around = key.filter { $0 >= 0 }.map(Int.init)
                if let finest = around.min(by: { (size[$0], $0) < (size[$1], $1) }) {
                    shown[finest] = false
                    changed = true
                    break
                }
            }
            if !changed { return shown }
        }
    }

    public func group(_ group: SurveyGroup) -> Int? { index[group] }

    /// The figures of one group for one item; nil where the group is hidden or has no respondents.
    public func figures(_ group: SurveyGroup, item i: Int) -> QuestionnaireResults.Figures? {
        guard let g = index[group] else { return nil }
        let itemCount = items.items.count, cell = g * itemCount + i
        guard !hidden[cell] else { return nil }
        let count = Int(n[cell])
        let item = items.items[i]
        let start = g * items.codeTotal + items.codeOffset[i]
        let codes = (0..<item.codes.count).map { Int(counts[start + $0]) }
        return QuestionnaireResults.Figures(
            n: count, counts: codes, sum: sum[cell], squares: squares[cell], hasMean: item.hasMean)
    }

    /// How many answered one item in a group, as far as it may be said: nil when hidden.
    public func answered(_ group: SurveyGroup, item i: Int) -> Int? { figures(group, item: i)?.n }

    /// The respondents of a group that may be told: the most who answered any item shown in it.
    public func respondents(_ group: SurveyGroup) -> Int? {
        guard let g = index[group] else { return nil }
        let itemCount = items.items.count
        return (0..<itemCount).compactMap { hidden[g * itemCount + $0] ? nil : Int(n[g * itemCount + $0]) }.max()
    }
}
