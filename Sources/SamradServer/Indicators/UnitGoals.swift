import Fluent
import Foundation
import SamradCore
import Vapor

/// GoalPages: A unit's goals.
extension GoalPages {
    struct RequestView: Encodable {
        var collaboration: String; var message: String; var due: String; var indicators: [Link]
    }
    struct ListContext: Encodable {
        var page: PageContext; var name: String; var href: String; var municipalityName: String; var isSchool: Bool
        var goals: [GoalView]; var requests: [RequestView]; var mayKeep: Bool; var form: FormState;
        var indicators: [Option]; var action: String
        var agreed: [AgreedView]
    }
    /// A goal agreed in a local dialogue; `adopt` sets it against its indicator with the goal form.
    struct AgreedView: Encodable {
        var statement: String; var responsible: String; var followUp: String; var indicator: Link?
        var source: String; var dialogueHref: String; var adopt: String?
    }

    func context(_ request: Request, school: Bool, form: FormState?) async throws -> ListContext {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        let showPrivate = try await IndicatorPages.mayViewPrivate(request, subject.municipality)
        try request.require(showPrivate)
        let mayKeep = IndicatorPolicy.mayKeep(request.actor, subject.municipality)
        let goals = try await Goal.query(on: request.db).filter(\.$country == subject.unit.country.rawValue).filter(
            \.$level == subject.unit.level.rawValue
        )
        .filter(\.$unitCode == subject.unit.code).sort(\.$targetYear).all()
        // Requests of collaborations the municipality is registered in.
        let registrations = try await Registration.query(on: request.db).filter(
            \.$municipalityCountry == subject.municipality.country.rawValue
        )
        .filter(\.$municipalityCode == subject.municipality.code).filter(
            \.$status == RegistrationStatus.registered.rawValue
        ).all()
        let collaborations = try await Collaboration.query(on: request.db).filter(
            \.$id ~~ registrations.map(\.collaborationID)
        ).all()
        let titles = Dictionary(uniqueKeysWithValues: collaborations.map { ($0.id!, $0.title) })
        let requests =
            school
            ? []
            : try await GoalRequest.query(on: request.db).filter(
                \.$collaborationID ~~ registrations.map(\.collaborationID)
            ).sort(\.$createdAt, .descending).all()
        let requestTitles = Dictionary(
            uniqueKeysWithValues: requests.map { ($0.id!, titles[$0.collaborationID] ?? "") })
        let dashboard = subject.dashboard(snapshot, showPrivate: showPrivate)
        let views = goals.map {
            Self.view(
                $0, indicator: snapshot.byCode[$0.indicator], subject: dashboard, snapshot: snapshot, request: request,
                href: subject.href, requestedBy: $0.requestID.flatMap { requestTitles[$0] })
        }
        let requestViews = requests.map { r in
            RequestView(
                collaboration: titles[r.collaborationID] ?? "", message: r.message,
                due: r.dueOn.flatMap { DateText.day($0, request.language) } ?? "",
                indicators: r.indicators.map { code in
                    Link(
                        href:
                            "\(subject.href)/goals?indicator=\(code)&request=\(r.id!.uuidString.lowercased())#new-goal",
                        label: snapshot.byCode[code]?.name(request.language) ?? code)
                })
        }
        var values = form?.values ?? [:]
        if form == nil {
            // A new goal starts from the latest own value as its baseline.
            let chosen = request.query[String.self, at: "indicator"] ?? ""
            values["indicator"] = chosen
            values["request"] = request.query[String.self, at: "request"] ?? ""
            // Adopting a dialogue's goal brings its words and who is responsible.
            values["reason"] = String((request.query[String.self, at: "reason"] ?? "").prefix(2_000))
            values["owner"] = String((request.query[String.self, at: "owner"] ?? "").prefix(200))
            if let indicator = snapshot.byCode[chosen],
                let latest = IndicatorDashboard.comparison(indicator, dashboard, snapshot: snapshot).latest
            {
                values["baseline_year"] = String(latest.year)
                values["baseline_value"] =
                    latest.own.reported.map { NumberText.plain(($0 * 1000).rounded() / 1000) } ?? ""
                values["target_year"] = String(latest.year + 3)
            }
        }
        let indicators = snapshot.indicators(for: subject.unit.level, in: subject.unit.country).filter {
            $0.direction != .neutral
        }
        let followed = Set(goals.map(\.indicator))
        let dialogueGoals = school ? [] : try await AgreedGoals.of(subject.municipality, request: request)
        let agreed = dialogueGoals.map { a -> AgreedView in
            let indicator = a.indicator.flatMap { snapshot.byCode[$0] }
            let adopt =
                mayKeep && indicator != nil && !followed.contains(a.indicator ?? "")
                ? "\(subject.href)/goals?indicator=\(a.indicator!)&reason=\(Self.query(a.statement))"
                    + "&owner=\(Self.query(a.responsible))#new-goal"
                : nil
            return AgreedView(
                statement: a.statement, responsible: a.responsible,
                followUp: DateText.day(a.followUp, request.language) ?? a.followUp,
                indicator: indicator.map {
                    Link(href: "\(subject.href)/indicators#\($0.code)", label: $0.name(request.language))
                },
                source: request.t(
                    "goals.agreed_in", [a.committee, DateText.day(a.heldOn, request.language) ?? a.heldOn]),
                dialogueHref: a.dialogueHref, adopt: adopt)
        }
        return ListContext(
            page: PageContext(request, titleKey: "goals.page_title", [subject.name]), name: subject.name,
            href: subject.href,
            municipalityName: subject.municipalityName, isSchool: school, goals: views, requests: requestViews,
            mayKeep: mayKeep,
            form: form ?? FormState(values: values),
            indicators: [
                Option(
                    value: "", label: request.t("goals.choose_indicator"), selected: (values["indicator"] ?? "").isEmpty
                )
            ]
                + indicators.map {
                    Option(value: $0.code, label: $0.name(request.language), selected: values["indicator"] == $0.code)
                },
            action: subject.href + "/goals", agreed: agreed)
    }

