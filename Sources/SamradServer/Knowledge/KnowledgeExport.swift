import Fluent
import Foundation
import SamradCore

/// materials.json of a municipality's export: its published materials (Markdown bodies).
enum KnowledgeExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let materials = try await KnowledgeMaterial.query(on: db).filter(\.$municipalityCountry == country)
            .filter(\.$municipalityCode == code).filter(\.$status == EditorialStatus.published.rawValue)
            .sort(\.$publishedAt).all()
        struct MaterialRecord: Encodable {
            var address: String; var kind: String; var title: String; var summary: String; var body: String
            var themes: [String]; var authors: [String]; var school: String?; var language: String
            var licence: String; var visibility: String; var publishedAt: Date?
        }
        try export.json(
            "materials.json", "Published materials of the knowledge bank from the municipality (Markdown bodies).",
            materials.map {
                MaterialRecord(
                    address: $0.href, kind: $0.kind, title: $0.title, summary: $0.summary,
                    body: $0.body, themes: $0.themes, authors: $0.authors, school: $0.school,
                    language: $0.language, licence: $0.licence, visibility: $0.visibility,
                    publishedAt: $0.publishedAt)
            })
    }
}
