import Foundation

/// Forms clusters that minimise the summed dissimilarity inside them, within the size bounds and the
/// organiser's constraints.
///
/// Municipalities that must be together are merged into units first, so every step keeps them
/// together. A plan is built by seeding the clusters far apart (k-means++ on the dissimilarity) and
/// placing the unit with the most to lose first (regret); then a local search applies the best
/// move or swap of a unit until none improves, and an iterated local search kicks the plan (a few
/// swaps between near neighbours), descends again, and keeps the result when it is better, for as
/// long as it keeps finding better plans. Everything random comes from the seed.
public struct ClusterPlanner: Sendable {
    public let request: ClusterRequest
    public let dissimilarity: ClusterDissimilarity
    public let clusterCount: Int
    let problem: ClusterProblem
    /// How much worse than the best (1 %) a plan may be and still be the next start.
    static let deviation = 0.01

    public init(_ request: ClusterRequest) throws {
        self.request = request
        let (problem, k) = try ClusterProblem.make(request)
        self.problem = problem
        clusterCount = k
        dissimilarity = problem.d
    }

    /// The best plan the search finds for the request's seed.
    public func plan() throws -> ClusterPlan {
        var rng = SeededGenerator(seed: request.seed)
        // Constraints can make a construction fail where another draw of seeds succeeds.
        for _ in 0..<40 {
            if let start = construct(&rng) { return search(from: start, rng: &rng) }
        }
        throw SamradError(.invalidInput, "clusters.error.no_plan")
    }

    /// Local search from a given plan (clusters of candidate indices that meet the bounds and
    /// constraints); never returns a worse plan.
    public func improve(_ clusters: [[Int]]) -> ClusterPlan {
        var assignment = [Int](repeating: 0, count: problem.unitCount)
        for (c, members) in clusters.enumerated() {
            for i in members { assignment[problem.unitOf[i]] = c }
        }
        var rng = SeededGenerator(seed: request.seed)
        return search(from: assignment, rng: &rng)
    }

    /// The start the search would take for this seed, before any improvement.
    public func construction() -> ClusterPlan? {
        var rng = SeededGenerator(seed: request.seed)
        return construct(&rng).map { result(ClusterState(problem, assignment: $0)) }
    }

    /// A simple greedy baseline for comparison: the northernmost unplaced municipality takes its
    /// nearest unplaced neighbours until its cluster is full; sizes as even as possible; constraints
    /// ignored.
    public func baseline() -> ClusterPlan {
        let candidates = request.candidates
        let n = candidates.count, k = clusterCount
        var placed = [Bool](repeating: false, count: n)
        var clusters: [[Int]] = []
        for c in 0..<k {
            let size = n / k + (c < n % k ? 1 : 0)
            guard
                let first = (0..<n).filter({ !placed[$0] }).max(by: {
                    candidates[$0].latitude < candidates[$1].latitude
                })
            else { break }
            placed[first] = true
            var members = [first]
            let nearest = (0..<n).filter { !placed[$0] }.sorted { dissimilarity[first, $0] < dissimilarity[first, $1] }
            for j in nearest.prefix(size - 1) {
                placed[j] = true
                members.append(j)
            }
            clusters.append(members.sorted())
        }
        return ClusterPlan(
            clusters: clusters, names: clusters.map { _ in nil }, waves: clusters.map { _ in nil },
            objective: dissimilarity.objective(clusters))
    }

    // MARK: - Construction

    func construct(_ rng: inout SeededGenerator) -> [Int]? {
        let p = problem, k = clusterCount
        var state = ClusterState(p, clusterCount: k)
        for u in 0..<p.unitCount where p.unitPin[u] >= 0 { state.place(u, in: p.unitPin[u]) }

        // Seeds: first the clusters each wave needs of its own, then the rest, spread by k-means++.
        var nextEmpty = 0
        func takeEmpty() -> Int? {
            while nextEmpty < k, state.size[nextEmpty] > 0 { nextEmpty += 1 }
            return nextEmpty < k ? nextEmpty : nil
        }
        for w in p.waveLabels.indices {
            let members = (0..<p.unitCount).filter { p.unitWave[$0] == w }.reduce(0) { $0 + p.unitSize[$1] }
            let have = (0..<k).filter { state.waveUnits[$0 * p.waveCount + w] > 0 }.count
            let needed = (members + request.maxSize - 1) / request.maxSize - have
            for _ in 0..<max(0, needed) {
                guard let slot = takeEmpty(), let seed = spreadSeed(state, among: { p.unitWave[$0] == w }, &rng) else {
                    return nil
                }
                state.place(seed, in: slot)
            }
        }
        while let slot = takeEmpty() {
            guard let seed = spreadSeed(state, among: { _ in true }, &rng) else { return nil }
            state.place(seed, in: slot)
        }

        // The unit with the largest regret (second-best minus best average dissimilarity) goes first;
        // a unit with a single possible cluster has infinite regret.
        var open = Set((0..<p.unitCount).filter { state.clusterOf[$0] < 0 })
        var unplacedMembers = open.reduce(0) { $0 + p.unitSize[$1] }
        while !open.isEmpty {
            let deficit = (0..<k).reduce(0) { $0 + max(0, request.minSize - state.size[$1]) }
            var chosen = -1, chosenCluster = -1, chosenRegret = -Double.infinity
            for u in open.sorted() {
                var best = Double.infinity, second = Double.infinity, bestCluster = -1
                for c in 0..<k where state.mayEnter(u, c, maxSize: request.maxSize) {
                    let filled = min(p.unitSize[u], max(0, request.minSize - state.size[c]))
                    if unplacedMembers - p.unitSize[u] < deficit - filled { continue }
                    let cost = state.unitSum(u, c) / Double(max(1, state.size[c]))
                    if cost < best {
                        second = best; best = cost; bestCluster = c
                    } else if cost < second {
                        second = cost
                    }
                }
                if bestCluster < 0 { return nil }
                let regret = second - best
                if regret > chosenRegret { chosen = u; chosenCluster = bestCluster; chosenRegret = regret }
            }
            state.place(chosen, in: chosenCluster)
            open.remove(chosen)
            unplacedMembers -= p.unitSize[chosen]
        }
        // Constraints can leave a cluster short: fill it with the cheapest units others can spare.
        for c in 0..<k {
            while state.size[c] < request.minSize {
                var best: (unit: Int, delta: Double)?
                for u in 0..<p.unitCount
                where state.clusterOf[u] != c
                    && state.canMove(u, to: c, minSize: request.minSize, maxSize: request.maxSize)
                {
                    let delta = state.moveDelta(u, to: c)
                    if best == nil || delta < best!.delta { best = (u, delta) }
                }
                guard let best else { return nil }
                state.move(best.unit, to: c)
            }
        }
        return state.clusterOf
    }

