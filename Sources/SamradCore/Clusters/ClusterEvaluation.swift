import Foundation

/// What an organiser sees of a plan, proposed or edited by hand: per cluster its largest internal
/// distance, its spread of population, its share of the objective and a host rotation; and the total.
public struct ClusterEvaluation: Sendable {
    public struct Cluster: Sendable, Equatable {
        public var members: [Int]
        public var largestDistanceKm: Double
        public var smallestPopulation: Int
        public var largestPopulation: Int
        public var cost: Double
        /// Who hosts the 1st, 2nd, … meeting (candidate indices).
        public var hosts: [Int]
    }

    public var clusters: [Cluster]
    public var objective: Double

    /// `meetings`: how many meetings the host rotation covers (at least one round of the members).
    public init(candidates: [ClusterCandidate], weights: ClusterWeights, clusters: [[Int]], meetings: Int? = nil) {
        let d = ClusterDissimilarity(candidates, weights: weights)
        self.clusters = clusters.map { members in
            var largest = 0.0
            for (position, i) in members.enumerated() {
                for j in members[(position + 1)...] {
                    largest = max(
                        largest,
                        Geography.haversineKm(
                            candidates[i].latitude, candidates[i].longitude, candidates[j].latitude,
                            candidates[j].longitude))
                }
            }
            let populations = members.map { candidates[$0].population }
            let rotation = HostRotation.suggest(
                points: members.map { (candidates[$0].latitude, candidates[$0].longitude) },
                meetings: meetings ?? members.count)
            return Cluster(
                members: members, largestDistanceKm: largest, smallestPopulation: populations.min() ?? 0,
                largestPopulation: populations.max() ?? 0, cost: d.cost(of: members),
                hosts: rotation.map { members[$0] })
        }
        objective = self.clusters.reduce(0) { $0 + $1.cost }
    }
}

/// Who hosts which meeting of a series. Hosting goes round so nobody hosts twice before everyone has
/// hosted once (counting earlier hosting); among those whose turn it is, the host is the one that
/// keeps the largest travel any member has done so far smallest, so travel is spread fairly.
public enum HostRotation {
    /// `points`: latitude and longitude of each member; `hosted`: how often each hosted before.
    /// Returns the index of the host of each meeting.
    public static func suggest(
        points: [(latitude: Double, longitude: Double)], meetings: Int, hosted previous: [Int]? = nil
    ) -> [Int] {
        let n = points.count
        guard n > 0, meetings > 0 else { return [] }
        var hosted = previous ?? [Int](repeating: 0, count: n)
        var travel = [Double](repeating: 0, count: n)
        let km = { (i: Int, j: Int) in
            Geography.haversineKm(points[i].latitude, points[i].longitude, points[j].latitude, points[j].longitude)
        }
        var hosts: [Int] = []
        for _ in 0..<meetings {
            let fewest = hosted.min()!
            let turn = (0..<n).filter { hosted[$0] == fewest }
            let host = turn.min { a, b in
                let worstA = (0..<n).map { travel[$0] + km($0, a) }.max()!
                let worstB = (0..<n).map { travel[$0] + km($0, b) }.max()!
                return worstA < worstB
            }!
            hosts.append(host)
            hosted[host] += 1
            for i in 0..<n { travel[i] += km(i, host) }
        }
        return hosts
    }
}
