import Foundation

/// All values of one indicator in one country as the comparisons read them: units × years, with
/// each year's mean and ordered values worked out once, so a dashboard's ranks cost a binary search.
public struct IndicatorTable: Sendable {
    public struct Cell: Sendable, Equatable {
        public var value: Double?
        public var status: ObservationStatus
        public var pupils: Int?

        public static let none = Cell(value: nil, status: .missing, pupils: nil)

        public init(value: Double?, status: ObservationStatus, pupils: Int? = nil) {
            self.value = value
            self.status = status
            self.pupils = pupils
        }

        /// A value that counts in means and ranks.
        public var reported: Double? { status == .reported ? value : nil }
    }

    public let indicator: String
    public let years: [Int]
    public let units: [String]
    public let unitIndex: [String: Int]
    private let yearIndex: [Int: Int]
    private let cells: [Cell]
    /// Per year: the reported values in ascending order.
    private let ordered: [[Double]]

    public init(indicator: String, observations: [Observation]) {
        self.indicator = indicator
        let years = Array(Set(observations.map(\.year))).sorted()
        var unitIndex: [String: Int] = [:]
        var units: [String] = []
        for o in observations where unitIndex[o.unit.code] == nil {
            unitIndex[o.unit.code] = units.count
            units.append(o.unit.code)
        }
        var yearIndex: [Int: Int] = [:]
        for (i, y) in years.enumerated() { yearIndex[y] = i }
        var cells = [Cell](repeating: .none, count: units.count * years.count)
        for o in observations {
            cells[unitIndex[o.unit.code]! * years.count + yearIndex[o.year]!] = Cell(
                value: o.value, status: o.status, pupils: o.pupils)
        }
        var ordered: [[Double]] = Array(repeating: [], count: years.count)
        for u in 0..<units.count {
            for y in 0..<years.count { if let v = cells[u * years.count + y].reported { ordered[y].append(v) } }
        }
        for y in 0..<years.count { ordered[y].sort() }
        self.years = years
        self.units = units
        self.unitIndex = unitIndex
        self.yearIndex = yearIndex
        self.cells = cells
        self.ordered = ordered
    }

    public func cell(_ unit: String, _ year: Int) -> Cell {
        guard let u = unitIndex[unit], let y = yearIndex[year] else { return .none }
        return cells[u * years.count + y]
    }

    func cell(unitIndex u: Int, yearIndex y: Int) -> Cell { cells[u * years.count + y] }

    /// The mean of every reported value in a year, and how many there are.
    public func mean(_ year: Int) -> (mean: Double, count: Int)? {
        guard let y = yearIndex[year], !ordered[y].isEmpty else { return nil }
        return (ordered[y].reduce(0, +) / Double(ordered[y].count), ordered[y].count)
    }

    /// 1 for the best; units with the same value share a rank. Nil when the unit has no reported value.
    public func rank(_ unit: String, _ year: Int, direction: IndicatorDirection) -> (rank: Int, of: Int)? {
        guard let value = cell(unit, year).reported else { return nil }
        return rank(value: value, year, direction: direction)
    }

    /// Where a value would stand among the year's reported values.
    public func rank(value: Double, _ year: Int, direction: IndicatorDirection) -> (rank: Int, of: Int)? {
        guard let y = yearIndex[year] else { return nil }
        let values = ordered[y]
        // Count of values strictly better than this one, by binary search in the ascending list.
        var low = 0, high = values.count
        if direction == .lowerIsBetter {
            while low < high {
                let mid = (low + high) / 2; if values[mid] < value { low = mid + 1 } else { high = mid }
            }
            return (low + 1, values.count)
        }
        while low < high { let mid = (low + high) / 2; if values[mid] <= value { low = mid + 1 } else { high = mid } }
        return (values.count - low + 1, values.count)
    }

    /// The unweighted mean of the members' reported values in a year (as Kolada's "ovägt medel").
    public func mean(of members: [Int], _ year: Int) -> (mean: Double, count: Int)? {
        guard let y = yearIndex[year] else { return nil }
        var sum = 0.0, count = 0
        for u in members { if let v = cells[u * years.count + y].reported { sum += v; count += 1 } }
        return count == 0 ? nil : (sum / Double(count), count)
    }

    public func indices(of codes: [String]) -> [Int] { codes.compactMap { unitIndex[$0] } }
}

/// Whom a municipality or school is compared with.
public enum PeerKind: String, CaseIterable, Codable, Sendable {
    /// The other members of its cluster in a collaboration.
    case cluster
    /// Its similar municipalities (Kolada's list in Sweden, the nearest in size of its DST group in Denmark).
    case similar
    /// The other schools of its municipality.
    case municipality
    case region
    /// Every unit of the country with a value.
    case country
}

public struct PeerGroup: Sendable, Equatable {
    public var kind: PeerKind
    public var label: String
    /// Unit codes; the country group lists none and means every unit.
    public var members: [String]

    public init(_ kind: PeerKind, label: String, members: [String] = []) {
        self.kind = kind
        self.label = label
        self.members = members
    }
}

/// Whether a change is more than chance would give, and the 95 % interval of the difference.
public enum ChangeVerdict: String, Sendable, Equatable {
    case beyondChance = "beyond_chance"
    case withinChance = "within_chance"
    /// The number of pupils is not known for both years.
    case noPupils = "no_pupils"
    /// The pupils are counted but the spread of single results is not known (a mean).
    case noSpread = "no_spread"
}

