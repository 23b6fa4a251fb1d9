import Fluent
import Vapor

/// Discussion guides and the local dialogues held with them.
struct GuidesFeature: Feature {
    var routes: [any RouteCollection] { [GuidePages(), LocalDialoguePages(), GuideAPI()] }
    var migrations: [any Migration] { [M013Guides(), M035GuideCoPublishers()] }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await GuideExport.add(to: export, on: db)
    }
}
