import Fluent
import SamradCore

/// people.csv of a municipality's export.
enum PeopleExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let people = try await PersonNames.ofMunicipality(export, on: db)
        export.csv(
            "people.csv",
            "The municipality's people in Samrad: politicians, administration, school leaders, teachers.",
            ["name", "email", "phone", "position", "title"],
            people.map { [$0.name, $0.email ?? "", $0.phone ?? "", $0.position, $0.title ?? ""] })
    }
}
