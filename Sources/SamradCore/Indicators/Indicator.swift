import Foundation

/// What an indicator counts in. The unit decides which values are plausible (a share is 0-100) and
/// which uncertainty rule applies.
public enum IndicatorUnit: String, CaseIterable, Codable, Sendable {
    /// A share of pupils (or teachers) in per cent.
    case percent
    /// An average grade on the Danish 7-point scale (-3 to 12).
    case grade
    /// The Swedish merit value (at most 340 with 17 subjects).
    case meritPoints = "merit_points"
    /// A mean of answers on a 1-5 scale (the Danish well-being survey).
    case scale1to5 = "scale_1_5"
    /// A count of pupils or teachers.
    case count
    /// Pupils per teacher and similar quotients.
    case ratio
    /// A score on a scale of its own (Skolverket's national test points, 0-20).
    case points

    /// The values a measurement in this unit can take.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .percent: 0...100
        case .grade: -3...12
        case .meritPoints: 0...340
        case .scale1to5: 1...5
        case .count: 0...10_000_000
        case .ratio: 0...1_000
        case .points: 0...1_000
        }
    }

    /// A share of pupils: the year-on-year difference can be tested from the shares and the numbers
    /// of pupils alone.
    public var isShare: Bool { self == .percent }
}

/// Which way is better.
public enum IndicatorDirection: String, CaseIterable, Codable, Sendable {
    case higherIsBetter = "higher", lowerIsBetter = "lower", neutral

    /// Whether `a` is better than `b`; a neutral indicator ranks higher first.
    public func better(_ a: Double, than b: Double) -> Bool {
        self == .lowerIsBetter ? a < b : a > b
    }
}

/// Whom an indicator is measured for: a municipality, or one of its units (a school, or a day-care
/// unit: dagtilbud, förskola).
public enum IndicatorLevel: String, CaseIterable, Codable, Sendable {
    case municipality, school
    case dayCare = "day_care"

    /// A unit under a municipality, kept in its list of units.
    public var isUnit: Bool { self != .municipality }
}

public enum IndicatorCategory: String, CaseIterable, Codable, Sendable {
    case learning, wellbeing, attendance, transition, staff, context
}

/// One measure in the catalogue, e.g. `dk.fp9_exam_grade`: the average grade in the mandatory
/// grade-9 exams per municipality, higher is better, from Uddannelsesstatistik.
public struct Indicator: Codable, Sendable, Equatable {
    public var code: String
    public var names: [Language: String]
    public var unit: IndicatorUnit
    public var direction: IndicatorDirection
    public var level: IndicatorLevel
    public var category: IndicatorCategory
    /// The country whose data it holds; nil for an indicator measured the same way everywhere.
    public var country: Country?
    public var source: String
    public var licence: String
    public var decimals: Int
    /// The spread of single pupils' results, where known: with it a change in a mean is tested
    /// like a share. Left empty unless a source gives it.
    public var pupilStandardDeviation: Double?

    public init(
        code: String, names: [Language: String], unit: IndicatorUnit, direction: IndicatorDirection,
        level: IndicatorLevel,
        category: IndicatorCategory, country: Country?, source: String, licence: String, decimals: Int = 1,
        pupilStandardDeviation: Double? = nil
    ) {
        self.code = code
        self.names = names
        self.unit = unit
        self.direction = direction
        self.level = level
        self.category = category
        self.country = country
        self.source = source
        self.licence = licence
        self.decimals = decimals
        self.pupilStandardDeviation = pupilStandardDeviation
    }

    public func name(_ language: Language) -> String {
        names[language] ?? names[.en] ?? code
    }

    /// A code is lower-case letters, digits, dots, dashes and underscores, like `se.merit_value_17`.
    public static func isValidCode(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 60
            && code.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || "._-".contains($0) }
    }

    /// Reads and checks a catalogue form: every problem named by its field.
    public static func validate(
        code: String?, names: [Language: String?], unit: String?, direction: String?, level: String?,
        category: String?, country: String?, source: String?, licence: String?, decimals: String?,
        pupilStandardDeviation: String?
    ) throws -> Indicator {
        var v = Validation()
        let code = v.required("code", code, maxLength: 60)
        if !code.isEmpty && !isValidCode(code) { v.add("code", "indicators.error.code") }
        var parsedNames: [Language: String] = [:]
        for language in Language.allCases {
            let field = "name_\(language.rawValue)"
            parsedNames[language] = v.required(field, names[language] ?? nil, maxLength: 160)
        }
        let unit = v.oneOf("unit", unit, as: IndicatorUnit.self)
        let direction = v.oneOf("direction", direction, as: IndicatorDirection.self)
        let level = v.oneOf("level", level, as: IndicatorLevel.self)
        let category = v.oneOf("category", category, as: IndicatorCategory.self)
        var parsedCountry: Country?
        if let country, !country.isEmpty {
            parsedCountry = Country(rawValue: country)
            if parsedCountry == nil { v.add("country", "validation.choice") }
        }
        let source = v.required("source", source, maxLength: 300)
        let licence = v.required("licence", licence, maxLength: 300)
        var places = 1
        if let decimals, !decimals.isEmpty {
            if let value = Int(decimals), (0...3).contains(value) {
                places = value
            } else {
                v.add("decimals", "indicators.error.decimals")
            }
        }
        var sd: Double?
        if let text = pupilStandardDeviation?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let value = ObservationValue.number(text), value > 0 {
                sd = value
            } else {
                v.add("pupil_sd", "indicators.error.pupil_sd")
            }
        }
        try v.check()
        return Indicator(
            code: code, names: parsedNames, unit: unit!, direction: direction!, level: level!, category: category!,
            country: parsedCountry, source: source, licence: licence, decimals: places, pupilStandardDeviation: sd)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs; the common case (none) costs no copy of the
    /// characters, which matters a million rows over (Foundation's trimming bridges every call).
    public var trimmedSpaces: String {
        guard let first = self.first, let last = self.last else { return "" }
        if first != " " && first != "\t" && last != " " && last != "\t" { return String(self) }
        return String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// Numbers as people and statistics offices write them.
public enum ObservationValue {
    /// "7.3", "7,3" (a decimal comma), " 203.2 "; nil for anything else.
    public static func number(_ text: some StringProtocol) -> Double? {
        let trimmed = text.trimmedSpaces
        if trimmed.isEmpty { return nil }
        if let value = Double(trimmed), value.isFinite { return value }
        if trimmed.contains(","), !trimmed.contains("."),
            let value = Double(trimmed.replacingOccurrences(of: ",", with: ".")), value.isFinite
        {
            return value
        }
        return nil
    }

    /// "2025", "2024/25", "2024/2025" or "2024-25": the year a school year ends in.
    public static func year(_ text: some StringProtocol) -> Int? {
        let trimmed = text.trimmedSpaces
        if let year = Int(trimmed) { return year }
        let parts = trimmed.split(whereSeparator: { $0 == "/" || $0 == "-" })
        guard parts.count == 2, let first = Int(parts[0]), let second = Int(parts[1]) else { return nil }
        if parts[1].count == 2 {
            let end = first / 100 * 100 + second
            let year = end > first ? end : end + 100
            return year == first + 1 ? year : nil
        }
        return second == first + 1 ? second : nil
    }

    /// "2024/25" for 2025.
    public static func schoolYear(_ year: Int) -> String {
        "\(year - 1)/\(String(format: "%02d", year % 100))"
    }
}
