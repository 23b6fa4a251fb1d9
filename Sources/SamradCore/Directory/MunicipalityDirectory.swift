import Foundation

/// What a directory search asks for. Empty fields do not filter.
public struct MunicipalityQuery: Sendable, Equatable {
    public var country: Country?
    public var region: String?
    public var group: String?
    public var text: String?
    public var page: Int
    public var perPage: Int

    public static let maxPerPage = 500

    public init(
        country: Country? = nil, region: String? = nil, group: String? = nil, text: String? = nil, page: Int = 1,
        perPage: Int = 50
    ) {
        self.country = country
        self.region = region
        self.group = group
        self.text = text
        self.page = page
        self.perPage = perPage
    }
}

public struct MunicipalityPage: Sendable {
    public var items: [Municipality]
    public var total: Int
    public var page: Int
    public var perPage: Int
    public var pageCount: Int { max(1, (total + perPage - 1) / perPage) }
}

/// The directory held in memory: reference data that changes only on import, searched without the
/// database.
public struct MunicipalityDirectory: Sendable {
    public let all: [Municipality]
    private let byKey: [MunicipalityKey: Int]
    private let searchText: [String]
    private let byName: [String: [Int]]
    /// Regions and groups per country, sorted once: pages list them on every request.
    private let regionsByCountry: [Country: [(code: String, name: String)]]
    private let groupsByCountry: [Country: [(code: String, name: String)]]

    public init(_ municipalities: [Municipality]) {
        let keyed = municipalities.map { ($0, NordicCollation.key($0.name, $0.country)) }
        let sorted = keyed.sorted {
            $0.0.country != $1.0.country ? $0.0.country < $1.0.country : $0.1.lexicographicallyPrecedes($1.1)
        }.map(\.0)
        all = sorted
        var byKey: [MunicipalityKey: Int] = [:]
        for (i, m) in sorted.enumerated() { byKey[m.key] = i }
        self.byKey = byKey
        searchText = sorted.map { NordicCollation.fold($0.name) + " " + $0.code }
        var byName: [String: [Int]] = [:]
        for (i, m) in sorted.enumerated() { byName[NordicCollation.fold(m.name), default: []].append(i) }
        self.byName = byName
        var regions: [Country: [String: String]] = [:], groups: [Country: [String: String]] = [:]
        for m in sorted {
            regions[m.country, default: [:]][m.regionCode] = m.regionName
            if let code = m.groupCode { groups[m.country, default: [:]][code] = m.groupName ?? code }
        }
        regionsByCountry = Dictionary(
            uniqueKeysWithValues: regions.map { country, seen in
                (
                    country,
                    seen.map { (code: $0.key, name: $0.value, key: NordicCollation.key($0.value, country)) }
                        .sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { (code: $0.code, name: $0.name) }
                )
            })
        groupsByCountry = groups.mapValues { $0.map { (code: $0.key, name: $0.value) }.sorted { $0.code < $1.code } }
    }

    /// The municipalities of a name, compared without case and accents; "Aarhus Kommune" and
    /// "Lunds kommun" find Aarhus and Lund.
    public func named(_ name: String) -> [Municipality] {
        let folded = NordicCollation.fold(name.trimmingCharacters(in: .whitespaces))
        if let hits = byName[folded] { return hits.map { all[$0] } }
        // The word for municipality also tells the country: "Lunds kommun" is Lund in Sweden, not Norway.
        let suffixes: [(String, Set<Country>)] = [
            (" kommune", [.dk, .no]), ("s kommun", [.se]), (" kommun", [.se]),
            (" kunta", [.fi]), (" kaupunki", [.fi]),
        ]
        for (suffix, countries) in suffixes where folded.hasSuffix(suffix) {
            if let hits = byName[String(folded.dropLast(suffix.count))]?.map({ all[$0] }).filter({
                countries.contains($0.country)
            }),
                !hits.isEmpty
            {
                return hits
            }
        }
        return []
    }