    static func query(_ text: String) -> String {
        text.prefix(500).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    func list(_ request: Request, school: Bool) async throws -> View {
        try await request.view.render("indicators/goals", context(request, school: school, form: nil))
    }

    /// Reads a goal form; every problem named by its field.
    static func input(
        _ values: [String: String], snapshot: IndicatorSnapshot, subject: FollowUpSubject, on db: any Database
    ) async throws
        -> (indicator: Indicator, target: GoalTarget, reason: String, owner: String, requestID: UUID?)
    {
        var v = Validation()
        let indicator = snapshot.byCode[values["indicator"] ?? ""]
        if indicator == nil || indicator?.level != subject.unit.level { v.add("indicator", "goals.error.indicator") }
        let reason = v.required("reason", values["reason"], maxLength: 2_000)
        let owner = v.required("owner", values["owner"], maxLength: 200)
        var requestID: UUID?
        if let text = values["request"], !text.isEmpty {
            if let id = UUID(uuidString: text), try await GoalRequest.find(id, on: db) != nil {
                requestID = id
            } else {
                v.add("request", "validation.choice")
            }
        }
        var target: GoalTarget?
        if let indicator {
            do {
                target = try GoalTarget.validate(
                    baselineYear: values["baseline_year"], baselineValue: values["baseline_value"],
                    targetYear: values["target_year"],
                    targetValue: values["target_value"], indicator: indicator, years: 1990...2100)
            } catch let error as SamradError {
                for field in error.fieldErrors { v.add(field.field, field.messageKey, field.arguments) }
            }
        }
        try v.check()
        return (indicator!, target!, reason, owner, requestID)
    }

    static func apply(
        _ input: (indicator: Indicator, target: GoalTarget, reason: String, owner: String, requestID: UUID?),
        to goal: Goal, subject: FollowUpSubject
    ) {
        goal.level = subject.unit.level.rawValue
        goal.country = subject.unit.country.rawValue
        goal.unitCode = subject.unit.code
        goal.municipalityCode = subject.municipality.code
        goal.indicator = input.indicator.code
        goal.baselineYear = input.target.baselineYear
        goal.baselineValue = input.target.baselineValue
        goal.targetYear = input.target.targetYear
        goal.targetValue = input.target.targetValue
        goal.reason = input.reason
        goal.owner = input.owner
        goal.requestID = input.requestID
    }

    func create(_ request: Request, school: Bool) async throws -> Response {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let values = try request.content.decode([String: String].self).filter { Self.fields.contains($0.key) }
        do {
            let input = try await Self.input(values, snapshot: snapshot, subject: subject, on: request.db)
            let goal = Goal()
            Self.apply(input, to: goal, subject: subject)
            try await request.db.transaction { db in
                try await goal.save(on: db)
                try await Audit.record(
                    "goal:create", subject: "goal", id: goal.id!.uuidString,
                    summary: "\(subject.name): \(input.indicator.code)", by: request, on: db)
            }
            return request.redirect(to: subject.href + "/goals", notice: "goals.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/goals",
                context(request, school: school, form: FormState(values: values, error: error, request: request)))
        }
    }

    static func goal(_ request: Request, subject: FollowUpSubject) async throws -> Goal {
        guard let id = request.parameterID("goal"),
            let goal = try await Goal.find(id, on: request.db),
            goal.unit == subject.unit
        else { throw SamradError.notFound() }
        return goal
    }

    struct EditContext: Encodable {
        var page: PageContext; var name: String; var href: String; var form: FormState; var indicators: [Option];
        var action: String
    }

    func editContext(
        _ request: Request, subject: FollowUpSubject, goal: Goal, form: FormState, snapshot: IndicatorSnapshot
    ) -> EditContext {
        let indicators = snapshot.indicators(for: subject.unit.level, in: subject.unit.country).filter {
            $0.direction != .neutral
        }
        return EditContext(
            page: PageContext(request, titleKey: "goals.edit"), name: subject.name, href: subject.href, form: form,
            indicators: indicators.map {
                Option(value: $0.code, label: $0.name(request.language), selected: form.values["indicator"] == $0.code)
            },
            action: "\(subject.href)/goals/\(goal.id!.uuidString.lowercased())")
    }

    func editForm(_ request: Request, school: Bool) async throws -> View {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let goal = try await Self.goal(request, subject: subject)
        let values = [
            "indicator": goal.indicator, "baseline_year": String(goal.baselineYear),
            "baseline_value": NumberText.plain(goal.baselineValue),
            "target_year": String(goal.targetYear), "target_value": NumberText.plain(goal.targetValue),
            "reason": goal.reason, "owner": goal.owner,
            "request": goal.requestID?.uuidString.lowercased() ?? "",
        ]
        return try await request.view.render(
            "indicators/goal-edit",
            editContext(request, subject: subject, goal: goal, form: FormState(values: values), snapshot: snapshot))
    }

    func update(_ request: Request, school: Bool) async throws -> Response {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let goal = try await Self.goal(request, subject: subject)
        let values = try request.content.decode([String: String].self).filter { Self.fields.contains($0.key) }
        do {
            let input = try await Self.input(values, snapshot: snapshot, subject: subject, on: request.db)
            Self.apply(input, to: goal, subject: subject)
            try await request.db.transaction { db in
                try await goal.save(on: db)
                try await Audit.record(
                    "goal:update", subject: "goal", id: goal.id!.uuidString,
                    summary: "\(subject.name): \(input.indicator.code)", by: request, on: db)
            }
            return request.redirect(to: subject.href + "/goals", notice: "goals.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/goal-edit",
                editContext(
                    request, subject: subject, goal: goal,
                    form: FormState(values: values, error: error, request: request), snapshot: snapshot))
        }
    }

    func delete(_ request: Request, school: Bool) async throws -> Response {
        let snapshot = try await request.indicators()
        let subject = try FollowUpSubject.resolve(request, school: school, snapshot: snapshot)
        try request.require(IndicatorPolicy.mayKeep(request.actor, subject.municipality))
        let goal = try await Self.goal(request, subject: subject)
        try await request.db.transaction { db in
            try await goal.delete(on: db)
            try await Audit.record(
                "goal:delete", subject: "goal", id: goal.id!.uuidString, summary: "\(subject.name): \(goal.indicator)",
                by: request, on: db)
        }
        return request.redirect(to: subject.href + "/goals", notice: "goals.deleted")
    }
}
