import Foundation
import SamradCore

/// `samrad clusters plan`: the planner on the bundled directory, without a database.
public enum ClusterPlanCommand {
    public struct Options: Sendable {
        public var country: Country
        /// nil: every municipality of the country.
        public var codesFile: String?
        public var minSize: Int
        public var maxSize: Int
        public var clusterCount: Int?
        public var weights: ClusterWeights
        public var seed: UInt64
        public var patience: Int
        /// Also work out the greedy baseline and the construction, for comparison.
        public var compare: Bool

        public init(
            country: Country, codesFile: String?, minSize: Int, maxSize: Int, clusterCount: Int?,
            weights: ClusterWeights, seed: UInt64, patience: Int, compare: Bool = false
        ) {
            self.country = country
            self.codesFile = codesFile
            self.minSize = minSize
            self.maxSize = maxSize
            self.clusterCount = clusterCount
            self.weights = weights
            self.seed = seed
            self.patience = patience
            self.compare = compare
        }
    }

    public struct Outcome: Sendable {
        /// `code,cluster`, clusters numbered from 1 north to south.
        public var csv: String
        public var plan: ClusterPlan
        /// With `compare` only.
        public var baseline: ClusterPlan?
        public var construction: ClusterPlan?
        public var seconds: Double
        public var municipalities: Int
    }

    public static func run(_ options: Options) throws -> Outcome {
        let directory = MunicipalityDirectory(try ResourceFolder.locate().directoryDataset().municipalities())
        let municipalities: [Municipality]
        if let path = options.codesFile {
            municipalities = try codes(
                in: try String(contentsOfFile: path, encoding: .utf8), country: options.country, directory: directory)
        } else {
            municipalities = directory.all.filter { $0.country == options.country }
        }
        let request = ClusterRequest(
            candidates: municipalities.map(ClusterCandidate.init(municipality:)), minSize: options.minSize,
            maxSize: options.maxSize, clusterCount: options.clusterCount, weights: options.weights,
            seed: options.seed, patience: options.patience)
        let started = Date()
        let planner = try ClusterPlanner(request)
        let plan = try planner.plan()
        let seconds = Date().timeIntervalSince(started)
        var csv = CSVWriter(header: ["code", "cluster"])
        let rows = plan.clusters.enumerated().flatMap { number, members in
            members.map { (municipalities[$0].code, number + 1) }
        }
        for (code, cluster) in rows.sorted(by: { $0.0 < $1.0 }) { csv.append([code, String(cluster)]) }
        return Outcome(
            csv: csv.text, plan: plan, baseline: options.compare ? planner.baseline() : nil,
            construction: options.compare ? planner.construction() : nil,
            seconds: seconds, municipalities: municipalities.count)
    }

    /// One municipality code per line (the first field of a CSV line; a header `code` is skipped).
    static func codes(in text: String, country: Country, directory: MunicipalityDirectory) throws -> [Municipality] {
        var result: [Municipality] = []
        var seen = Set<String>()
        var errors: [FieldError] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code =
                line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first
                .map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(
                        in: CharacterSet(charactersIn: "\""))
                } ?? ""
            if code.isEmpty || (number == 0 && code.lowercased() == "code") { continue }
            guard let municipality = directory[MunicipalityKey(country, code)] else {
                errors.append(
                    FieldError(field: "line \(number + 1)", "clusters.error.unknown_code", [code, country.rawValue]))
                continue
            }
            if seen.insert(code).inserted { result.append(municipality) }
        }
        if !errors.isEmpty { throw SamradError.invalid(errors) }
        return result
    }

    /// An error in English, with its field messages, for the terminal.
    public static func describe(_ error: SamradError) -> String {
        guard let catalog = try? Catalog(directory: ResourceFolder.locate().url("Localization")) else {
            return error.messageKey
        }
        var lines = [catalog.message(for: error, .en)]
        for field in error.fieldErrors { lines.append("  \(field.field): \(catalog.message(for: field, .en))") }
        return lines.joined(separator: "\n")
    }
}

extension ClusterCandidate {
    init(municipality m: Municipality) {
        self.init(id: m.code, label: m.name, latitude: m.latitude, longitude: m.longitude, population: m.population)
    }
}
