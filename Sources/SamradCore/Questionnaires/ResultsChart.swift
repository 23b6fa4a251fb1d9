import Foundation

/// The geometry of a results chart, computed here and drawn as SVG by a template, so charts are
/// server-rendered without any script and every number also has its place in a table. Three
/// shapes: grouped bars of shares for choices, one stacked bar per group for a scale's
/// distribution, and bars of means for numbers. A hidden group is drawn as an empty row that says
/// so, never as zero.
public struct ResultsChart: Sendable, Encodable, Equatable {
    public struct Segment: Sendable, Encodable, Equatable {
        public var x: Double
        public var width: Double
        /// 0...9: the fill class of the segment (a series or a scale point).
        public var tone: Int
        /// What a pointer over the segment says (the SVG title).
        public var title: String
    }

    public struct Row: Sendable, Encodable, Equatable {
        public var y: Double
        public var label: String
        /// A category heading over its group of bars.
        public var heading: Bool
        public var segments: [Segment]
        public var value: String
        public var valueX: Double
        /// Where the mean sits on a distribution bar.
        public var markX: Double?
    }

    public struct LegendEntry: Sendable, Encodable, Equatable {
        public var tone: Int
        public var label: String
    }

    /// One group's figures; `shares` nil when the group is hidden.
    public struct Series: Sendable, Equatable {
        public var label: String
        public var shares: [Double]?
        public var mean: Double?

        public init(label: String, shares: [Double]?, mean: Double? = nil) {
            self.label = label
            self.shares = shares
            self.mean = mean
        }
    }

    public var width: Double
    public var height: Double
    /// "series" (one colour per group) or "scale" (a ramp from the low point to the high).
    public var palette: String
    public var rows: [Row]
    public var legend: [LegendEntry]
    /// The axis end for the ticks: 100 % or the largest number.
    public var ticks: [Tick]
    public var plotTop: Double
    public var plotBottom: Double

    public struct Tick: Sendable, Encodable, Equatable {
        public var x: Double
        public var label: String
    }

    static let labelWidth = 220.0
    static let plotWidth = 360.0
    static let rowHeight = 22.0
    static let headingHeight = 20.0
    static let top = 8.0

    static var plotStart: Double { labelWidth }

    static func percent(_ share: Double, _ language: Language) -> String {
        NumberText.decimal(share * 100, language, fractionDigits: 0) + " %"
    }

    static func ticks(max: Double, format: (Double) -> String) -> [Tick] {
        (0...4).map { i in Tick(x: plotStart + plotWidth * Double(i) / 4, label: format(max * Double(i) / 4)) }
    }

    /// Ticks at round values (0, 20, 40, 60 rather than 0, 13, 25, 38, 50); the axis ends at the last.
    static func roundTicks(upTo largest: Double, format: (Double) -> String) -> (end: Double, ticks: [Tick]) {
        let values = TrendChart.ticks(0, largest)
        let end = values.last ?? largest
        return (end, values.map { Tick(x: plotStart + plotWidth * $0 / end, label: format($0)) })
    }

    /// Grouped bars: a heading per category (option), under it one bar per series with its share.
    public static func bars(
        categories: [String], series: [Series], language: Language, hiddenLabel: String
    ) -> ResultsChart {
        var rows: [Row] = []
        var y = top
        for (c, category) in categories.enumerated() {
            rows.append(Row(y: y, label: category, heading: true, segments: [], value: "", valueX: 0))
            y += headingHeight
            for (s, one) in series.enumerated() {
                if let share = one.shares?[safe: c] {
                    let width = plotWidth * min(1, max(0, share))
                    let text = percent(share, language)
                    rows.append(
                        Row(
                            y: y, label: one.label, heading: false,
                            segments: [
                                Segment(
                                    x: plotStart, width: width, tone: s % 10,
                                    title: "\(category), \(one.label): \(text)")
                            ],
                            value: text, valueX: plotStart + width + 4))
                } else {
                    rows.append(
                        Row(
                            y: y, label: one.label, heading: false, segments: [], value: hiddenLabel,
                            valueX: plotStart + 4))
                }
                y += rowHeight
            }
            y += 6
        }
        return ResultsChart(
            width: labelWidth + plotWidth + 70, height: y + 24, palette: "series", rows: rows,
            legend: series.enumerated().map { LegendEntry(tone: $0.offset % 10, label: $0.element.label) },
            ticks: ticks(max: 1) { percent($0, language) }, plotTop: top, plotBottom: y)
    }