    /// k-means++: a unit far (in dissimilarity) from every placed one, drawn with probability
    /// proportional to the squared distance.
    private func spreadSeed(_ state: ClusterState, among eligible: (Int) -> Bool, _ rng: inout SeededGenerator) -> Int?
    {
        let p = problem
        let choices = (0..<p.unitCount).filter { state.clusterOf[$0] < 0 && eligible($0) }
        guard !choices.isEmpty else { return nil }
        let placed = (0..<p.unitCount).filter { state.clusterOf[$0] >= 0 }
        if placed.isEmpty { return choices[Int.random(in: 0..<choices.count, using: &rng)] }
        let weights = choices.map { u in
            let nearest = placed.map { p.d[p.unitMembers[u][0], p.unitMembers[$0][0]] }.min() ?? 0
            return nearest * nearest
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return choices[0] }
        var target = Double.random(in: 0..<total, using: &rng)
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return choices[index] }
        }
        return choices.last
    }

    // MARK: - Search

    private func search(from assignment: [Int], rng: inout SeededGenerator) -> ClusterPlan {
        let p = problem
        var state = ClusterState(p, assignment: assignment)
        let movable = (0..<p.unitCount).filter { p.unitPin[$0] < 0 }
        state.descend(movable.shuffled(using: &rng), minSize: request.minSize, maxSize: request.maxSize)
        var best = state.objective
        var bestAssignment = state.clusterOf
        var roundsWithoutGain = 0
        guard movable.count > 1, clusterCount > 1 else { return result(state) }
        let neighbours = p.nearestUnits(12)
        let clock = ContinuousClock()
        let deadline = request.timeBudget.map { clock.now.advanced(by: $0) }
        var rounds = 0
        while roundsWithoutGain < request.patience {
            rounds += 1
            if let deadline, rounds % 64 == 0, clock.now >= deadline { break }
            state.startLog()
            var touched: [Int] = []
            for _ in 0..<(2 + Int.random(in: 0..<3, using: &rng)) {
                let u = movable[Int.random(in: 0..<movable.count, using: &rng)]
                let options = neighbours[u]
                guard !options.isEmpty else { continue }
                let v = options[Int.random(in: 0..<options.count, using: &rng)]
                let a = state.clusterOf[u], b = state.clusterOf[v]
                guard a != b else { continue }
                if p.unitPin[v] < 0, state.canSwap(u, v, minSize: request.minSize, maxSize: request.maxSize) {
                    state.swap(u, v)
                } else if state.canMove(u, to: b, minSize: request.minSize, maxSize: request.maxSize) {
                    state.move(u, to: b)
                } else {
                    continue
                }
                touched.append(a)
                touched.append(b)
            }
            state.descend(touched.flatMap { state.unitsIn[$0] }, minSize: request.minSize, maxSize: request.maxSize)
            if state.objective < best - 1e-9 {
                best = state.objective
                bestAssignment = state.clusterOf
                roundsWithoutGain = 0
            } else {
                roundsWithoutGain += 1
                // Record-to-record travel: a plan a little worse than the best is kept as the next
                // start, so the search can leave a valley; anything worse is undone.
                if state.objective > best * (1 + Self.deviation) + 1e-9 { state.undoLog() }
            }
        }
        return result(ClusterState(p, assignment: bestAssignment))
    }

    private func result(_ state: ClusterState) -> ClusterPlan {
        let p = problem
        var clusters = [[Int]](repeating: [], count: clusterCount)
        for u in 0..<p.unitCount { clusters[state.clusterOf[u]].append(contentsOf: p.unitMembers[u]) }
        let names: [String?] = (0..<clusterCount).map { $0 < p.pinNames.count ? p.pinNames[$0] : nil }
        let waves: [Int?] = (0..<clusterCount).map { c in
            p.waveLabels.indices.first { state.waveUnits[c * p.waveCount + $0] > 0 }.map { p.waveLabels[$0] }
        }
        // North to south, so the same plan always reads the same way.
        let latitude = { (members: [Int]) in
            members.reduce(0) { $0 + self.request.candidates[$1].latitude } / Double(max(1, members.count))
        }
        let order = clusters.indices.sorted { latitude(clusters[$0]) > latitude(clusters[$1]) }
        let sorted = order.map { clusters[$0].sorted() }
        return ClusterPlan(
            clusters: sorted, names: order.map { names[$0] }, waves: order.map { waves[$0] },
            objective: dissimilarity.objective(sorted))
    }
}
