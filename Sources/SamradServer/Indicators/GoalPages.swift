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
        let progress = indicator.map { progressOf(goal, $0, subject: subject, snapshot: snapshot) }
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
}

extension GoalPages {
    /// Where a goal stands against the unit's reported values, as its page and the reports say it.
    static func progressOf(
        _ goal: Goal, _ indicator: Indicator, subject: DashboardSubject, snapshot: IndicatorSnapshot
    ) -> GoalProgress {
        let comparison = IndicatorDashboard.comparison(indicator, subject, snapshot: snapshot)
        let series = comparison.years.compactMap { y in y.own.reported.map { (year: y.year, value: $0) } }
        return GoalProgress(
            GoalTarget(
                baselineYear: goal.baselineYear, baselineValue: goal.baselineValue, targetYear: goal.targetYear,
                targetValue: goal.targetValue, direction: indicator.direction), series: series)
    }
}

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}
