import Fluent
import Foundation
import SamradCore
import Vapor

/// DirectoryPages: query.
extension DirectoryPages {
    /// Reads and checks the filters; a bad value is a message naming its parameter.
    static func query(_ request: Request, paged: Bool = true) throws -> MunicipalityQuery {
        var validation = Validation()
        var query = MunicipalityQuery()
        if let country = request.query[String.self, at: "country"], !country.isEmpty {
            if let parsed = Country(rawValue: country.lowercased()) {
                query.country = parsed
            } else {
                validation.add("country", "validation.country")
            }
        }
        query.region = request.query[String.self, at: "region"].flatMap { $0.isEmpty ? nil : $0 }
        query.group = request.query[String.self, at: "group"].flatMap { $0.isEmpty ? nil : $0 }
        query.text = request.query[String.self, at: "q"].flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
        if paged {
            if let page = request.query[String.self, at: "page"], !page.isEmpty {
                if let value = Int(page), value >= 1, value <= 100_000 {
                    query.page = value
                } else {
                    validation.add("page", "validation.page")
                }
            }
            if let perPage = request.query[String.self, at: "per_page"], !perPage.isEmpty {
                if let value = Int(perPage), value >= 1, value <= MunicipalityQuery.maxPerPage {
                    query.perPage = value
                } else {
                    validation.add("per_page", "validation.per_page", [String(MunicipalityQuery.maxPerPage)])
                }
            }
        } else {
            query.perPage = MunicipalityQuery.maxPerPage
        }
        try validation.check()
        return query
    }
}
