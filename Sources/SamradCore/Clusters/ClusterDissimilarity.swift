import Foundation

/// d(i,j) = wg · km(i,j) / 100 + ws · |ln pop_i − ln pop_j| + wp · Σ |z_i − z_j| over the standardised
/// profile, for every pair of candidates, kept as a full matrix because the search reads it millions
/// of times.
public struct ClusterDissimilarity: Sendable {
    public let count: Int
    let values: [Double]

    public init(_ candidates: [ClusterCandidate], weights: ClusterWeights) {
        let n = candidates.count
        count = n
        let logPopulation = candidates.map { log(Double(max(1, $0.population))) }
        let profiles = Self.standardised(candidates.map(\.profile))
        var values = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let a = candidates[i], b = candidates[j]
                var d =
                    weights.geography * Geography.haversineKm(a.latitude, a.longitude, b.latitude, b.longitude) / 100
                d += weights.size * abs(logPopulation[i] - logPopulation[j])
                if weights.profile != 0 {
                    var profile = 0.0
                    for (x, y) in zip(profiles[i], profiles[j]) { profile += abs(x - y) }
                    d += weights.profile * profile
                }
                values[i * n + j] = d
                values[j * n + i] = d
            }
        }
        self.values = values
    }

    public subscript(i: Int, j: Int) -> Double { values[i * count + j] }

    /// The sum over clusters of d over all unordered pairs inside each.
    public func objective(_ clusters: [[Int]]) -> Double {
        clusters.reduce(0) { $0 + cost(of: $1) }
    }

    /// The sum of d over the unordered pairs of one cluster.
    public func cost(of members: [Int]) -> Double {
        var sum = 0.0
        for (position, i) in members.enumerated() {
            for j in members[(position + 1)...] { sum += self[i, j] }
        }
        return sum
    }

    /// Each profile dimension as z-scores over the candidates (0 where all are equal), so that a
    /// dimension counted in thousands does not drown one counted in tenths.
    static func standardised(_ profiles: [[Double]]) -> [[Double]] {
        guard let dimensions = profiles.first?.count, dimensions > 0, !profiles.isEmpty else {
            return profiles.map { _ in [] }
        }
        var result = profiles
        let n = Double(profiles.count)
        for dimension in 0..<dimensions {
            let column = profiles.map { $0[dimension] }
            let mean = column.reduce(0, +) / n
            let spread = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            for i in profiles.indices {
                result[i][dimension] = spread > 0 ? (column[i] - mean) / spread : 0
            }
        }
        return result
    }
}

/// A small seedable generator (SplitMix64), so a plan is the same for the same seed everywhere.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
