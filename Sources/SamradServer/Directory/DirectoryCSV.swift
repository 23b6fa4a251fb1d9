import Fluent
import Foundation
import SamradCore
import Vapor

/// DirectoryPages: CSV.
extension DirectoryPages {
    func exportCSV(_ request: Request) async throws -> Response {
        var query = try Self.query(request, paged: false)
        var writer = CSVWriter(header: [
            "country", "code", "name", "region_code", "region_name", "population", "population_date",
            "area_km2", "popweighted_lat", "popweighted_lon", "group_code", "group_name",
        ])
        var page = 1
        while true {
            query.page = page
            let result = request.municipalities.search(query)
            for m in result.items {
                writer.append([
                    m.country.rawValue, m.code, m.name, m.regionCode, m.regionName, String(m.population),
                    m.populationDate,
                    String(m.areaKm2), String(m.latitude), String(m.longitude), m.groupCode ?? "", m.groupName ?? "",
                ])
            }
            if page >= result.pageCount { break }
            page += 1
        }
        return try writer.download(request, name: "municipalities")
    }
}
