import Fluent
import Foundation
import SamradCore
import Vapor

/// The annual (`?year=`) and final report of a collaboration, for its funder, the association's
/// board and the dialogue with the state: printable, and as PDF where the server has Chromium.
struct CollaborationReportPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("collaborations", ":slug", "report", use: page)
        routes.get("collaborations", ":slug", "report.pdf", use: pdf)
    }

    struct Figure: Encodable { var label: String; var value: String; var note: String? }
    struct CountryGroup: Encodable { var country: String; var count: String; var names: String }
    struct ClusterRow: Encodable {
        var name: String; var municipalities: String; var meetings: Int; var attendance: String
        var commitments: String; var goals: String
    }
    struct CommitmentView: Encodable { var text: String; var owner: String; var state: String }
    struct MeetingRow: Encodable {
        var date: String; var title: String; var href: String; var place: String; var registered: Int
        var checkedIn: Int; var rate: String; var decisions: [String]; var commitments: [CommitmentView]
    }
    struct GoalRow: Encodable { var indicator: String; var counts: [Figure]; var total: Int }
    struct QuestionnaireBlock: Encodable {
        var title: String; var href: String; var anchor: String; var response: String
        var questions: [ResultsSummary.Question]; var note: String?
    }
    struct MaterialRow: Encodable { var title: String; var href: String; var kind: String; var published: String }
    struct Context: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var periodLabel: String
        var periods: [Option]
        var facts: [Figure]
        var figures: [Figure]
        var participants: [CountryGroup]
        var clusters: [ClusterRow]
        var meetings: [MeetingRow]
        var goalHeaders: [String]
        var goals: [GoalRow]
        var questionnaires: [QuestionnaireBlock]
        var materials: [MaterialRow]
        var moreMaterials: String?
        var noMaterials: Bool
        var pdfHref: String?
    }

    static func load(_ request: Request) async throws -> CollaborationReport {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayReadReport(request.actor, organiserID: c.organiserID))
        let period = try ReportPeriod.parse(request.query[String.self, at: "year"])
        return try await CollaborationReport.make(c, period: period, request: request)
    }

    func page(_ request: Request) async throws -> View {
        try await request.view.render("reports/collaboration", Self.context(try await Self.load(request), request))
    }

    func pdf(_ request: Request) async throws -> Response {
        let report = try await Self.load(request)
        let view = try await request.view.render("reports/collaboration", Self.context(report, request))
        let period = report.period.query.isEmpty ? "final" : report.period.query.dropFirst(6).description
        return try await ReportPDF.download(
            view, filename: "report-\(report.collaboration.slug)-\(period).pdf", request: request)
    }

    static func percent(_ share: Double?, _ language: Language) -> String {
        share.map { NumberText.decimal($0 * 100, language, fractionDigits: 0) + " %" } ?? "–"
    }

    static func context(_ r: CollaborationReport, _ request: Request) async throws -> Context {
        let c = r.collaboration, language = request.language, directory = request.municipalities
        let href = "/collaborations/\(c.slug)"
        func name(_ key: MunicipalityKey) -> String { directory[key]?.name ?? key.code }
        let periodLabel: String
        switch r.period {
        case .year(let year): periodLabel = request.t("annual_report.year_title", [String(year)])
        case .whole: periodLabel = request.t("annual_report.final_title")
        }
        let attendance = r.attendance
        let commitments = r.commitments(r.meetings)
        var facts = [Figure(label: request.t("annual_report.period"), value: periodLabel)]
        if let start = c.periodStart.flatMap({ DateText.day($0, language) }) {
            let end = c.periodEnd.flatMap { DateText.day($0, language) } ?? ""
            facts.append(Figure(label: request.t("annual_report.runs"), value: "\(start) – \(end)"))
        }
        if let body = c.hostBody, !body.isEmpty {
            facts.append(Figure(label: request.t("collaborations.host_body"), value: body))
        }
        if let number = c.caseNumber, !number.isEmpty {
            facts.append(Figure(label: request.t("collaborations.case_number"), value: number))
        }
        facts.append(
            Figure(
                label: request.t("report.printed"),
                value: DateText.day(r.today, language) ?? r.today))
        let figures = [
            Figure(
                label: request.t("annual_report.municipalities"),
                value: NumberText.integer(r.participants.count, language)),
            Figure(
                label: request.t("annual_report.meetings_held"), value: NumberText.integer(r.meetings.count, language)),
            Figure(
                label: request.t("annual_report.attendance"), value: percent(attendance.rate, language),
                note: request.t(
                    "annual_report.attendance_note", count: attendance.registered,
                    [NumberText.integer(attendance.checkedIn, language)])),
            Figure(
                label: request.t("annual_report.commitments_kept"),
                value: request.t(
                    "annual_report.of", [NumberText.integer(commitments.done, language), String(commitments.total)]),
                note: commitments.overdue == 0
                    ? nil : request.t("annual_report.overdue", count: commitments.overdue)),
            Figure(
                label: request.t("annual_report.questionnaires"),
                value: NumberText.integer(r.questionnaires.count, language)),
            Figure(
                label: request.t("annual_report.goals_on_course"),
                value: {
                    let g = r.goalsOnCourse(Set(r.participants))
                    return request.t("annual_report.of", [String(g.onCourse), String(g.total)])
                }()),
            Figure(
                label: request.t("annual_report.materials"), value: NumberText.integer(r.materials.count, language)),
        ]
        let byCountry = Dictionary(grouping: r.participants, by: \.country)
        let participants = Country.allCases.compactMap { country -> CountryGroup? in
            guard let keys = byCountry[country], !keys.isEmpty else { return nil }
            return CountryGroup(
                country: request.t("country.\(country.rawValue)"),
                count: request.t("annual_report.municipality_count", count: keys.count),
                names: keys.map(name).joined(separator: ", "))
        }
        func clusterRow(_ label: String, _ held: [CollaborationReport.HeldMeeting], _ among: [MunicipalityKey]?)
            -> ClusterRow
        {
            let kept = r.commitments(held)
            let goals = r.goalsOnCourse(Set(among ?? r.participants))
            return ClusterRow(
                name: label, municipalities: among.map { $0.map(name).joined(separator: ", ") } ?? "",
                meetings: held.count,
                attendance: percent(held.map(\.attendance).reduce(AttendanceTally(), +).rate, language),
                commitments: request.t("annual_report.of", [String(kept.done), String(kept.total)]),
                goals: request.t("annual_report.of", [String(goals.onCourse), String(goals.total)]))
        }
        let clusters =
            r.clusters.isEmpty
            ? []
            : r.clusters.map { clusterRow($0.name, r.meetings(of: $0.id), r.members(of: $0.id!)) }
                + [clusterRow(request.t("annual_report.all_clusters"), r.meetings(of: nil), nil)]
        let clusterNames = Dictionary(uniqueKeysWithValues: r.clusters.map { ($0.id!, $0.name) })
        let meetings = r.meetings.map { held -> MeetingRow in
            let m = held.meeting
            var place = [m.clusterID.flatMap { clusterNames[$0] }].compactMap { $0 }
            if let country = m.hostCountry.flatMap(Country.init(rawValue:)), let code = m.hostCode {
                place.append(request.t("annual_report.hosted_by", [name(MunicipalityKey(country, code))]))
            }
            return MeetingRow(
                date: DateText.date(m.startsAt, language, zone: m.timeZone), title: m.title, href: m.href,
                place: place.joined(separator: " · "), registered: held.attendance.registered,
                checkedIn: held.attendance.checkedIn, rate: percent(held.attendance.rate, language),
                decisions: m.decisions,
                commitments: held.commitments.map { k in
                    let done = k.status == Commitment.Status.done.rawValue
                    let due = k.dueDate.flatMap { DateText.day($0, language) }
                    let state =
                        done
                        ? request.t("annual_report.commitment_done")
                        : due.map { request.t("annual_report.commitment_due", [$0]) }
                            ?? request.t("annual_report.commitment_open")
                    return CommitmentView(
                        text: k.text, owner: [k.owner, k.municipality.map(name)].compactMap { $0 }
                            .filter { !$0.isEmpty }.joined(separator: ", "), state: state)
                })
        }
        let statuses: [GoalStatus] = [.achieved, .onTrack, .behind, .awaitingData, .missed]
        var indicators: [String] = []
        for g in r.goals where !indicators.contains(g.indicator) { indicators.append(g.indicator) }
        let goals = indicators.map { code in
            let mine = r.goals.filter { $0.indicator == code }
            return GoalRow(
                indicator: mine.first?.indicatorName ?? code,
                counts: statuses.map { s in
                    Figure(
                        label: request.t("goals.status.\(s.rawValue)"),
                        value: String(mine.filter { $0.status == s }.count))
                }, total: mine.count)
        }
        var questionnaires: [QuestionnaireBlock] = []
        for q in r.questionnaires {
            let count = try await ResponseCount.of(q, request: request)
            let access = QuestionnaireAccess(questionnaire: q, origin: .collaboration(c), actor: request.actor)
            let scope = "q" + q.id!.uuidString.prefix(8).lowercased()
            var questions: [ResultsSummary.Question] = []
            var note: String?
            do {
                questions = try await ResultsSummary.questions(access, scope: scope, request: request)
            } catch let error as SamradError where error.kind == .forbidden {
                note = request.t("questionnaires.error.results_not_published")
            }
            questionnaires.append(
                QuestionnaireBlock(
                    title: q.title, href: q.href + "/results", anchor: scope,
                    response: request.t(
                        "annual_report.responses", count: count.asked,
                        [String(count.submitted), percent(count.asked == 0 ? nil : Double(count.submitted)
                            / Double(count.asked), language)]),
                    questions: questions, note: note))
        }
        // The report goes beyond the collaboration (to a funder, a board): it names the public
        // materials and only counts the others.
        let shown = r.materials.filter { $0.visibilityValue == .public }
        let materials = shown.map {
            MaterialRow(
                title: $0.title, href: $0.href, kind: request.t("knowledge.kind.\($0.kindValue.rawValue)"),
                published: $0.publishedAt.map { DateText.date($0, language, zone: c.timeZone) } ?? "")
        }
        let hidden = r.materials.count - shown.count
        let chosen: Int? = if case .year(let y) = r.period { y } else { nil }
        let query = r.period.query
        return Context(
            page: PageContext(request, titleKey: "annual_report.page_title", [c.title]), title: c.title, href: href,
            periodLabel: periodLabel,
            periods: [Option(value: "", label: request.t("annual_report.final_title"), selected: chosen == nil)]
                + r.years.map { Option(value: String($0), label: String($0), selected: chosen == $0) },
            facts: facts, figures: figures, participants: participants, clusters: clusters, meetings: meetings,
            goalHeaders: statuses.map { request.t("goals.status.\($0.rawValue)") }, goals: goals,
            questionnaires: questionnaires, materials: materials,
            moreMaterials: hidden == 0 ? nil : request.t("annual_report.more_materials", count: hidden),
            noMaterials: r.materials.isEmpty,
            pdfHref: ReportPDF.tool == nil ? nil : "\(href)/report.pdf\(query)")
    }
}

extension ReportPeriod {
    /// The query that asks for this period again ("?year=2015", or nothing for the whole).
    var query: String {
        if case .year(let year) = self { return "?year=\(year)" }
        return ""
    }
}