public struct Change: Sendable, Equatable {
    public var fromYear: Int
    public var toYear: Int
    public var difference: Double
    public var interval: ClosedRange<Double>?
    public var verdict: ChangeVerdict
    /// Better, worse or (nil) neither by the indicator's direction.
    public var improved: Bool?
}

/// The statistics behind "larger than chance would explain". A year's pupils are treated as a
/// draw from what the school system produces, so two cohorts can differ by chance alone.
public enum ChangeTest {
    public static let z95 = 1.959964

    /// The difference of two shares (per cent) in percentage points, with the Agresti-Caffo
    /// interval: one success and one failure added to each year, which keeps the interval honest
    /// for shares near 0 or 100 and for small numbers of pupils.
    public static func shares(from p1: Double, pupils n1: Int, to p2: Double, pupils n2: Int) -> ClosedRange<Double> {
        let x1 = p1 / 100 * Double(n1), x2 = p2 / 100 * Double(n2)
        let q1 = (x1 + 1) / Double(n1 + 2), q2 = (x2 + 1) / Double(n2 + 2)
        let se = (q1 * (1 - q1) / Double(n1 + 2) + q2 * (1 - q2) / Double(n2 + 2)).squareRoot()
        let centre = q2 - q1
        return ((centre - z95 * se) * 100)...((centre + z95 * se) * 100)
    }

    /// The difference of two means with a known spread of single pupils' results.
    public static func means(
        from m1: Double, pupils n1: Int, to m2: Double, pupils n2: Int, standardDeviation sd: Double
    ) -> ClosedRange<Double> {
        let se = sd * (1 / Double(n1) + 1 / Double(n2)).squareRoot()
        let d = m2 - m1
        return (d - z95 * se)...(d + z95 * se)
    }

    public static func change(
        _ indicator: Indicator, from a: (year: Int, cell: IndicatorTable.Cell),
        to b: (year: Int, cell: IndicatorTable.Cell)
    ) -> Change? {
        guard let v1 = a.cell.reported, let v2 = b.cell.reported else { return nil }
        let d = v2 - v1
        let improved: Bool? =
            (indicator.direction == .neutral || d == 0) ? nil : indicator.direction.better(v2, than: v1)
        guard let n1 = a.cell.pupils, let n2 = b.cell.pupils, n1 > 0, n2 > 0 else {
            return Change(
                fromYear: a.year, toYear: b.year, difference: d, interval: nil, verdict: .noPupils, improved: improved)
        }
        let interval: ClosedRange<Double>
        if indicator.unit.isShare {
            interval = shares(from: v1, pupils: n1, to: v2, pupils: n2)
        } else if let sd = indicator.pupilStandardDeviation {
            interval = means(from: v1, pupils: n1, to: v2, pupils: n2, standardDeviation: sd)
        } else {
            return Change(
                fromYear: a.year, toYear: b.year, difference: d, interval: nil, verdict: .noSpread, improved: improved)
        }
        let beyond = interval.lowerBound > 0 || interval.upperBound < 0
        return Change(
            fromYear: a.year, toYear: b.year, difference: d, interval: interval,
            verdict: beyond ? .beyondChance : .withinChance, improved: improved)
    }
}

/// One indicator for one unit: its series beside the groups' means, its rank, and its changes.
public struct IndicatorComparison: Sendable {
    public struct Year: Sendable, Equatable {
        public var year: Int
        public var own: IndicatorTable.Cell
        /// Per group (in the order of `groups`): the mean and how many values it is made of.
        public var means: [Double?]
        public var counts: [Int]
        public var rank: Int?
        public var ranked: Int
    }

    public var indicator: Indicator
    public var unit: String
    public var groups: [PeerGroup]
    public var years: [Year]
    /// The latest year with a reported value against the year before it.
    public var yearOnYear: Change?
    /// The first reported year against the latest.
    public var overPeriod: Change?

    public var latest: Year? { years.last { $0.own.reported != nil } }

    /// `own`: the unit's own figures where they stand in for the published ones (a municipality's
    /// private imports, shown only to itself and never in others' means).
    public init(
        _ table: IndicatorTable, indicator: Indicator, unit: String, groups: [PeerGroup],
        own: [Int: IndicatorTable.Cell] = [:]
    ) {
        self.indicator = indicator
        self.unit = unit
        self.groups = groups
        let members = groups.map { $0.kind == .country ? nil : table.indices(of: $0.members) }
        var years: [Year] = []
        let allYears = own.isEmpty ? table.years : Array(Set(table.years).union(own.keys)).sorted()
        years.reserveCapacity(allYears.count)
        for year in allYears {
            var means: [Double?] = [], counts: [Int] = []
            for m in members {
                let mean = m.map { table.mean(of: $0, year) } ?? table.mean(year)
                means.append(mean?.mean)
                counts.append(mean?.count ?? 0)
            }
            let cell = own[year] ?? table.cell(unit, year)
            let rank = cell.reported.flatMap { table.rank(value: $0, year, direction: indicator.direction) }
            years.append(
                Year(
                    year: year, own: cell, means: means, counts: counts, rank: rank?.rank,
                    ranked: rank?.of ?? table.mean(year)?.count ?? 0))
        }
        self.years = years
        let reported = years.filter { $0.own.reported != nil }
        if let last = reported.last, let previous = years.last(where: { $0.year == last.year - 1 }),
            previous.own.reported != nil
        {
            yearOnYear = ChangeTest.change(indicator, from: (previous.year, previous.own), to: (last.year, last.own))
        }
        if let first = reported.first, let last = reported.last, first.year != last.year {
            overPeriod = ChangeTest.change(indicator, from: (first.year, first.own), to: (last.year, last.own))
        }
    }
}
