import Foundation

/// The four Nordic countries of the directory, by lower-case ISO 3166 code.
public enum Country: String, CaseIterable, Codable, Sendable, Comparable {
    case dk, se, no, fi

    public static func < (a: Country, b: Country) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The time zone municipalities of the country show times in.
    public var timeZoneIdentifier: String {
        switch self {
        case .dk: "Europe/Copenhagen"
        case .se: "Europe/Stockholm"
        case .no: "Europe/Oslo"
        case .fi: "Europe/Helsinki"
        }
    }
}

/// A municipality's identity: its country and official code as a string (`dk/101`, `se/0180`).
public struct MunicipalityKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var country: Country
    public var code: String

    public init(_ country: Country, _ code: String) {
        self.country = country
        self.code = code
    }

    /// Parses `dk/101`.
    public init?(path: String) {
        let parts = path.split(separator: "/")
        guard parts.count == 2, let country = Country(rawValue: String(parts[0])) else { return nil }
        self.init(country, String(parts[1]))
    }

    public var description: String { "\(country.rawValue)/\(code)" }

    public static func < (a: MunicipalityKey, b: MunicipalityKey) -> Bool {
        (a.country, a.code) < (b.country, b.code)
    }
}

/// A municipality as the directory knows it, with the figures and their dates.
public struct Municipality: Codable, Sendable, Equatable {
    public var country: Country
    public var code: String
    public var name: String
    public var regionCode: String
    public var regionName: String
    public var population: Int
    /// The date the population was counted (ISO 8601 date).
    public var populationDate: String
    public var areaKm2: Double
    /// The population-weighted point.
    public var latitude: Double
    public var longitude: Double
    /// The national grouping: DST kommunegruppe (dk), SKR kommungrupp (se); nil where there is none.
    public var groupCode: String?
    public var groupName: String?
    /// Codes of the municipalities it borders.
    public var neighbours: [String]
    /// Codes of similar municipalities (Kolada "Liknande kommuner grundskola" in Sweden).
    public var similar: [String]

    public var key: MunicipalityKey { MunicipalityKey(country, code) }

    public init(
        country: Country, code: String, name: String, regionCode: String, regionName: String,
        population: Int, populationDate: String, areaKm2: Double, latitude: Double, longitude: Double,
        groupCode: String? = nil, groupName: String? = nil, neighbours: [String] = [], similar: [String] = []
    ) {
        self.country = country
        self.code = code
        self.name = name
        self.regionCode = regionCode
        self.regionName = regionName
        self.population = population
        self.populationDate = populationDate
        self.areaKm2 = areaKm2
        self.latitude = latitude
        self.longitude = longitude
        self.groupCode = groupCode
        self.groupName = groupName
        self.neighbours = neighbours
        self.similar = similar
    }

    /// Inhabitants per km², rounded to one decimal.
    public var density: Double {
        areaKm2 > 0 ? (Double(population) / areaKm2 * 10).rounded() / 10 : 0
    }
}

public enum Geography {
    /// Mean Earth radius (IUGG) in km.
    public static let earthRadiusKm = 6371.0088

    /// Great-circle distance in km between two points given in degrees.
    public static func haversineKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad
        let dLon = (lon2 - lon1) * rad
        let a = pow(sin(dLat / 2), 2) + cos(lat1 * rad) * cos(lat2 * rad) * pow(sin(dLon / 2), 2)
        return 2 * earthRadiusKm * asin(min(1, a.squareRoot()))
    }
}