    /// A distribution: one 100 % bar per series, a segment per scale point, the mean marked.
    public static func distribution(
        points: [String], series: [Series], low: Int, high: Int, language: Language, hiddenLabel: String
    ) -> ResultsChart {
        var rows: [Row] = []
        var y = top
        let tones = points.indices.map {
            points.count <= 1 ? 0 : Int((Double($0) / Double(points.count - 1) * 9).rounded())
        }
        for one in series {
            guard let shares = one.shares else {
                rows.append(
                    Row(y: y, label: one.label, heading: false, segments: [], value: hiddenLabel, valueX: plotStart + 4)
                )
                y += rowHeight
                continue
            }
            var x = plotStart
            var segments: [Segment] = []
            for (p, share) in shares.enumerated() where share > 0 {
                let width = plotWidth * share
                segments.append(
                    Segment(
                        x: x, width: width, tone: tones[safe: p] ?? 0,
                        title: "\(one.label), \(points[safe: p] ?? ""): \(percent(share, language))"))
                x += width
            }
            let mark = one.mean.map { plotStart + plotWidth * (($0 - Double(low)) / Double(max(1, high - low))) }
            rows.append(
                Row(
                    y: y, label: one.label, heading: false, segments: segments,
                    value: one.mean.map { "⌀ " + NumberText.decimal($0, language) } ?? "",
                    valueX: plotStart + plotWidth + 4, markX: mark))
            y += rowHeight
        }
        return ResultsChart(
            width: labelWidth + plotWidth + 70, height: y + 24, palette: "scale", rows: rows,
            legend: points.enumerated().map { LegendEntry(tone: tones[$0.offset], label: $0.element) },
            ticks: ticks(max: 1) { percent($0, language) }, plotTop: top, plotBottom: y)
    }

    /// Bars of the mean per series on an axis from zero to the largest mean (or the question's bound).
    public static func means(
        series: [Series], upperBound: Double?, unit: String, language: Language, hiddenLabel: String
    ) -> ResultsChart {
        let largest = series.compactMap(\.mean).max() ?? 0
        let scale = roundTicks(upTo: Swift.max(upperBound ?? 0, largest, 1)) { value in
            NumberText.decimal(value, language, fractionDigits: value == value.rounded() ? 0 : 1)
        }
        let axis = scale.end
        var rows: [Row] = []
        var y = top
        for (s, one) in series.enumerated() {
            if one.shares != nil, let mean = one.mean {
                let width = plotWidth * Swift.max(0, mean) / axis
                let text = NumberText.decimal(mean, language) + (unit.isEmpty ? "" : " \(unit)")
                rows.append(
                    Row(
                        y: y, label: one.label, heading: false,
                        segments: [Segment(x: plotStart, width: width, tone: s % 10, title: "\(one.label): \(text)")],
                        value: text, valueX: plotStart + width + 4))
            } else {
                rows.append(
                    Row(y: y, label: one.label, heading: false, segments: [], value: hiddenLabel, valueX: plotStart + 4)
                )
            }
            y += rowHeight
        }
        return ResultsChart(
            width: labelWidth + plotWidth + 70, height: y + 24, palette: "series", rows: rows, legend: [],
            ticks: scale.ticks, plotTop: top, plotBottom: y)
    }
}

extension Array {
    public subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
