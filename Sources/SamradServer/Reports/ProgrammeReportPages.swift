import Fluent
import Foundation
import SamradCore
import Vapor

/// A programme's report: the same figures for each of its tracks side by side (the political
/// forum and the professional collaborations of one year), each leading to its own report.
struct ProgrammeReportPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("programmes", ":slug", "report", use: page)
        routes.get("programmes", ":slug", "report.pdf", use: pdf)
    }

    struct Track: Encodable {
        var title: String; var href: String; var municipalities: Int; var meetings: Int; var attendance: String
        var commitments: String; var questionnaires: Int; var goals: String; var materials: Int
        var isTotal = false
    }
    struct Context: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var periodLabel: String
        var periods: [Option]
        /// Each track, then the programme's total.
        var tracks: [Track]
        var printed: String
        var pdfHref: String?
    }

    static func context(_ request: Request) async throws -> Context {
        let (programme, tracks) = try await ProgrammeAccess.load(request)
        try request.require(CollaborationPolicy.mayReadReport(request.actor, organiserID: programme.organiserID))
        let period = try ReportPeriod.parse(request.query[String.self, at: "year"])
        let language = request.language
        var reports: [CollaborationReport] = []
        for track in tracks {
            reports.append(try await CollaborationReport.make(track, period: period, request: request))
        }
        func of(_ a: Int, _ b: Int) -> String { request.t("annual_report.of", [String(a), String(b)]) }
        func row(_ title: String, _ href: String, _ rs: [CollaborationReport]) -> Track {
            let commitments = rs.map { $0.commitments($0.meetings) }.reduce(CommitmentTally(), +)
            let goals = rs.map { $0.goalsOnCourse(Set($0.participants)) }
            return Track(
                title: title, href: href, municipalities: Set(rs.flatMap(\.participants)).count,
                meetings: rs.map(\.meetings.count).reduce(0, +),
                attendance: CollaborationReportPages.percent(
                    rs.map(\.attendance).reduce(AttendanceTally(), +).rate, language),
                commitments: of(commitments.done, commitments.total),
                questionnaires: rs.map(\.questionnaires.count).reduce(0, +),
                goals: of(goals.map(\.onCourse).reduce(0, +), goals.map(\.total).reduce(0, +)),
                materials: rs.map(\.materials.count).reduce(0, +))
        }
        let years = Set(reports.flatMap(\.years)).sorted(by: >)
        var total = row(request.t("annual_report.programme_total"), "", reports)
        total.isTotal = true
        let chosen: Int? = if case .year(let y) = period { y } else { nil }
        let href = "/programmes/\(programme.slug)"
        let today = reports.first?.today ?? String(DateText.local(Date(), zone: "Europe/Copenhagen").prefix(10))
        return Context(
            page: PageContext(request, titleKey: "annual_report.page_title", [programme.title]),
            title: programme.title, href: href,
            periodLabel: chosen.map { request.t("annual_report.year_title", [String($0)]) }
                ?? request.t("annual_report.final_title"),
            periods: [Option(value: "", label: request.t("annual_report.final_title"), selected: chosen == nil)]
                + years.map { Option(value: String($0), label: String($0), selected: chosen == $0) },
            tracks: reports.map {
                row($0.collaboration.title, "/collaborations/\($0.collaboration.slug)/report\(period.query)", [$0])
            } + [total],
            printed: DateText.day(today, language) ?? today,
            pdfHref: ReportPDF.tool == nil ? nil : "\(href)/report.pdf\(period.query)")
    }

    func page(_ request: Request) async throws -> View {
        try await request.view.render("reports/programme", Self.context(request))
    }

    func pdf(_ request: Request) async throws -> Response {
        let context = try await Self.context(request)
        let view = try await request.view.render("reports/programme", context)
        let year = request.query[String.self, at: "year"].flatMap { $0.isEmpty ? nil : $0 } ?? "final"
        return try await ReportPDF.download(
            view, filename: "report-\(request.parameters.get("slug") ?? "programme")-\(year).pdf", request: request)
    }
}
