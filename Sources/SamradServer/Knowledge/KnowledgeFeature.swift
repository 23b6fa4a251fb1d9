import Fluent
import Vapor

/// The knowledge bank: materials written, reviewed and published, searched in full text.
struct KnowledgeFeature: Feature {
    var routes: [any RouteCollection] { [KnowledgePages(), KnowledgeAPI(), KnowledgeFeedback()] }
    var migrations: [any Migration] { [M012Knowledge(), M034MaterialFeedback()] }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await KnowledgeExport.add(to: export, on: db)
    }
}
