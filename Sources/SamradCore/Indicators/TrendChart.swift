import Foundation

/// A line chart of one indicator over the years: the unit's own values and the comparison groups'
/// means, written as SVG here because a dashboard draws forty of them and a template per point
/// would cost more than the numbers. Lines break where a value is missing; a suppressed or missing
/// own value is marked on the axis, never drawn as zero. The same numbers stand in a table beside
/// it for screen readers and print.
public struct TrendChart: Sendable {
    public struct Series: Sendable {
        /// The CSS class (own, cluster, similar, municipality, region, country): each has its own
        /// stroke and dash pattern, so the lines tell apart in grey print too.
        public var kind: String
        public var label: String
        public var values: [Double?]

        public init(kind: String, label: String, values: [Double?]) {
            self.kind = kind
            self.label = label
            self.values = values
        }
    }

    public static let width = 360.0, height = 170.0
    static let left = 44.0, right = 10.0, top = 10.0, bottom = 26.0

    public var years: [Int]
    public var series: [Series]
    /// Own values that were not published, by year index: the word to show (suppressed, missing).
    public var gaps: [Int: String]
    public var decimals: Int
    public var language: Language
    /// The accessible name of the figure.
    public var title: String

    public init(years: [Int], series: [Series], gaps: [Int: String], decimals: Int, language: Language, title: String) {
        self.years = years
        self.series = series
        self.gaps = gaps
        self.decimals = decimals
        self.language = language
        self.title = title
    }

    /// Round tick values covering `low...high`, about four of them.
    public static func ticks(_ low: Double, _ high: Double) -> [Double] {
        var low = low, high = high
        if low == high { low -= 1; high += 1 }
        let raw = (high - low) / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = floor(low / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= high + step * 0.001 { ticks.append(t); t += step }
        if let last = ticks.last, last < high { ticks.append(last + step) }
        return ticks
    }

    /// School years as people write them: 2024 is "2023/24".
    func label(_ i: Int) -> String { ObservationValue.schoolYear(years[i]) }

    public var svg: String {
        years.count == 1 ? dotPlot : lineChart
    }

    /// One year: a row per series with its label, its point on a shared scale and its value, so
    /// nobody has to read a line of one point against unlabelled grey dots.
    var dotPlot: String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let ticks = values.isEmpty ? [0.0, 1.0] : Self.ticks(values.min()!, values.max()!)
        let low = ticks.first!, high = ticks.last!
        let rowHeight = 22.0, labelWidth = 150.0, valueRoom = 40.0
        let plotLeft = labelWidth, plotRight = Self.width - valueRoom
        let height = Self.top + rowHeight * Double(series.count) + Self.bottom
        func x(_ v: Double) -> Double { plotLeft + (plotRight - plotLeft) * (v - low) / (high - low) }
        func f(_ v: Double) -> String { String(Int(v.rounded())) }
        let tickDecimals = ticks.contains { $0 != $0.rounded() } ? max(1, min(decimals, 2)) : 0
        var out =
            "<svg class=\"trend dots\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(title)) (\(label(0)))\" focusable=\"false\">"
        let axis = height - Self.bottom
        for t in ticks {
            out += "<line class=\"grid\" x1=\"\(f(x(t)))\" x2=\"\(f(x(t)))\" y1=\"\(f(Self.top))\" y2=\"\(f(axis))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(x(t)))\" y=\"\(f(axis + 14))\" text-anchor=\"middle\">"
                + "\(NumberText.decimal(t, language, fractionDigits: tickDecimals))</text>"
        }
        for (row, s) in series.enumerated() {
            let y = Self.top + rowHeight * (Double(row) + 0.5)
            let name = s.label.count > 26 ? String(s.label.prefix(25)) + "…" : s.label
            out +=
                "<text class=\"series-label \(s.kind)\" x=\"0\" "
                    + "y=\"\(f(y + 4))\"><title>\(HTMLText.escape(s.label))</title>"
                + "\(HTMLText.escape(name))</text>"
            if let v = s.values.first ?? nil {
                let text = NumberText.decimal(v, language, fractionDigits: decimals)
                out +=
                    "<circle class=\"point \(s.kind)\" cx=\"\(f(x(v)))\" cy=\"\(f(y))\" "
                        + "r=\"\(s.kind == "own" ? 5 : 4)\">"
                    + "<title>\(HTMLText.escape(s.label)), \(label(0)): \(text)</title></circle>"
                out += "<text class=\"value \(s.kind)\" x=\"\(f(x(v) + 8))\" y=\"\(f(y + 4))\">\(text)</text>"
            } else if s.kind == "own", let word = gaps[0] {
                out +=
                    "<text class=\"value gap-word\" x=\"\(f(plotLeft))\" "
                        + "y=\"\(f(y + 4))\">\(HTMLText.escape(word))</text>"
            }
        }
        return out + "</svg>"
    }

