import Fluent
import Foundation
import SamradCore
import Vapor

/// What Indicators offers a collaboration's report: the goals its registered municipalities set on
/// the indicators its organiser asked for, each with where it stands on the published figures (as
/// the collaboration's goals page shows them; never a municipality's private figures).
enum CollaborationGoalStanding {
    struct Entry: Sendable {
        var municipality: MunicipalityKey
        var indicator: String
        var indicatorName: String
        var status: GoalStatus
    }

    static func entries(
        collaborationID: UUID, municipalities: [MunicipalityKey], request: Request
    ) async throws -> [Entry] {
        let requests = try await GoalRequest.query(on: request.db).filter(\.$collaborationID == collaborationID)
            .all()
        guard !requests.isEmpty, !municipalities.isEmpty else { return [] }
        let asked = Set(requests.flatMap(\.indicators))
        let registered = Set(municipalities)
        let goals = try await Goal.query(on: request.db).filter(\.$requestID ~~ requests.map { $0.id! })
            .filter(\.$level == IndicatorLevel.municipality.rawValue).all()
        let snapshot = try await request.indicators()
        let directory = request.municipalities
        return goals.compactMap { goal in
            guard asked.contains(goal.indicator), let country = Country(rawValue: goal.country) else { return nil }
            let key = MunicipalityKey(country, goal.unitCode)
            guard registered.contains(key) else { return nil }
            let indicator = snapshot.byCode[goal.indicator]
            let subject = DashboardSubject(
                unit: UnitKey(key), name: directory[key]?.name ?? key.code, municipality: key, groups: [], own: [:])
            let status =
                indicator.map { GoalPages.progressOf(goal, $0, subject: subject, snapshot: snapshot).status }
                ?? .awaitingData
            return Entry(
                municipality: key, indicator: goal.indicator,
                indicatorName: indicator?.name(request.language) ?? goal.indicator, status: status)
        }
    }
}
