import Fluent
import Foundation
import SamradCore
import Vapor

/// Results in the browser: per question a server-drawn SVG chart (bars for choices, a distribution
/// for scales, means for numbers) with the same figures as a table, the viewer's own answer next to
/// their cluster, similar municipalities, region and all respondents, and text answers where the
/// viewer may read them. Also as CSV. The same views appear on a meeting's agenda item.
struct ResultsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let q = routes.grouped("questionnaires", ":questionnaire")
        q.get("results", use: page)
        q.spreadsheet("results", use: csv)
    }


    struct Table: Encodable { var caption: String; var headers: [String]; var rows: [[String]] }
    struct ItemView: Encodable {
        var label: String?
        var own: String?
        var chart: ResultsChart?
        var chartLabel: String
        var table: Table
        var id: String
    }
    struct QuestionView: Encodable {
        var number: Int
        /// The heading's id, unique on the page.
        var anchor: String
        var text: String
        var kindLabel: String
        var items: [ItemView]
        var texts: [String]?
        var isText: Bool
    }

    static func views(
        _ report: ResultsReport, form: QuestionnaireForm, request: Request, scope: String = "r"
    ) -> [QuestionView] {
        let language = request.language
        let hidden = request.t("questionnaires.hidden_group", [String(report.threshold)])
        let groupLabels = report.groups.map(\.label)
        return report.questions.enumerated().map { qi, result in
            let question = form.question(result.key)
            let kind = QuestionKind(rawValue: result.kind) ?? .shortText
            let unit = result.unit ?? ""
            let items: [ItemView] = result.items.enumerated().map { ii, item in
                let series = zip(groupLabels, item.groups).map { label, f in
                    ResultsChart.Series(
                        label: f.map { "\(label) (n = \($0.n))" } ?? label, shares: f?.shares, mean: f?.mean)
                }
                var chart: ResultsChart?
                var rows: [[String]] = []
                let cell: (ResultsReport.Figures?, Int) -> String = { f, c in
                    guard let f else { return hidden }
                    return "\(f.counts[c]) (\(NumberText.decimal(f.shares[c] * 100, language, fractionDigits: 0)) %)"
                }
                switch kind {
                case .singleChoice, .multipleChoice, .yesNo:
                    chart = ResultsChart.bars(
                        categories: item.codes.map(\.label), series: series, language: language, hiddenLabel: hidden)
                    rows = item.codes.enumerated().map { c, code in [code.label] + item.groups.map { cell($0, c) } }
                case .likert, .matrix:
                    let scale = question?.scale ?? AnswerScale()
                    let points = item.codes.map { code -> String in
                        if code.key == String(scale.min), !scale.low.isEmpty {
                            return "\(code.key) \(scale.low.text(language))"
                        }
                        if code.key == String(scale.max), !scale.high.isEmpty {
                            return "\(code.key) \(scale.high.text(language))"
                        }
                        return code.key
                    }
                    chart = ResultsChart.distribution(
                        points: points, series: series, low: scale.min, high: scale.max, language: language,
                        hiddenLabel: hidden)
                    rows = points.enumerated().map { c, point in [point] + item.groups.map { cell($0, c) } }
                    rows.append(
                        [request.t("questionnaires.mean")]
                            + item.groups.map { f in
                                f.map { $0.mean.map { NumberText.decimal($0, language) } ?? "–" } ?? hidden
                            })
                case .number:
                    chart = ResultsChart.means(
                        series: series, upperBound: question?.number?.max, unit: unit, language: language,
                        hiddenLabel: hidden)
                    rows.append(
                        [request.t("questionnaires.mean")]
                            + item.groups.map { f in
                                f.map { $0.mean.map { NumberText.decimal($0, language) } ?? "–" } ?? hidden
                            })
                default:
                    break
                }
                if kind.hasMean {
                    rows.append(
                        [request.t("questionnaires.spread")]
                            + item.groups.map { f in
                                f.map { $0.standardDeviation.map { NumberText.decimal($0, language) } ?? "–" } ?? hidden
                            })
                }
                rows.append(
                    [request.t("questionnaires.respondents")]
                        + item.groups.map { f in f.map { String($0.n) } ?? hidden })
                let title = item.label.map { "\(result.text) – \($0)" } ?? result.text
                return ItemView(
                    label: item.label, own: item.own.map { own(kind, $0, item: item, unit: unit, request: request) },
                    chart: chart,
                    chartLabel: request.t("questionnaires.chart_label", [title]),
                    table: Table(caption: title, headers: [""] + groupLabels, rows: rows),
                    id: "\(scope)-q\(qi + 1)-\(ii + 1)")
            }
            return QuestionView(
                number: qi + 1, anchor: "\(scope)-q\(qi + 1)", text: result.text,
                kindLabel: request.t("question_kind.\(result.kind)"), items: items, texts: result.texts,
                isText: kind.isText)
        }
    }

    /// The viewer's own answer in words: the options chosen, the point or the number.
    static func own(
        _ kind: QuestionKind, _ f: ResultsReport.Figures, item: ResultsReport.Item, unit: String, request: Request
    ) -> String {
        let answer: String
        switch kind {
        case .singleChoice, .multipleChoice, .yesNo:
            answer = item.codes.enumerated().filter { f.counts[safe: $0.offset].map { $0 > 0 } ?? false }.map(
                \.element.label
            ).joined(separator: ", ")
        default:
            answer =
                f.mean.map {
                    NumberText.decimal($0, request.language, fractionDigits: kind == .number ? 1 : 0)
                        + (unit.isEmpty ? "" : " \(unit)")
                } ?? "–"
        }
        return request.t("questionnaires.your_answer", [answer])
    }
}

extension QuestionKind {
    var hasMean: Bool { self == .likert || self == .matrix || self == .number }
}
