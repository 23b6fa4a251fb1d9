import Foundation

/// Whether a value was published. Suppressed and missing values are shown as such and never count
/// as zero; an approximate one (Skolverket's "~100": one to four pupils short of all) is shown but
/// left out of means and ranks.
public enum ObservationStatus: String, CaseIterable, Codable, Sendable {
    case reported, suppressed, missing, approximate

    /// Statistics offices' flags: ".." too few pupils, "." missing, "~100" about 100.
    public init?(flag: String) {
        switch flag.trimmedSpaces {
        case "..", "OMITTED_DUE_TO_BASED_ON_FEW_PUPILS", "suppressed": self = .suppressed
        case ".", "-", "MISSING", "missing", "Missing", "TEACHERS_EXCLUDED_DUE_TO_NO_REQUIRED_LEGITIMATION":
            self = .missing
        case "~100", "ROUNDED_OFF_DUE_TO_FEW_PUPILS_NOT_ELIGIBLE", "approximate": self = .approximate
        default: return nil
        }
    }

    /// Flags that mean "published as it stands".
    public static func meansReported(_ flag: String) -> Bool {
        let trimmed = flag.trimmedSpaces
        return trimmed.isEmpty || trimmed == "EXISTS"
    }
}

/// A municipality (`dk/751`) or a school (`se/10035236`) that indicators are measured for.
public struct UnitKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var level: IndicatorLevel
    public var country: Country
    public var code: String

    public init(_ level: IndicatorLevel, _ country: Country, _ code: String) {
        self.level = level
        self.country = country
        self.code = code
    }

    public init(_ municipality: MunicipalityKey) {
        self.init(.municipality, municipality.country, municipality.code)
    }

    public var description: String { "\(level.rawValue):\(country.rawValue)/\(code)" }

    public static func < (a: UnitKey, b: UnitKey) -> Bool {
        (a.level.rawValue, a.country, a.code) < (b.level.rawValue, b.country, b.code)
    }
}

/// One value of one indicator for one unit in one year (the year a school year ends in).
public struct Observation: Sendable, Equatable {
    public var indicator: String
    public var unit: UnitKey
    public var year: Int
    public var value: Double?
    public var status: ObservationStatus
    /// The number of pupils the value is about, where known.
    public var pupils: Int?

    public init(
        indicator: String, unit: UnitKey, year: Int, value: Double?, status: ObservationStatus, pupils: Int? = nil
    ) {
        self.indicator = indicator
        self.unit = unit
        self.year = year
        self.value = value
        self.status = status
        self.pupils = pupils
    }
}
