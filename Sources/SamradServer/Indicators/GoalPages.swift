import Fluent
import Foundation
import SamradCore
import Vapor

/// A municipality or school whose goals and dialogue are kept: found from the page's path.
struct FollowUpSubject {
    var unit: UnitKey
    var name: String
    var municipality: MunicipalityKey
    var municipalityName: String
    var href: String

    static func resolve(_ request: Request, school: Bool, snapshot: IndicatorSnapshot) throws -> FollowUpSubject {
        if school {
            let s = try IndicatorPages.school(request, snapshot)
            return FollowUpSubject(
                unit: s.unit, name: s.name, municipality: s.municipality,
                municipalityName: request.municipalities[s.municipality]?.name ?? s.municipality.code, href: s.href)
        }
        let m = try MunicipalityAccess.load(request)
        return FollowUpSubject(
            unit: UnitKey(m.key), name: m.name, municipality: m.key, municipalityName: m.name,
            href: "/municipalities/\(m.country.rawValue)/\(m.code)")
    }

    /// The subject for comparisons, with its own private figures when the viewer may see them.
    func dashboard(_ snapshot: IndicatorSnapshot, showPrivate: Bool) -> DashboardSubject {
        let own =
            showPrivate
            ? (snapshot.privates[municipality.description] ?? [:]).mapValues { $0.filter { $0.unit == unit } } : [:]
        return DashboardSubject(unit: unit, name: name, municipality: municipality, groups: [], own: own)
    }
}

