import Foundation

/// A municipality to place in a cluster: its population-weighted point, its population and an optional
/// profile (e.g. an indicator), one number per dimension.
public struct ClusterCandidate: Sendable, Equatable {
    public var id: String
    /// How messages name it (the municipality's name); the id when empty.
    public var label: String
    public var latitude: Double
    public var longitude: Double
    public var population: Int
    public var profile: [Double]

    public init(
        id: String, label: String = "", latitude: Double, longitude: Double, population: Int, profile: [Double] = []
    ) {
        self.id = id
        self.label = label.isEmpty ? id : label
        self.latitude = latitude
        self.longitude = longitude
        self.population = population
        self.profile = profile
    }
}

/// How much distance (per 100 km), difference in size (|ln population|) and difference in profile
/// (standardised) weigh in the dissimilarity of two municipalities.
public struct ClusterWeights: Sendable, Equatable, Codable {
    public var geography: Double
    public var size: Double
    public var profile: Double

    public init(geography: Double = 1, size: Double = 1, profile: Double = 0) {
        self.geography = geography
        self.size = size
        self.profile = profile
    }
}

/// Two municipalities (by candidate id).
public struct ClusterPair: Sendable, Equatable, Hashable {
    public var first: String
    public var second: String

    public init(_ first: String, _ second: String) {
        self.first = first
        self.second = second
    }
}

/// What the organiser requires of a plan besides the size bounds.
public struct ClusterConstraints: Sendable, Equatable {
    public var together: [ClusterPair]
    public var apart: [ClusterPair]
    /// Candidate id → the name of the cluster it must be in.
    public var pinned: [String: String]
    /// Candidate id → the only wave it can start in (1, 2, …). A cluster starts in one wave.
    public var waves: [String: Int]

    public init(
        together: [ClusterPair] = [], apart: [ClusterPair] = [], pinned: [String: String] = [:],
        waves: [String: Int] = [:]
    ) {
        self.together = together
        self.apart = apart
        self.pinned = pinned
        self.waves = waves
    }

    public var isEmpty: Bool { together.isEmpty && apart.isEmpty && pinned.isEmpty && waves.isEmpty }
}

/// Everything the planner needs for one plan.
public struct ClusterRequest: Sendable {
    public var candidates: [ClusterCandidate]
    public var minSize: Int
    public var maxSize: Int
    /// nil: `defaultClusterCount`.
    public var clusterCount: Int?
    public var weights: ClusterWeights
    public var constraints: ClusterConstraints
    public var seed: UInt64
    /// Rounds of perturbation and local search in a row without a better plan before the search
    /// stops; it goes on as long as it keeps finding better plans.
    public var patience: Int
    /// At most this long for the search (the best plan so far is returned then): a server bounds
    /// the CPU one request may take. Nil: no bound, so a seed always gives the same plan.
    public var timeBudget: Duration?

    public static let defaultPatience = 3000

    public init(
        candidates: [ClusterCandidate], minSize: Int = 6, maxSize: Int = 8, clusterCount: Int? = nil,
        weights: ClusterWeights = ClusterWeights(), constraints: ClusterConstraints = ClusterConstraints(),
        seed: UInt64 = 1, patience: Int = ClusterRequest.defaultPatience
    ) {
        self.candidates = candidates
        self.minSize = minSize
        self.maxSize = maxSize
        self.clusterCount = clusterCount
        self.weights = weights
        self.constraints = constraints
        self.seed = seed
        self.patience = patience
        self.timeBudget = nil
    }

    /// The numbers of clusters that can hold `count` municipalities within the bounds.
    public static func feasibleClusterCounts(count: Int, minSize: Int, maxSize: Int) -> ClosedRange<Int>? {
        guard count > 0, minSize >= 1, maxSize >= minSize else { return nil }
        let lower = (count + maxSize - 1) / maxSize
        let upper = count / minSize
        return lower <= upper ? lower...upper : nil
    }

    /// The feasible number of clusters nearest to count ÷ the middle of the bounds; ties go to fewer.
    public static func defaultClusterCount(count: Int, minSize: Int, maxSize: Int) -> Int? {
        guard let range = feasibleClusterCounts(count: count, minSize: minSize, maxSize: maxSize) else { return nil }
        let target = Double(count) / (Double(minSize + maxSize) / 2)
        return range.min { a, b in
            let da = abs(Double(a) - target), db = abs(Double(b) - target)
            return da == db ? a < b : da < db
        }
    }
}

/// A plan: which candidates (by index into the request's candidates) are in which cluster, the names
/// pinned clusters carry, the wave each cluster must start in, and the objective.
public struct ClusterPlan: Sendable, Equatable {
    public var clusters: [[Int]]
    /// The name a cluster must have because candidates are pinned to it; nil otherwise.
    public var names: [String?]
    /// The wave the cluster's members restrict it to; nil when any wave will do.
    public var waves: [Int?]
    public var objective: Double

    public init(clusters: [[Int]], names: [String?], waves: [Int?], objective: Double) {
        self.clusters = clusters
        self.names = names
        self.waves = waves
        self.objective = objective
    }
}
