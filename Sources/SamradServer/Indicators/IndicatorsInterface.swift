import Foundation
import SamradCore

// What Indicators offers other features: the snapshot of every value (a local dialogue sets its
// goals against it).

/// Every indicator value in memory, one table per indicator and country, so that a dashboard of
/// forty indicators with all its comparison groups is arithmetic, not queries. Reloaded when the
/// data version in the database moves (an import, a catalogue edit, a new school), which any
/// instance sees with one small query.
struct IndicatorSnapshot: Sendable {
    var version: Int
    var catalogue: [Indicator]
    var byCode: [String: Indicator]
    /// Published statistics: "code|country".
    var tables: [String: IndicatorTable]
    /// A municipality's own figures ("dk/751"), by indicator.
    var privates: [String: [String: [Observation]]]
    var schools: [String: SchoolInfo]
    var schoolsOf: [MunicipalityKey: [SchoolInfo]]
    var observationCount: Int

    static let empty = IndicatorSnapshot(
        version: -1, catalogue: [], byCode: [:], tables: [:], privates: [:], schools: [:], schoolsOf: [:],
        observationCount: 0)

    func table(_ code: String, _ country: Country) -> IndicatorTable? { tables["\(code)|\(country.rawValue)"] }

    func school(_ country: Country, _ code: String) -> SchoolInfo? { schools["\(country.rawValue)/\(code)"] }

    /// The catalogue entries measured for this level in this country.
    func indicators(for level: IndicatorLevel, in country: Country) -> [Indicator] {
        catalogue.filter { $0.level == level && ($0.country == nil || $0.country == country) }
    }
}
