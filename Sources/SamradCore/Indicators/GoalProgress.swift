import Foundation

/// A target a municipality or school sets for an indicator: from a baseline to a value by a year.
public struct GoalTarget: Sendable, Equatable {
    public var baselineYear: Int
    public var baselineValue: Double
    public var targetYear: Int
    public var targetValue: Double
    public var direction: IndicatorDirection

    public init(
        baselineYear: Int, baselineValue: Double, targetYear: Int, targetValue: Double, direction: IndicatorDirection
    ) {
        self.baselineYear = baselineYear
        self.baselineValue = baselineValue
        self.targetYear = targetYear
        self.targetValue = targetValue
        self.direction = direction
    }

    /// Checks a goal form; the plausible values are the indicator's unit's.
    public static func validate(
        baselineYear: String?, baselineValue: String?, targetYear: String?, targetValue: String?,
        indicator: Indicator, years: ClosedRange<Int>
    ) throws -> GoalTarget {
        var v = Validation()
        func year(_ field: String, _ text: String?) -> Int? {
            guard let text, !text.isEmpty else { v.add(field, "validation.required"); return nil }
            guard let y = ObservationValue.year(text) else { v.add(field, "import.error.year", [text]); return nil }
            if !years.contains(y) {
                v.add(
                    field, "import.error.year_range", [String(y), String(years.lowerBound), String(years.upperBound)]);
                return nil
            }
            return y
        }
        func value(_ field: String, _ text: String?) -> Double? {
            guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                v.add(field, "validation.required"); return nil
            }
            guard let x = ObservationValue.number(text) else {
                v.add(field, "import.error.not_a_number", [text]); return nil
            }
            let range = indicator.unit.plausibleRange
            if !range.contains(x) {
                v.add(
                    field, "import.error.implausible",
                    [text, ObservationReader.format(range.lowerBound), ObservationReader.format(range.upperBound)])
                return nil
            }
            return x
        }
        let by = year("baseline_year", baselineYear)
        let bv = value("baseline_value", baselineValue)
        let ty = year("target_year", targetYear)
        let tv = value("target_value", targetValue)
        if let by, let ty, ty <= by { v.add("target_year", "goals.error.target_after_baseline", [String(by)]) }
        if let bv, let tv, indicator.direction != .neutral, tv != bv, !indicator.direction.better(tv, than: bv) {
            v.add("target_value", "goals.error.target_worse")
        }
        try v.check()
        return GoalTarget(
            baselineYear: by!, baselineValue: bv!, targetYear: ty!, targetValue: tv!, direction: indicator.direction)
    }
}

public enum GoalStatus: String, Sendable, Equatable {
    /// The latest value reaches the target.
    case achieved
    /// At least as far as a straight line from the baseline to the target would be by now.
    case onTrack = "on_track"
    case behind
    /// No reported value after the baseline year yet.
    case awaitingData = "awaiting_data"
    /// The target year has passed without reaching the target.
    case missed
}

public struct GoalProgress: Sendable, Equatable {
    public var status: GoalStatus
    public var latestYear: Int?
    public var latestValue: Double?
    /// The share of the way from the baseline to the target covered, 0…1 (negative when worse).
    public var fraction: Double?
    /// Where the straight line from baseline to target stands in the latest year.
    public var expected: Double?

    /// `series`: the unit's reported values by year.
    public init(_ goal: GoalTarget, series: [(year: Int, value: Double)]) {
        guard let latest = series.filter({ $0.year > goal.baselineYear }).max(by: { $0.year < $1.year }) else {
            status = .awaitingData
            return
        }
        latestYear = latest.year
        latestValue = latest.value
        let span = goal.targetValue - goal.baselineValue
        fraction = span == 0 ? 1 : (latest.value - goal.baselineValue) / span
        let elapsed =
            Double(min(latest.year, goal.targetYear) - goal.baselineYear) / Double(goal.targetYear - goal.baselineYear)
        let expected = goal.baselineValue + span * elapsed
        self.expected = expected
        let reached =
            goal.direction == .lowerIsBetter ? latest.value <= goal.targetValue : latest.value >= goal.targetValue
        if reached {
            status = .achieved
        } else if latest.year >= goal.targetYear {
            status = .missed
        } else {
            let onLine = goal.direction == .lowerIsBetter ? latest.value <= expected : latest.value >= expected
            status = onLine ? .onTrack : .behind
        }
    }
}