    public subscript(key: MunicipalityKey) -> Municipality? {
        byKey[key].map { all[$0] }
    }

    public var count: Int { all.count }

    /// Where a municipality stands in the directory's order (country, then that country's alphabet):
    /// lists of municipalities sort by it instead of collating names again.
    public func order(of key: MunicipalityKey) -> Int { byKey[key] ?? Int.max }

    public func search(_ query: MunicipalityQuery) -> MunicipalityPage {
        let needle = query.text.map(NordicCollation.fold)?.trimmingCharacters(in: .whitespaces) ?? ""
        var matches: [Municipality] = []
        for (i, m) in all.enumerated() {
            if let country = query.country, m.country != country { continue }
            if let region = query.region, !region.isEmpty, m.regionCode != region { continue }
            if let group = query.group, !group.isEmpty, m.groupCode != group { continue }
            if !needle.isEmpty, !searchText[i].contains(needle) { continue }
            matches.append(m)
        }
        let perPage = min(max(query.perPage, 1), MunicipalityQuery.maxPerPage)
        let page = max(query.page, 1)
        let start = min((page - 1) * perPage, matches.count)
        let end = min(start + perPage, matches.count)
        return MunicipalityPage(items: Array(matches[start..<end]), total: matches.count, page: page, perPage: perPage)
    }

    /// Regions of a country (code, name), in name order.
    public func regions(of country: Country) -> [(code: String, name: String)] {
        regionsByCountry[country] ?? []
    }

    /// National groups of a country (code, name), in code order.
    public func groups(of country: Country) -> [(code: String, name: String)] {
        groupsByCountry[country] ?? []
    }

    /// Similar municipalities: the national list where the country has one (Kolada in Sweden),
    /// otherwise the members of the same national group nearest in population.
    public func similar(to m: Municipality, limit: Int = 7) -> [Municipality] {
        if !m.similar.isEmpty {
            return m.similar.compactMap { self[MunicipalityKey(m.country, $0)] }
        }
        guard let group = m.groupCode else { return [] }
        let logPopulation = log(Double(max(m.population, 1)))
        return all.filter { $0.country == m.country && $0.groupCode == group && $0.code != m.code }
            .sorted {
                abs(log(Double(max($0.population, 1))) - logPopulation)
                    < abs(log(Double(max($1.population, 1))) - logPopulation)
            }
            .prefix(limit).map { $0 }
    }

    public func neighbours(of m: Municipality) -> [Municipality] {
        m.neighbours.compactMap { self[MunicipalityKey(m.country, $0)] }
            .sorted { NordicCollation.ordered($0.name, $1.name, m.country) }
    }
}

/// Alphabetical order as each country writes it: Danish and Norwegian end with æ ø å, Swedish and
/// Finnish with å ä ö. Search ignores case and accents so "Malmo" finds Malmö and "Koge" finds Køge.
public enum NordicCollation {
    public static func key(_ name: String, _ country: Country) -> [UInt32] {
        let tail: [Character: UInt32]
        switch country {
        case .dk, .no: tail = ["æ": 1, "ä": 1, "ø": 2, "ö": 2, "å": 3]
        case .se, .fi: tail = ["å": 1, "ä": 2, "æ": 2, "ö": 3, "ø": 3]
        }
        var result: [UInt32] = []
        for character in name.lowercased() {
            if let rank = tail[character] {
                result.append(0x10000 + rank)
            } else {
                let folded = String(character).folding(options: [.diacriticInsensitive], locale: nil)
                for scalar in folded.unicodeScalars where !CharacterSet.punctuationCharacters.contains(scalar) {
                    result.append(scalar.value)
                }
            }
        }
        return result
    }

    public static func ordered(_ a: String, _ b: String, _ country: Country) -> Bool {
        key(a, country).lexicographicallyPrecedes(key(b, country))
    }

    public static func fold(_ text: String) -> String {
        text.lowercased()
            .replacingOccurrences(of: "ø", with: "o")
            .replacingOccurrences(of: "æ", with: "ae")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
    }
}
