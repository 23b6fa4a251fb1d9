import Fluent
import Foundation
import SamradCore
import Vapor

/// A catalogue entry as stored; `built_in` ones come with the shipped data set.
final class IndicatorRecord: Model, @unchecked Sendable {
    static let schema = "indicators"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name_da") var nameDa: String
    @Field(key: "name_sv") var nameSv: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "unit") var unit: String
    @Field(key: "direction") var direction: String
    @Field(key: "level") var level: String
    @Field(key: "category") var category: String
    @OptionalField(key: "country") var country: String?
    @Field(key: "source") var source: String
    @Field(key: "licence") var licence: String
    @Field(key: "decimals") var decimals: Int
    @OptionalField(key: "pupil_sd") var pupilSD: Double?
    @Field(key: "built_in") var builtIn: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var indicator: Indicator? {
        guard let unit = IndicatorUnit(rawValue: unit), let direction = IndicatorDirection(rawValue: direction),
            let level = IndicatorLevel(rawValue: level), let category = IndicatorCategory(rawValue: category)
        else { return nil }
        return Indicator(
            code: code, names: [.da: nameDa, .sv: nameSv, .en: nameEn], unit: unit, direction: direction, level: level,
            category: category, country: country.flatMap(Country.init(rawValue:)), source: source, licence: licence,
            decimals: decimals, pupilStandardDeviation: pupilSD)
    }

    func apply(_ i: Indicator) {
        code = i.code
        nameDa = i.name(.da)
        nameSv = i.name(.sv)
        nameEn = i.name(.en)
        unit = i.unit.rawValue
        direction = i.direction.rawValue
        level = i.level.rawValue
        category = i.category.rawValue
        country = i.country?.rawValue
        source = i.source
        licence = i.licence
        decimals = i.decimals
        pupilSD = i.pupilStandardDeviation
    }
}

/// A unit under a municipality: a school, e.g. Grimstaskolan (se/44227469) in Upplands Väsby, or a
/// day-care unit (dagtilbud, förskola). Codes are unique per country across both kinds.
final class School: Model, @unchecked Sendable {
    static let schema = "schools"

    @ID(key: .id) var id: UUID?
    @Field(key: "country") var country: String
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// `IndicatorLevel.school` or `.dayCare`.
    @Field(key: "kind") var kind: String
    @Field(key: "municipality_code") var municipalityCode: String
    @OptionalField(key: "organiser_type") var organiserType: String?
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var municipality: MunicipalityKey? { Country(rawValue: country).map { MunicipalityKey($0, municipalityCode) } }
    var href: String { "/schools/\(country)/\(code)" }
    var level: IndicatorLevel { IndicatorLevel(rawValue: kind).flatMap { $0.isUnit ? $0 : nil } ?? .school }
}

/// One import of observations: who, from what, how it went, and the problems of its rejected rows.
final class ObservationImportRecord: Model, @unchecked Sendable {
    static let schema = "observation_imports"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    /// "" for published statistics, or the municipality the values are private to.
    @Field(key: "scope") var scope: String
    @Field(key: "file_name") var fileName: String
    /// csv, kolada or shipped.
    @Field(key: "format") var format: String
    @Field(key: "country") var country: String
    @Field(key: "level") var level: String
    /// running, done, rejected (bad rows, nothing written) or failed.
    @Field(key: "status") var status: String
    @Field(key: "rows") var rows: Int
    @Field(key: "imported") var imported: Int
    @Field(key: "rejected") var rejected: Int
    @Field(key: "skip_bad_rows") var skipBadRows: Bool
    /// Kept in an object: PostgreSQL would store a bare array as jsonb[].
    @Field(key: "problems") var problemList: ProblemList
    var problems: [RowProblem] {
        get { problemList.items }
        set { problemList = ProblemList(items: newValue) }
    }
    @OptionalField(key: "message") var message: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// How far a running import has come, as its instance last wrote it (PostgreSQL: any instance
    /// may show the status page).
    @OptionalField(key: "progress_phase") var progressPhase: String?
    @OptionalField(key: "progress_done") var progressDone: Int?
    @OptionalField(key: "progress_total") var progressTotal: Int?

    init() {}

    var href: String { "/indicators/imports/\(id!.uuidString.lowercased())" }
}

struct ProblemList: Codable, Sendable { var items: [RowProblem] }

/// A file waiting for its column mapping.
final class ImportUpload: Model, @unchecked Sendable {
    static let schema = "import_uploads"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "format") var format: String
    @Field(key: "content") var content: Data
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A person's mapping for files with one header, to read the next such file the same way.
final class ImportMappingRecord: Model, @unchecked Sendable {
    static let schema = "import_mappings"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "signature") var signature: String
    @Field(key: "mapping") var mapping: ImportMapping
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The header as one string: columns in order, separated by a unit separator.
    static func signature(format: String, header: [String]) -> String {
        String((format + "\u{1F}" + header.joined(separator: "\u{1F}")).prefix(2_000))
    }
}

/// A collaboration asking its municipalities to set goals on chosen indicators.
final class GoalRequest: Model, @unchecked Sendable {
    static let schema = "goal_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "indicators") var indicators: [String]
    @Field(key: "message") var message: String
    @OptionalField(key: "due_on") var dueOn: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A target a municipality or one of its schools sets for an indicator.
final class Goal: Model, @unchecked Sendable {
    static let schema = "goals"

    @ID(key: .id) var id: UUID?
    @Field(key: "level") var level: String
    @Field(key: "country") var country: String
    @Field(key: "unit_code") var unitCode: String
    /// The municipality that keeps the goal (the school's, for a school).
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "indicator") var indicator: String
    @Field(key: "baseline_year") var baselineYear: Int
    @Field(key: "baseline_value") var baselineValue: Double
    @Field(key: "target_year") var targetYear: Int
    @Field(key: "target_value") var targetValue: Double
    @Field(key: "reason") var reason: String
    /// Who owns the goal: a name or a role, as the municipality writes it.
    @Field(key: "owner") var owner: String
    @OptionalField(key: "request_id") var requestID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var unit: UnitKey? {
        guard let level = IndicatorLevel(rawValue: level), let country = Country(rawValue: country) else { return nil }
        return UnitKey(level, country, unitCode)
    }
}

/// A next step agreed in a school development dialogue, shown again the year after.
final class NextStep: Model, @unchecked Sendable {
    static let schema = "next_steps"

    @ID(key: .id) var id: UUID?
    @Field(key: "level") var level: String
    @Field(key: "country") var country: String
    @Field(key: "unit_code") var unitCode: String
    @Field(key: "municipality_code") var municipalityCode: String
    /// The year of the dialogue it was agreed in.
    @Field(key: "year") var year: Int
    @Field(key: "text") var text: String
    @Field(key: "responsible") var responsible: String
    @OptionalField(key: "follow_up") var followUp: String?
    /// agreed, ongoing, done or dropped.
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    static let statuses = ["agreed", "ongoing", "done", "dropped"]
}
