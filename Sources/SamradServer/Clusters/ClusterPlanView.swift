import Foundation
import SamradCore
import Vapor

/// A plan as the pages show it: per cluster its members, measures and host rotation, the total
/// objective, and a map-like scatter of the points coloured and numbered by cluster.
struct ClusterPlanView: Encodable {
    struct Member: Encodable { var key: String; var name: String; var href: String; var population: String }
    struct Group: Encodable {
        var index: Int
        var number: Int
        var name: String
        var wave: Int
        var colour: String
        var facilitator: String?
        var facilitatorOptions: [Option]
        var members: [Member]
        var count: Int
        var largestDistance: String
        var population: String
        var cost: String
        var hosts: [String]
        var outOfBounds: Bool
        var waveOptions: [Option]
    }

    var groups: [Group]
    var objectiveValue: Double
    var objective: String
    var objectiveExact: String
    var baseline: String?
    /// Registered municipalities in no cluster, as a list for the sentence; nil when none.
    var unplaced: String?
    var mapSVG: String
    var bounds: String
    var planText: String

    /// Colours with a contrast of at least 3:1 against white, told apart also by the number drawn in each point.
    static let palette = [
        "#1b5e20", "#0d47a1", "#b71c1c", "#4a148c", "#e65100", "#006064", "#880e4f", "#33691e",
        "#3e2723", "#1a237e", "#bf360c", "#004d40", "#263238", "#827717", "#311b92", "#01579b",
    ]

    init(
        _ draft: ClusterDraft, registered: [Municipality], facilitators: [Person], baseline: Double? = nil,
        request: Request
    ) {
        let language = request.language
        let (evaluation, candidates) = ClusterForming.evaluate(
            draft, registered: registered, directory: request.municipalities)
        let directory = request.municipalities
        groups = draft.groups.enumerated().map { index, group in
            let measures = evaluation.clusters[index]
            let members = group.members.compactMap { directory[$0] }
            let hostNames = measures.hosts.map { candidates[$0].name }
            return Group(
                index: index, number: index + 1, name: group.name, wave: group.wave,
                colour: Self.palette[index % Self.palette.count],
                facilitator: facilitators.first { $0.id == group.facilitatorID }?.name,
                facilitatorOptions: [
                    .init(value: "", label: request.t("clusters.no_facilitator"), selected: group.facilitatorID == nil)
                ]
                    + facilitators.map {
                        .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id == group.facilitatorID)
                    },
                members: members.map {
                    Member(
                        key: $0.key.description, name: $0.name,
                        href: "/municipalities/\($0.country.rawValue)/\($0.code)",
                        population: NumberText.integer($0.population, language))
                },
                count: members.count,
                largestDistance: request.t(
                    "clusters.km", [NumberText.integer(Int(measures.largestDistanceKm.rounded()), language)]),
                population:
                    "\(NumberText.integer(measures.smallestPopulation, language)) – "
                        + "\(NumberText.integer(measures.largestPopulation, language))",
                cost: NumberText.decimal(measures.cost, language, fractionDigits: 2),
                hosts: hostNames,
                outOfBounds: !(draft.settings.minSize...max(draft.settings.minSize, draft.settings.maxSize)).contains(
                    members.count),
                waveOptions: (1...4).map {
                    .init(
                        value: String($0), label: request.t("clusters.wave_n", [String($0)]), selected: $0 == group.wave
                    )
                })
        }
        objectiveValue = evaluation.objective
        objective = NumberText.decimal(evaluation.objective, language, fractionDigits: 2)
        objectiveExact = String(format: "%.6f", evaluation.objective)
        self.baseline = baseline.map { NumberText.decimal($0, language, fractionDigits: 2) }
        let placed = Set(draft.groups.flatMap(\.members))
        let missing = registered.filter { !placed.contains($0.key) }.map(\.name)
        unplaced = missing.isEmpty ? nil : missing.joined(separator: ", ")
        bounds = request.t("clusters.bounds", [String(draft.settings.minSize), String(draft.settings.maxSize)])
        planText = draft.planText
        mapSVG = Self.map(draft, directory: directory, label: request.t("clusters.map_label"))
    }

    /// Points on an equirectangular projection scaled by the cosine of the middle latitude, so
    /// distances look right at Nordic latitudes; no map tiles.
    static func map(_ draft: ClusterDraft, directory: MunicipalityDirectory, label: String) -> String {
        let points = draft.groups.enumerated().flatMap { index, group in
            group.members.compactMap { directory[$0] }.map { (index, $0) }
        }
        guard !points.isEmpty else { return "" }
        let lats = points.map(\.1.latitude), lons = points.map(\.1.longitude)
        let midLat = (lats.min()! + lats.max()!) / 2
        let scaleX = cos(midLat * .pi / 180)
        let xs = lons.map { $0 * scaleX }
        let minX = xs.min()!, maxLat = lats.max()!
        let spanX = max(0.2, xs.max()! - minX), spanY = max(0.2, maxLat - lats.min()!)
        let width = 560.0, margin = 16.0
        let scale = (width - 2 * margin) / max(spanX, spanY * 0.8)
        let height = spanY * scale + 2 * margin
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height.rounded()))\" "
                + "role=\"img\" aria-labelledby=\"cluster-map-title\" class=\"cluster-map\"><title "
                    + "id=\"cluster-map-title\">\(HTMLText.escape(label))</title>"
        for (index, m) in points {
            let x = margin + (m.longitude * scaleX - minX) * scale
            let y = margin + (maxLat - m.latitude) * scale
            let colour = palette[index % palette.count]
            svg += String(
                format:
                    "<g><title>%@ – %@</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" fill=\"%@\"/><text x=\"%.1f\" "
                        + "y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\" fill=\"#fff\">%d</text></g>",
                HTMLText.escape(m.name), HTMLText.escape(draft.groups[index].name), x, y, colour, x, y + 3, index + 1)
        }
        return svg + "</svg>"
    }

}
