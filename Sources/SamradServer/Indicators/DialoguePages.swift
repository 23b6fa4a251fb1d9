import Fluent
import Foundation
import SamradCore
import Vapor

/// The school development dialogue: a printable report per municipality or school that brings
/// together the indicators with their changes and uncertainty, the goals and their progress, the
/// next steps agreed last year and how they went, and room for this year's.
struct DialoguePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for (prefix, school) in [("municipalities", false), ("schools", true)] {
            let report = routes.grouped(PathComponent(stringLiteral: prefix), ":country", ":code", "report")
            report.get { try await self.report($0, school: school, form: nil) }
            report.post("steps") { try await self.addStep($0, school: school) }
            report.post("steps", ":step") { try await self.updateStep($0, school: school) }
            routes.grouped(PathComponent(stringLiteral: prefix), ":country", ":code").get("report.pdf") {
                try await self.pdf($0, school: school)
            }
        }
    }
    struct Summary: Encodable {
        var name: String; var unitLabel: String; var latest: String; var latestYear: String; var compared: [String]
        var yearOnYear: String; var verdict: String; var overPeriod: String; var rank: String; var svg: String;
        var notes: [String]
    }
    struct StepView: Encodable {
        var id: String; var text: String; var responsible: String; var followUp: String; var status: String;
        var statusKey: String
        var action: String; var statuses: [Option]
    }
    struct Context: Encodable {
        var page: PageContext; var name: String; var href: String; var year: Int; var schoolYear: String;
        var previousYear: String
        var printedOn: String; var groups: String; var summaries: [Summary]; var goals: [GoalPages.GoalView]
        var previousSteps: [StepView]; var steps: [StepView]; var mayKeep: Bool; var form: FormState;
        var stepAction: String; var years: [Option]
        var pdfHref: String?
        var pupilSurveys: [PupilSurveyFigures.Survey]
    }

    static func year(_ request: Request) throws -> Int {
        let current = Calendar(identifier: .gregorian).component(.year, from: Date())
        guard let text = request.query[String.self, at: "year"], !text.isEmpty else { return current }
        guard let year = Int(text), (2000...current + 1).contains(year) else {
            throw SamradError.invalid([FieldError(field: "year", "validation.choice")])
        }
        return year
    }

    func report(_ request: Request, school: Bool, form: FormState?, year chosen: Int? = nil) async throws -> View {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        let showPrivate = try await IndicatorPages.mayViewPrivate(request, subject.municipality)
        try request.require(showPrivate)
        let year = try chosen ?? Self.year(request)
        let t = IndicatorPages.t(request)
        let dashboardSubject: DashboardSubject
        if school, let s = snapshot.school(subject.unit.country, subject.unit.code) {
            dashboardSubject = DashboardSubject.school(
                s, directory: request.municipalities, snapshot: snapshot, showPrivate: true, t: t)
        } else if let m = request.municipalities[subject.municipality] {
            let clusters = try await ClusterChoice.all(
                for: m.key, chosen: request.query[String.self, at: "cluster"], actor: request.actor,
                on: request.db)
            dashboardSubject = DashboardSubject.municipality(
                m, cluster: clusters.first { $0.selected }, directory: request.municipalities, snapshot: snapshot,
                showPrivate: true, t: t)
        } else {
            throw SamradError.notFound()
        }
        let entries = IndicatorDashboard.entries(
            dashboardSubject, snapshot: snapshot, category: nil, language: request.language, t: t
        ).filter(\.hasData)
        let summaries = entries.map { e in
            Summary(
                name: e.name, unitLabel: e.unitLabel, latest: e.latest, latestYear: e.latestYear,
                compared: e.rows.last(where: { $0.ownStatus == "reported" }).map { row in
                    zip(e.headers.dropFirst(), row.cells).map { "\($0): \($1)" }
                } ?? [],
                yearOnYear: e.yearOnYear, verdict: e.yearOnYearVerdict, overPeriod: e.overPeriod, rank: e.rank,
                svg: e.svg, notes: e.notes)
        }
        let goals = try await Goal.query(on: request.db).filter(\.$country == subject.unit.country.rawValue).filter(
            \.$level == subject.unit.level.rawValue
        )
        .filter(\.$unitCode == subject.unit.code).sort(\.$targetYear).all()
        let goalViews = goals.map {
            GoalPages.view(
                $0, indicator: snapshot.byCode[$0.indicator], subject: dashboardSubject, snapshot: snapshot,
                request: request, href: subject.href, requestedBy: nil)
        }
        let steps = try await NextStep.query(on: request.db).filter(\.$country == subject.unit.country.rawValue).filter(
            \.$level == subject.unit.level.rawValue
        )
        .filter(\.$unitCode == subject.unit.code).filter(\.$year ~~ [year - 1, year]).sort(\.$createdAt).all()
        func view(_ s: NextStep) -> StepView {
            let id = s.id!.uuidString.lowercased()
            return StepView(
                id: id, text: s.text, responsible: s.responsible,
                followUp: s.followUp.flatMap { DateText.day($0, request.language) } ?? "",
                status: request.t("steps.status.\(s.status)"), statusKey: s.status,
                action: "\(subject.href)/report/steps/\(id)?year=\(year)",
                statuses: NextStep.statuses.map {
                    Option(value: $0, label: request.t("steps.status.\($0)"), selected: $0 == s.status)
                })
        }
        let current = Calendar(identifier: .gregorian).component(.year, from: Date())
        return try await request.view.render(
            "indicators/report",
            Context(
                page: PageContext(
                    request, titleKey: "report.page_title", [subject.name, ObservationValue.schoolYear(year)]),
                name: subject.name, href: subject.href,
                year: year, schoolYear: ObservationValue.schoolYear(year),
                previousYear: ObservationValue.schoolYear(year - 1),
                printedOn: DateText.date(Date(), request.language, zone: subject.unit.country.timeZoneIdentifier),
                groups: dashboardSubject.groups.map(\.label).joined(separator: ", "), summaries: summaries,
                goals: goalViews,
                previousSteps: steps.filter { $0.year == year - 1 }.map(view),
                steps: steps.filter { $0.year == year }.map(view),
                mayKeep: IndicatorPolicy.mayKeep(request.actor, subject.municipality), form: form ?? FormState(),
                stepAction: "\(subject.href)/report/steps?year=\(year)",
                years: (max(2000, current - 5)...(current + 1)).reversed().map {
                    Option(value: String($0), label: ObservationValue.schoolYear($0), selected: $0 == year)
                },
                pdfHref: ReportPDF.tool == nil ? nil : "\(subject.href)/report.pdf?year=\(year)",
                pupilSurveys: try await PupilSurveyFigures.of(
                    subject.municipality, school: school ? subject.unit.code : nil, request: request)))
    }

    /// The same report printed to PDF on the server, for filing with the dialogue's minutes.
    func pdf(_ request: Request, school: Bool) async throws -> Response {
        // Who may read it is decided first, with or without a PDF printer on this server.
        let view = try await report(request, school: school, form: nil)
        let unit = request.parameters.get("code") ?? "report"
        return try await ReportPDF.download(
            view, filename: "dialogue-report-\(unit)-\(try Self.year(request)).pdf", request: request)
    }

    func addStep(_ request: Request, school: Bool) async throws -> Response {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let year = try Self.year(request)
        let values = try request.content.decode([String: String].self).filter {
            ["text", "responsible", "follow_up"].contains($0.key)
        }
        do {
            var v = Validation()
            let text = v.required("text", values["text"], maxLength: 2_000)
            let responsible = v.required("responsible", values["responsible"], maxLength: 200)
            let followUp = v.optional("follow_up", values["follow_up"], maxLength: 10)
            if let followUp, !DateText.isISODate(followUp) { v.add("follow_up", "validation.date") }
            try v.check()
            let step = NextStep()
            step.level = subject.unit.level.rawValue
            step.country = subject.unit.country.rawValue
            step.unitCode = subject.unit.code
            step.municipalityCode = subject.municipality.code
            step.year = year
            step.text = text
            step.responsible = responsible
            step.followUp = followUp
            step.status = "agreed"
            try await request.db.transaction { db in
                try await step.save(on: db)
                try await Audit.record(
                    "next_step:create", subject: "next_step", id: step.id!.uuidString,
                    summary: "\(subject.name): \(text)", by: request, on: db)
            }
            return request.redirect(to: "\(subject.href)/report?year=\(year)#steps", notice: "steps.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await report(
                request, school: school, form: FormState(values: values, error: error, request: request), year: year
            )
            .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    func updateStep(_ request: Request, school: Bool) async throws -> Response {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let year = try Self.year(request)
        guard let id = request.parameterID("step"),
            let step = try await NextStep.find(id, on: request.db),
            step.country == subject.unit.country.rawValue, step.level == subject.unit.level.rawValue,
            step.unitCode == subject.unit.code
        else {
            throw SamradError.notFound()
        }
        let status = try request.content.get(String.self, at: "status")
        guard NextStep.statuses.contains(status) else {
            throw SamradError.invalid([FieldError(field: "status", "validation.choice")])
        }
        step.status = status
        try await request.db.transaction { db in
            try await step.save(on: db)
            try await Audit.record(
                "next_step:update", subject: "next_step", id: step.id!.uuidString,
                summary: "\(subject.name): \(status)", by: request, on: db)
        }
        return request.redirect(to: "\(subject.href)/report?year=\(year)#steps", notice: "steps.updated")
    }
}
