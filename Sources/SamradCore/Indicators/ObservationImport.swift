import Foundation

/// Which columns of a user's file hold what. Saved per person and header, so the next file of the
/// same shape is read the same way.
public struct ImportMapping: Codable, Sendable, Equatable {
    /// The municipality or school code.
    public var unitColumn: String
    public var yearColumn: String
    public var valueColumn: String
    /// A column naming the indicator on each row; nil when the whole file is about `indicator`.
    public var indicatorColumn: String?
    public var indicator: String?
    public var pupilsColumn: String?
    /// A column naming the unit of each value, checked against the indicator's.
    public var measureColumn: String?
    /// A column with the publisher's flags ("..", ".", "~100").
    public var flagColumn: String?
    /// Only rows whose `filterColumn` holds `filterValue` are read (e.g. huvudman = Samtliga).
    public var filterColumn: String?
    public var filterValue: String?
    /// The file's names for indicators (e.g. Kolada KPI ids) and the catalogue codes they stand for.
    public var indicatorCodes: [String: String]
    /// Read only rows whose indicator is in `indicatorCodes` (a file with more measures than wanted).
    public var onlyMappedIndicators: Bool

    public init(
        unitColumn: String, yearColumn: String, valueColumn: String, indicatorColumn: String? = nil,
        indicator: String? = nil,
        pupilsColumn: String? = nil, measureColumn: String? = nil, flagColumn: String? = nil,
        filterColumn: String? = nil,
        filterValue: String? = nil, indicatorCodes: [String: String] = [:], onlyMappedIndicators: Bool = false
    ) {
        self.unitColumn = unitColumn
        self.yearColumn = yearColumn
        self.valueColumn = valueColumn
        self.indicatorColumn = indicatorColumn
        self.indicator = indicator
        self.pupilsColumn = pupilsColumn
        self.measureColumn = measureColumn
        self.flagColumn = flagColumn
        self.filterColumn = filterColumn
        self.filterValue = filterValue
        self.indicatorCodes = indicatorCodes
        self.onlyMappedIndicators = onlyMappedIndicators
    }

    /// Every column the mapping names must be in the header; each missing one is named.
    public func check(header: [String]) throws {
        var v = Validation()
        let named: [(String, String?)] = [
            ("unit_column", unitColumn), ("year_column", yearColumn), ("value_column", valueColumn),
            ("indicator_column", indicatorColumn), ("pupils_column", pupilsColumn),
            ("measure_column", measureColumn), ("flag_column", flagColumn), ("filter_column", filterColumn),
        ]
        for (field, column) in named {
            if let column, !column.isEmpty, !header.contains(column) {
                v.add(field, "import.error.no_such_column", [column])
            }
        }
        if unitColumn.isEmpty { v.add("unit_column", "validation.required") }
        if yearColumn.isEmpty { v.add("year_column", "validation.required") }
        if valueColumn.isEmpty { v.add("value_column", "validation.required") }
        if (indicatorColumn ?? "").isEmpty && (indicator ?? "").isEmpty {
            v.add("indicator", "import.error.indicator_or_column")
        }
        try v.check()
    }
}

/// One rejected row: the CSV line (or the JSON item) and why.
public struct RowProblem: Sendable, Equatable, Codable {
    public var line: Int
    /// The column (or JSON key) at fault.
    public var field: String
    public var key: String
    public var arguments: [String]

    public init(line: Int, field: String, _ key: String, _ arguments: [String] = []) {
        self.line = line
        self.field = field
        self.key = key
        self.arguments = arguments
    }
}

/// What a file would import: the observations of its good rows and every problem of the others.
public struct ImportCheck: Sendable {
    public var observations: [Observation] = []
    public var problems: [RowProblem] = []
    /// Rows read (after the header), and rows left out by the filter.
    public var rows = 0
    public var filteredOut = 0
    /// Lines with at least one problem.
    public var rejectedRows = 0

    public init() {}
}

