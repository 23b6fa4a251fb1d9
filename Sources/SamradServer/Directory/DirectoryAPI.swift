import Fluent
import Foundation
import SamradCore
import Vapor

/// DirectoryPages: API.
extension DirectoryPages {
    struct MunicipalityJSON: Content {
        struct Region: Content { var code: String; var name: String }
        struct Group: Content { var code: String; var name: String }
        struct Point: Content { var latitude: Double; var longitude: Double }
        var country: String
        var code: String
        var name: String
        var region: Region
        var population: Int
        var populationDate: String
        var areaKm2: Double
        var populationWeightedPoint: Point
        var group: Group?
        var url: String

        init(_ m: Municipality) {
            country = m.country.rawValue
            code = m.code
            name = m.name
            region = Region(code: m.regionCode, name: m.regionName)
            population = m.population
            populationDate = m.populationDate
            areaKm2 = m.areaKm2
            populationWeightedPoint = Point(latitude: m.latitude, longitude: m.longitude)
            group = m.groupCode.map { Group(code: $0, name: m.groupName ?? $0) }
            url = "/api/v1/municipalities/\(m.country.rawValue)/\(m.code)"
        }
    }

    struct Reference: Content {
        var country: String
        var code: String
        var name: String
        init(_ m: Municipality) { country = m.country.rawValue; code = m.code; name = m.name }
    }

    struct DetailJSON: Content {
        var municipality: MunicipalityJSON
        var neighbours: [Reference]
        var similar: [Reference]
        /// Where the similar municipalities come from: kolada_grundskola_2024 or national_group_population.
        var similarSource: String?
    }

    /// `{"items":[…],"total":…,"page":…,"perPage":…,"pageCount":…}`, the items from the snapshot's
    /// ready JSON.
    func listAPI(_ request: Request) async throws -> Response {
        let query = try Self.query(request)
        let snapshot = request.application.directorySnapshot
        let result = snapshot.directory.search(query)
        var body = ByteBufferAllocator().buffer(capacity: 96 + result.items.count * 420)
        body.writeStaticString("{\"items\":[")
        for (index, m) in result.items.enumerated() {
            if index > 0 { body.writeStaticString(",") }
            if let item = snapshot.json[m.key] { body.writeImmutableBuffer(item) }
        }
        body.writeString(
            "],\"total\":\(result.total),\"page\":\(result.page),\"perPage\":\(result.perPage),"
                + "\"pageCount\":\(result.pageCount)}"
        )
        let response = Response(status: .ok, body: .init(buffer: body))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }

    func detailAPI(_ request: Request) async throws -> DetailJSON {
        let m = try MunicipalityAccess.load(request)
        let similar = request.municipalities.similar(to: m)
        return DetailJSON(
            municipality: MunicipalityJSON(m), neighbours: request.municipalities.neighbours(of: m).map(Reference.init),
            similar: similar.map(Reference.init), similarSource: Self.similarSource(m, similar))
    }

    static func similarSource(_ m: Municipality, _ similar: [Municipality]) -> String? {
        if similar.isEmpty { return nil }
        return m.similar.isEmpty ? "national_group_population" : "kolada_grundskola_2024"
    }
}
