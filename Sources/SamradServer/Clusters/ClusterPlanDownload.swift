import Fluent
import Foundation
import SamradCore
import Vapor

/// ClusterPages: export.
extension ClusterPages {
    func export(_ request: Request) async throws -> Response {
        let c = try await Self.planned(request)
        var csv = CSVWriter(header: [
            "cluster", "wave", "facilitator", "country", "code", "municipality", "region", "population",
        ])
        if let draft = try await ClusterForming.saved(c, on: request.db) {
            let facilitators = try await ClusterForming.facilitators(c, on: request.db)
            for group in draft.groups {
                let facilitator = facilitators.first { $0.id == group.facilitatorID }?.name ?? ""
                for key in group.members {
                    let m = request.municipalities[key]
                    csv.append([
                        group.name, String(group.wave), facilitator, key.country.rawValue, key.code, m?.name ?? "",
                        m?.regionName ?? "", m.map { String($0.population) } ?? "",
                    ])
                }
            }
        }
        return try csv.download(request, name: "clusters-\(c.slug)")
    }
}