/// What an import may refer to and who it is for.
public struct ImportContext: Sendable {
    public var country: Country
    public var level: IndicatorLevel
    public var indicators: [String: Indicator]
    /// The canonical code of a municipality or school, or nil when unknown (`0101` → `101`).
    public var resolveUnit: @Sendable (String) -> String?
    /// Whether the importer may write for this unit (a coordinator only for their own municipality).
    public var mayImportFor: @Sendable (String) -> Bool
    public var years: ClosedRange<Int>

    public init(
        country: Country, level: IndicatorLevel, indicators: [String: Indicator], years: ClosedRange<Int>,
        resolveUnit: @escaping @Sendable (String) -> String?,
        mayImportFor: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
        self.country = country
        self.level = level
        self.indicators = indicators
        self.years = years
        self.resolveUnit = resolveUnit
        self.mayImportFor = mayImportFor
    }
}

/// Reads a user's CSV (with a mapping) or Kolada's JSON into observations, checking every row: an
/// unknown municipality or school, a value that is not a number or not plausible in the
/// indicator's unit, a year out of range, a unit other than the indicator's, the same value twice.
public struct ObservationReader {
    public let context: ImportContext
    /// Problems kept for the message; beyond them only counted.
    public static let problemLimit = 1_000

    private var seen: [Int64: Int] = [:]
    /// Each distinct code of the file resolved once: (the unit's code or nil, may the importer write it).
    private var units: [String: (code: String?, allowed: Bool)] = [:]
    private var indicatorIndex: [String: Int] = [:]
    private var unitIndex: [String: Int] = [:]
    public private(set) var check = ImportCheck()

    public init(context: ImportContext) { self.context = context }

    // MARK: CSV

    /// `progress` is told the rows read so far every 10,000 rows.
    public static func read(
        csv data: Data, mapping: ImportMapping, context: ImportContext,
        progress: (Int) -> Void = { _ in }
    ) throws -> ImportCheck {
        var reader = ObservationReader(context: context)
        var header: [String] = []
        // The mapping's columns as positions, found once from the header.
        var at: [String?: Int] = [:]
        do {
            try CSVScanner.scan(data) { line, fields in
                if header.isEmpty {
                    header = fields
                    try mapping.check(header: header)
                    for name in [
                        mapping.unitColumn, mapping.yearColumn, mapping.valueColumn, mapping.indicatorColumn,
                        mapping.pupilsColumn,
                        mapping.measureColumn, mapping.flagColumn, mapping.filterColumn,
                    ] {
                        if let name, !name.isEmpty, let i = fields.firstIndex(of: name) { at[name] = i }
                    }
                    return true
                }
                reader.check.rows += 1
                if fields.count != header.count {
                    reader.reject(
                        RowProblem(
                            line: line, field: "", "csv.field_count",
                            [String(line), String(header.count), String(fields.count)]))
                    reader.check.rejectedRows += 1
                    return true
                }
                func column(_ name: String?) -> String? { at[name].map { fields[$0] } }
                if reader.check.rows % 10_000 == 0 { progress(reader.check.rows) }
                if let filter = mapping.filterColumn, !filter.isEmpty, column(filter) != (mapping.filterValue ?? "") {
                    reader.check.filteredOut += 1
                    return true
                }
                if mapping.onlyMappedIndicators, let name = column(mapping.indicatorColumn),
                    mapping.indicatorCodes[name] == nil
                {
                    reader.check.filteredOut += 1
                    return true
                }
                // A row with neither year nor value, flagged missing, is a publisher's filler line, not an observation.
                if (column(mapping.yearColumn) ?? "").isEmpty, (column(mapping.valueColumn) ?? "").isEmpty,
                    let flag = column(mapping.flagColumn), ObservationStatus(flag: flag) == .missing
                {
                    reader.check.filteredOut += 1
                    return true
                }
                let named =
                    column(mapping.indicatorColumn).map { mapping.indicatorCodes[$0] ?? $0 } ?? mapping.indicator ?? ""
                reader.add(
                    line: line, indicator: (named, mapping.indicatorColumn ?? "indicator"),
                    unit: (column(mapping.unitColumn) ?? "", mapping.unitColumn),
                    year: (column(mapping.yearColumn) ?? "", mapping.yearColumn),
                    value: (column(mapping.valueColumn) ?? "", mapping.valueColumn),
                    flag: column(mapping.flagColumn),
                    pupils: column(mapping.pupilsColumn).map { ($0, mapping.pupilsColumn!) },
                    measure: column(mapping.measureColumn).map { ($0, mapping.measureColumn!) })
                return true
            }
        } catch let failure as CSVScanner.Failure {
            throw SamradError(
                .invalidInput, failure.key, [String(failure.line)],
                fieldErrors: [FieldError(field: "line \(failure.line)", failure.key, [String(failure.line)])])
        }
        if header.isEmpty { throw SamradError(.invalidInput, "csv.empty") }
        progress(reader.check.rows)
        return reader.check
    }