    var lineChart: String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let ticks = values.isEmpty ? [0.0, 1.0] : Self.ticks(values.min()!, values.max()!)
        let low = ticks.first!, high = ticks.last!
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func x(_ i: Int) -> Double {
            years.count <= 1 ? Self.left + plotWidth / 2 : Self.left + plotWidth * Double(i) / Double(years.count - 1)
        }
        func y(_ v: Double) -> Double { Self.top + plotHeight * (1 - (v - low) / (high - low)) }
        // One decimal, written by hand: String(format:) costs more than the rest of a chart.
        func f(_ v: Double) -> String {
            let tenths = Int((v * 10).rounded())
            return (tenths < 0 ? "-" : "") + String(abs(tenths) / 10) + "." + String(abs(tenths) % 10)
        }
        var out =
            "<svg class=\"trend\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" "
                + "aria-label=\"\(HTMLText.escape(title))\" focusable=\"false\">"
        let tickDecimals = ticks.contains { $0 != $0.rounded() } ? max(1, min(decimals, 2)) : 0
        for t in ticks {
            out +=
                "<line class=\"grid\" x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(f(y(t)))\" "
                    + "y2=\"\(f(y(t)))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(Self.left - 4))\" y=\"\(f(y(t) + 3.5))\" "
                    + "text-anchor=\"end\">\(NumberText.decimal(t, language, fractionDigits: tickDecimals))</text>"
        }
        // School-year labels ("2023/24") need about 70 units each; the last year is always labelled.
        let step = years.count > 1 ? plotWidth / Double(years.count - 1) : plotWidth
        let every = max(1, Int((70 / step).rounded(.up)))
        for i in years.indices where i % every == (years.count - 1) % every {
            // The last year's label ends at its point so it stays inside the chart.
            out +=
                "<text class=\"tick\" x=\"\(f(x(i)))\" y=\"\(f(Self.height - 8))\" "
                    + "text-anchor=\"\(i == years.count - 1 && years.count > 1 ? "end" : "middle")\">\(label(i))</text>"
        }
        // Drawn back to front: the country first, the unit's own line last and on top.
        for s in series.reversed() {
            var d = ""
            var open = false
            for (i, v) in s.values.enumerated() {
                if let v {
                    d += "\(open ? "L" : "M")\(f(x(i))) \(f(y(v)))"
                    open = true
                } else {
                    open = false
                }
            }
            if !d.isEmpty { out += "<path class=\"line \(s.kind)\" d=\"\(d)\"/>" }
            let isolated = s.values.indices.filter { i in
                s.values[i] != nil && (i == 0 || s.values[i - 1] == nil)
                    && (i == s.values.count - 1 || s.values[i + 1] == nil)
            }
            if s.kind == "own" {
                for (i, v) in s.values.enumerated() {
                    guard let v else { continue }
                    out +=
                        "<circle class=\"point own\" cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3\"><title>\(label(i)): "
                            + "\(NumberText.decimal(v, language, fractionDigits: decimals))</title></circle>"
                }
            } else {
                for i in isolated {
                    out +=
                        "<circle class=\"point \(s.kind)\" cx=\"\(f(x(i)))\" cy=\"\(f(y(s.values[i]!)))\" r=\"2\">"
                        + "<title>\(HTMLText.escape(s.label)), \(label(i)): "
                        + "\(NumberText.decimal(s.values[i]!, language, fractionDigits: decimals))</title></circle>"
                }
            }
        }
        for (i, word) in gaps.sorted(by: { $0.key < $1.key }) where i < years.count {
            out +=
                "<rect class=\"gap\" x=\"\(f(x(i) - 3))\" y=\"\(f(Self.height - Self.bottom - 3))\" width=\"6\" "
                    + "height=\"6\"><title>\(label(i)): \(HTMLText.escape(word))</title></rect>"
        }
        out += "</svg>"
        return out
    }

}
