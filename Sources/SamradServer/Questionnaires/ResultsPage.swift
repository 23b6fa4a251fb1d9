import Fluent
import Foundation
import SamradCore
import Vapor

/// ResultsPages: the page.
extension ResultsPages {
    struct PageData: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var mayBuild: Bool
        var viewpoints: [Option]
        var viewpointName: String?
        var respondents: Int
        var note: String
        var published: String
        var questions: [QuestionView]
        var downloads: [DownloadLinks]
    }

    func page(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.load(request)
        let q = access.questionnaire
        let chosen = request.query[String.self, at: "municipality"]
        let report = try await ResultsReport.make(access, viewpoint: chosen, request: request)
        var viewpoints: [Option] = []
        if q.audienceValue.isSurvey {
            viewpoints = try await SurveyReport.options(access, selected: report.viewpoint, request: request)
        } else if access.mayBuild {
            let units = try await QuestionnaireAccess.audience(q, on: request.db)
            let people = Dictionary(
                uniqueKeysWithValues: try await Person.query(on: request.db).filter(\.$id ~~ q.people).all().map {
                    ($0.id!, $0.name)
                })
            viewpoints =
                [Option(value: "", label: request.t("questionnaires.view_all"), selected: report.viewpoint == nil)]
                + units.map {
                    Option(
                        value: $0.path,
                        label: QuestionnaireSending.unitName($0, directory: request.municipalities, people: people),
                        selected: report.viewpoint == $0.path)
                }
        }
        let published: String
        if let at = q.publishedAt {
            published = request.t(
                "questionnaires.published_to",
                [
                    request.t("results_visibility.\(q.visibility)"),
                    DateText.date(at, request.language, zone: access.timeZone),
                ])
        } else {
            published = request.t("questionnaires.not_published")
        }
        let query =
            report.viewpoint.map {
                "?municipality=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0)"
            } ?? ""
        return try await request.view.render(
            "questionnaires/results",
            PageData(
                page: PageContext(request, titleKey: "questionnaires.results_title", [q.title]), title: q.title,
                href: q.href, mayBuild: access.mayBuild,
                viewpoints: viewpoints, viewpointName: report.viewpointName, respondents: report.respondents,
                note: request.t("questionnaires.suppression_note", [String(report.threshold)]), published: published,
                questions: Self.views(report, form: q.form, request: request),
                downloads: [
                    DownloadLinks(
                        base: "\(q.href)/results", query: query, label: request.t("questionnaires.results_csv"))
                ])
        )
    }

    /// The figures the viewer sees, one row per question, statement, group and option (or mean):
    /// hidden groups are left out, never written as zero.
    func csv(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.load(request)
        let report = try await ResultsReport.make(
            access, viewpoint: request.query[String.self, at: "municipality"], request: request)
        var csv = CSVWriter(header: [
            "question", "statement", "group_kind", "group", "respondents", "value", "count", "share", "mean",
            "standard_deviation",
        ])
        func number(_ d: Double?) -> String { d.map { String(format: "%.4f", $0) } ?? "" }
        for question in report.questions {
            for item in question.items {
                for (g, figures) in zip(report.groups, item.groups) {
                    guard let f = figures else { continue }
                    if item.codes.isEmpty {
                        csv.append([
                            question.key, item.statement ?? "", g.kind, g.label, String(f.n), "", "", "",
                            number(f.mean), number(f.standardDeviation),
                        ])
                    }
                    for (c, code) in item.codes.enumerated() {
                        csv.append([
                            question.key, item.statement ?? "", g.kind, g.label, String(f.n), code.key,
                            String(f.counts[c]), number(f.shares[c]),
                            number(f.mean), number(f.standardDeviation),
                        ])
                    }
                }
            }
        }
        return try csv.download(request, name: "\(QuestionnairePages.fileName(access.questionnaire))-results")
    }
}