    // MARK: Kolada

    private struct KoladaFile: Decodable {
        struct Entry: Decodable {
            struct Value: Decodable {
                var gender: String?
                var status: String?
                var value: Double?
                var count: Int?
            }
            var kpi: String
            var municipality: String?
            var ou: String?
            var period: Int
            var values: [Value]
        }
        var values: [Entry]
    }

    /// Kolada's data format (`{"values":[{"kpi":…,"municipality":…,"period":…,"values":[{"gender":"T",…}]}]}`):
    /// the total (gender T) of each entry; problems are numbered by entry.
    public static func read(kolada data: Data, mapping: ImportMapping, context: ImportContext) throws -> ImportCheck {
        let file: KoladaFile
        do {
            file = try JSONDecoder().decode(KoladaFile.self, from: data)
        } catch {
            throw SamradError(.invalidInput, "import.error.kolada_format")
        }
        var reader = ObservationReader(context: context)
        for (i, entry) in file.values.enumerated() {
            reader.check.rows += 1
            let unit = (context.level.isUnit ? entry.ou : entry.municipality) ?? ""
            let total = entry.values.first { $0.gender == "T" } ?? (entry.values.count == 1 ? entry.values[0] : nil)
            let status = total?.status.flatMap { $0.isEmpty ? nil : $0 }
            let value = total?.value.map { String($0) } ?? ""
            let indicator =
                mapping.indicatorCodes[entry.kpi] ?? (mapping.indicator.flatMap { $0.isEmpty ? nil : $0 } ?? entry.kpi)
            reader.add(
                line: i + 1, indicator: (indicator, "kpi"),
                unit: (unit, context.level.isUnit ? "ou" : "municipality"),
                year: (String(entry.period), "period"), value: (value, "value"),
                flag: status ?? (total == nil ? "." : nil),
                pupils: nil, measure: nil)
        }
        return reader.check
    }

    // MARK: Rows

    mutating func reject(_ problem: RowProblem) {
        if check.problems.count < Self.problemLimit { check.problems.append(problem) }
    }