/// Goals of a municipality or school, with progress; and a collaboration's request for goals on
/// chosen indicators, answered side by side.
struct GoalPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for (prefix, school) in [("municipalities", false), ("schools", true)] {
            let unit = routes.grouped(PathComponent(stringLiteral: prefix), ":country", ":code", "goals")
            unit.get { try await self.list($0, school: school) }
            unit.post { try await self.create($0, school: school) }
            unit.get(":goal", "edit") { try await self.editForm($0, school: school) }
            unit.post(":goal") { try await self.update($0, school: school) }
            unit.post(":goal", "delete") { try await self.delete($0, school: school) }
        }
        routes.get("collaborations", ":slug", "goals", use: collaborationGoals)
        routes.post("collaborations", ":slug", "goals", use: requestGoals)
    }

    static let fields = [
        "indicator", "baseline_year", "baseline_value", "target_year", "target_value", "reason", "owner", "request",
    ]

    // MARK: Progress

    struct GoalView: Encodable {
        var id: String; var indicator: String; var indicatorName: String; var unitLabel: String
        var baseline: String; var target: String; var latest: String; var expected: String
        var status: String; var statusKey: String; var percent: Int; var reason: String; var owner: String
        var requestedBy: String?; var editHref: String; var deleteAction: String
    }

    static func view(
        _ goal: Goal, indicator: Indicator?, subject: DashboardSubject, snapshot: IndicatorSnapshot, request: Request,
        href: String,
        requestedBy: String?
    ) -> GoalView {
        let language = request.language
        let id = goal.id!.uuidString.lowercased()
        func number(_ v: Double?) -> String {
            indicator.map { IndicatorDashboard.number(v, $0, language) } ?? (v.map { NumberText.plain($0) } ?? "")
        }
        var progress: GoalProgress?
        if let indicator {
            let comparison = IndicatorDashboard.comparison(indicator, subject, snapshot: snapshot)
            let series = comparison.years.compactMap { y in y.own.reported.map { (year: y.year, value: $0) } }
            progress = GoalProgress(
                GoalTarget(
                    baselineYear: goal.baselineYear, baselineValue: goal.baselineValue, targetYear: goal.targetYear,
                    targetValue: goal.targetValue, direction: indicator.direction), series: series)
        }
        let status = progress?.status ?? .awaitingData
        return GoalView(
            id: id, indicator: goal.indicator, indicatorName: indicator?.name(language) ?? goal.indicator,
            unitLabel: indicator.map { request.t("indicators.unit.\($0.unit.rawValue)") } ?? "",
            baseline: request.t(
                "goals.value_in", [number(goal.baselineValue), ObservationValue.schoolYear(goal.baselineYear)]),
            target: request.t(
                "goals.value_by", [number(goal.targetValue), ObservationValue.schoolYear(goal.targetYear)]),
            latest: progress?.latestYear.map {
                request.t("goals.value_in", [number(progress?.latestValue), ObservationValue.schoolYear($0)])
            } ?? "",
            expected: progress?.expected.map { number($0) } ?? "",
            status: request.t("goals.status.\(status.rawValue)"), statusKey: status.rawValue,
            percent: Int(((progress?.fraction ?? 0) * 100).rounded()).clamped(0, 100), reason: goal.reason,
            owner: goal.owner,
            requestedBy: requestedBy, editHref: "\(href)/goals/\(id)/edit", deleteAction: "\(href)/goals/\(id)/delete")
    }

    // MARK: A unit's goals

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

    // MARK: A collaboration's goals side by side

    struct Cell: Encodable { var goals: [GoalView] }
    struct Row: Encodable { var name: String; var href: String; var cells: [Cell] }
    struct CollaborationContext: Encodable {
        var page: PageContext; var title: String; var href: String; var headers: [String]; var rows: [Row];
        var requests: [RequestView]
        var mayRequest: Bool; var form: FormState; var indicators: [Option]; var action: String
    }

    func collaborationContext(_ request: Request, form: FormState) async throws -> CollaborationContext {
        let c = try await CollaborationAccess.load(request)
        let registered = try await Registration.registeredMunicipalities(c.requireID(), on: request.db)
        let isParticipant = registered.contains { request.actor.belongs(to: $0) }
        try request.require(
            IndicatorPolicy.mayViewCollaborationGoals(
                request.actor, organiserID: c.organiserID, isParticipant: isParticipant))
        let snapshot = try await request.indicators()
        let requests = try await GoalRequest.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$createdAt
        ).all()
        var codes: [String] = []
        for r in requests { for code in r.indicators where !codes.contains(code) { codes.append(code) } }
        let goals =
            requests.isEmpty
            ? [] : try await Goal.query(on: request.db).filter(\.$requestID ~~ requests.map { $0.id! }).all()
        let directory = request.municipalities
        let href = "/collaborations/\(c.slug)"
        let rows = registered.sorted { directory.order(of: $0) < directory.order(of: $1) }.map { key in
            let m = directory[key]
            let subject = DashboardSubject(
                unit: UnitKey(key), name: m?.name ?? key.code, municipality: key, groups: [], own: [:])
            let mine = goals.filter {
                $0.country == key.country.rawValue && $0.unitCode == key.code
                    && $0.level == IndicatorLevel.municipality.rawValue
            }
            return Row(
                name: m?.name ?? key.code, href: "/municipalities/\(key.country.rawValue)/\(key.code)",
                cells: codes.map { code in
                    Cell(
                        goals: mine.filter { $0.indicator == code }.map {
                            Self.view(
                                $0, indicator: snapshot.byCode[code], subject: subject, snapshot: snapshot,
                                request: request,
                                href: "/municipalities/\(key.country.rawValue)/\(key.code)", requestedBy: nil)
                        })
                })
        }
        let countries = Set(registered.map(\.country))
        let offered = snapshot.catalogue.filter {
            $0.level == .municipality && $0.direction != .neutral && ($0.country.map { countries.contains($0) } ?? true)
        }
        let chosen = Set((form.values["indicators"] ?? "").split(separator: ",").map(String.init))
        return CollaborationContext(
            page: PageContext(request, titleKey: "goals.collaboration_title", [c.title]), title: c.title, href: href,
            headers: codes.map { snapshot.byCode[$0]?.name(request.language) ?? $0 }, rows: rows,
            requests: requests.map { r in
                RequestView(
                    collaboration: c.title, message: r.message,
                    due: r.dueOn.flatMap { DateText.day($0, request.language) } ?? "",
                    indicators: r.indicators.map {
                        Link(href: "/indicators", label: snapshot.byCode[$0]?.name(request.language) ?? $0)
                    })
            },
            mayRequest: IndicatorPolicy.mayRequestGoals(request.actor, organiserID: c.organiserID), form: form,
            indicators: offered.map {
                Option(value: $0.code, label: $0.name(request.language), selected: chosen.contains($0.code))
            }, action: href + "/goals")
    }

    func collaborationGoals(_ request: Request) async throws -> View {
        try await request.view.render(
            "indicators/collaboration-goals", collaborationContext(request, form: FormState()))
    }

    func requestGoals(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(IndicatorPolicy.mayRequestGoals(request.actor, organiserID: c.organiserID))
        struct Form: Content { var indicators: [String]?; var message: String?; var due_on: String? }
        let form = try request.content.decode(Form.self)
        let chosen = (form.indicators ?? []).filter { !$0.isEmpty }
        let values = [
            "indicators": chosen.joined(separator: ","), "message": form.message ?? "", "due_on": form.due_on ?? "",
        ]
        do {
            var v = Validation()
            let snapshot = try await request.indicators()
            if chosen.isEmpty { v.add("indicators", "goals.error.no_indicators") }
            if chosen.contains(where: { snapshot.byCode[$0]?.level != .municipality }) {
                v.add("indicators", "validation.choice")
            }
            let message = v.required("message", form.message, maxLength: 2_000)
            let due = v.optional("due_on", form.due_on, maxLength: 10)
            if let due, !DateText.isISODate(due) { v.add("due_on", "validation.date") }
            try v.check()
            let goalRequest = GoalRequest()
            goalRequest.collaborationID = try c.requireID()
            goalRequest.indicators = chosen
            goalRequest.message = message
            goalRequest.dueOn = due
            try await request.db.transaction { db in
                try await goalRequest.save(on: db)
                try await Audit.record(
                    "goal_request:create", subject: "collaboration", id: c.slug,
                    summary: chosen.joined(separator: ", "), by: request, on: db)
            }
            return request.redirect(to: "/collaborations/\(c.slug)/goals", notice: "goals.requested")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/collaboration-goals",
                collaborationContext(request, form: FormState(values: values, error: error, request: request)))
        }
    }
}

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}
