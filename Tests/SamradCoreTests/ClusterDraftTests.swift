import Foundation
import SamradCore
import XCTest

final class ClusterDraftTests: XCTestCase {
    let a = MunicipalityKey(.dk, "751"), b = MunicipalityKey(.dk, "461"), c = MunicipalityKey(.dk, "101")

    func draft(_ groups: [ClusterDraft.Group]) -> ClusterDraft { ClusterDraft(settings: .init(), groups: groups) }

    func keys(_ draft: ClusterDraft, registered: Set<MunicipalityKey>, facilitators: Set<UUID> = []) -> [String] {
        do {
            try draft.validate(registered: registered, facilitators: facilitators)
            return []
        } catch let error as SamradError {
            return error.fieldErrors.map { "\($0.field) \($0.messageKey)" }
        } catch {
            return ["\(error)"]
        }
    }

    func testAPlanOfRegisteredMunicipalitiesEachPlacedOnceIsAccepted() {
        let facilitator = UUID()
        let plan = draft([
            .init(name: "Nord", wave: 1, facilitatorID: facilitator, members: [a, b]),
            .init(name: "Syd", wave: 2, facilitatorID: nil, members: [c]),
        ])
        XCTAssertEqual(keys(plan, registered: [a, b, c], facilitators: [facilitator]), [])
        XCTAssertEqual(ClusterDraft.members(fromPlanText: plan.planText), [[a, b], [c]])
    }

    func testEachMistakeIsNamedOnItsField() {
        let plan = draft([
            .init(name: "Nord", wave: 5, facilitatorID: UUID(), members: [a, b]),
            .init(name: " nord ", wave: 1, facilitatorID: nil, members: [b, MunicipalityKey(.se, "0180")]),
            .init(name: "", wave: 1, facilitatorID: nil, members: []),
        ])
        XCTAssertEqual(
            keys(plan, registered: [a, b]),
            [
                "wave_0 validation.range", "facilitator_0 clusters.error.facilitator",
                "name_1 clusters.error.name_twice", "clusters clusters.error.twice",
                "clusters clusters.error.not_registered",
                "name_2 validation.required", "name_2 clusters.error.empty",
            ])
        XCTAssertEqual(keys(draft([]), registered: [a]), ["clusters clusters.error.none"])
        XCTAssertNil(ClusterDraft.members(fromPlanText: "dk/751,nowhere"))
    }
}