    /// Checks one row; a row with any problem adds its problems and no observation.
    mutating func add(
        line: Int, indicator: (String, String), unit: (String, String), year: (String, String), value: (String, String),
        flag: String?, pupils: (String, String)?, measure: (String, String)?
    ) {
        var problems: [RowProblem] = []
        let code = indicator.0.trimmedSpaces
        let found = context.indicators[code]
        if code.isEmpty {
            problems.append(RowProblem(line: line, field: indicator.1, "import.error.no_indicator"))
        } else if found == nil {
            problems.append(RowProblem(line: line, field: indicator.1, "import.error.unknown_indicator", [code]))
        } else if let found, found.level != context.level {
            problems.append(RowProblem(line: line, field: indicator.1, "import.error.wrong_level", [code]))
        } else if let found, let country = found.country, country != context.country {
            problems.append(RowProblem(line: line, field: indicator.1, "import.error.wrong_country", [code]))
        }
        let rawUnit = unit.0.trimmedSpaces
        let known =
            units[rawUnit]
            ?? {
                let code = context.resolveUnit(rawUnit)
                let entry = (code: code, allowed: code.map(context.mayImportFor) ?? false)
                units[rawUnit] = entry
                return entry
            }()
        let resolved = known.code
        if resolved == nil {
            problems.append(
                RowProblem(
                    line: line, field: unit.1,
                    context.level.isUnit ? "import.error.unknown_unit" : "import.error.unknown_municipality",
                    [rawUnit, context.country.rawValue]))
        } else if !known.allowed {
            problems.append(RowProblem(line: line, field: unit.1, "import.error.outside_scope", [rawUnit]))
        }
        let parsedYear = ObservationValue.year(year.0)
        if parsedYear == nil {
            problems.append(RowProblem(line: line, field: year.1, "import.error.year", [year.0]))
        } else if let parsedYear, !context.years.contains(parsedYear) {
            problems.append(
                RowProblem(
                    line: line, field: year.1, "import.error.year_range",
                    [String(parsedYear), String(context.years.lowerBound), String(context.years.upperBound)]))
        }
        var status = ObservationStatus.reported
        var number: Double?
        if let flag, !ObservationStatus.meansReported(flag) {
            if let flagged = ObservationStatus(flag: flag) {
                status = flagged
            } else {
                problems.append(RowProblem(line: line, field: "flag", "import.error.flag", [flag]))
            }
        }
        let rawValue = value.0.trimmedSpaces
        if status == .reported {
            // A number first: it is what almost every row holds.
            if let parsed = ObservationValue.number(rawValue) {
                number = parsed
                if let found, !found.unit.plausibleRange.contains(parsed) {
                    problems.append(
                        RowProblem(
                            line: line, field: value.1, "import.error.implausible",
                            [
                                rawValue, Self.format(found.unit.plausibleRange.lowerBound),
                                Self.format(found.unit.plausibleRange.upperBound),
                            ]))
                }
            } else if rawValue.isEmpty {
                status = .missing
            } else if let flagged = ObservationStatus(flag: rawValue) {
                status = flagged
            } else {
                problems.append(RowProblem(line: line, field: value.1, "import.error.not_a_number", [rawValue]))
            }
        }
        if let measure, let found {
            let stated = measure.0.trimmedSpaces
            if !stated.isEmpty, IndicatorUnit(rawValue: stated) != found.unit, !Self.sameUnit(stated, found.unit) {
                problems.append(
                    RowProblem(
                        line: line, field: measure.1, "import.error.unit_mismatch", [stated, found.unit.rawValue]))
            }
        }
        var pupilCount: Int?
        if let pupils {
            let text = pupils.0.trimmedSpaces
            if !text.isEmpty && ObservationStatus(flag: text) == nil {
                if let count = Int(text), count >= 0 {
                    pupilCount = count
                } else {
                    problems.append(RowProblem(line: line, field: pupils.1, "import.error.pupils", [text]))
                }
            }
        }
        if problems.isEmpty, let resolved, let parsedYear {
            let indicatorID =
                indicatorIndex[code]
                ?? {
                    let id = indicatorIndex.count; indicatorIndex[code] = id; return id
                }()
            let unitID =
                unitIndex[resolved]
                ?? {
                    let id = unitIndex.count; unitIndex[resolved] = id; return id
                }()
            let key = Int64(indicatorID) << 40 | Int64(unitID) << 16 | Int64(parsedYear & 0xFFFF)
            if let first = seen[key] {
                problems.append(
                    RowProblem(
                        line: line, field: "", "import.error.duplicate",
                        [String(first), code, rawUnit, String(parsedYear)]))
            } else {
                seen[key] = line
                check.observations.append(
                    Observation(
                        indicator: code, unit: UnitKey(context.level, context.country, resolved), year: parsedYear,
                        value: number, status: status, pupils: pupilCount))
            }
        }
        if !problems.isEmpty {
            check.rejectedRows += 1
            for problem in problems { reject(problem) }
        }
    }

    /// Units as files write them: "%", "procent", "pct" for a share.
    static func sameUnit(_ stated: String, _ unit: IndicatorUnit) -> Bool {
        let s = stated.lowercased()
        switch unit {
        case .percent: return ["%", "pct", "procent", "percent", "andel"].contains(s)
        case .grade: return ["karakter", "betyg", "grade"].contains(s)
        case .meritPoints: return ["meritvärde", "meritpoäng", "merit"].contains(s)
        case .count: return ["antal", "count", "number"].contains(s)
        default: return false
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
