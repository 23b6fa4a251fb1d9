import Fluent
import Vapor

/// People and organisations: who they are, what position they hold, where they work.
struct PeopleFeature: Feature {
    var routes: [any RouteCollection] { [PeoplePages(), PeopleImport(), OrganisationPages()] }
    var migrations: [any Migration] { [M003People(), M026ErasedPeople()] }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await PeopleExport.add(to: export, on: db)
    }

    func loadDemo(into examples: DemoExamples, on db: any Database) async throws {
        try await PeopleDemo.load(into: examples, on: db)
    }
}
