import Foundation

/// A plan under construction or search, with what makes a move cheap to price: for every cluster c
/// and candidate x, sums[c·n + x] = Σ d(x, j) over the members j of c. A move then costs O(1) to
/// price and O(n) to apply.
struct ClusterState {
    let p: ClusterProblem
    let k: Int
    /// Cluster of each unit, -1 while unplaced.
    var clusterOf: [Int]
    var unitsIn: [[Int]]
    /// Members (candidates) per cluster.
    var size: [Int]
    var sums: [Double]
    /// Units of each wave per cluster: waveUnits[c · waveCount + w].
    var waveUnits: [Int]
    var objective: Double = 0
    /// Moves since `startLog`, to undo a perturbation that did not pay.
    private var log: [(unit: Int, from: Int)] = []

    init(_ p: ClusterProblem, clusterCount k: Int) {
        self.p = p
        self.k = k
        clusterOf = [Int](repeating: -1, count: p.unitCount)
        unitsIn = [[Int]](repeating: [], count: k)
        size = [Int](repeating: 0, count: k)
        sums = [Double](repeating: 0, count: k * p.n)
        waveUnits = [Int](repeating: 0, count: k * max(1, p.waveCount))
    }

    init(_ p: ClusterProblem, assignment: [Int]) {
        self.init(p, clusterCount: (assignment.max() ?? 0) + 1)
        for (u, c) in assignment.enumerated() { place(u, in: c) }
    }

    // MARK: Pricing

    func unitSum(_ u: Int, _ c: Int) -> Double {
        let members = p.unitMembers[u]
        if members.count == 1 { return sums[c * p.n + members[0]] }
        return members.reduce(0) { $0 + sums[c * p.n + $1] }
    }

    func cross(_ u: Int, _ v: Int) -> Double {
        let a = p.unitMembers[u], b = p.unitMembers[v]
        if a.count == 1, b.count == 1 { return p.d[a[0], b[0]] }
        var sum = 0.0
        for i in a { for j in b { sum += p.d[i, j] } }
        return sum
    }

    func moveDelta(_ u: Int, to b: Int) -> Double {
        unitSum(u, b) - unitSum(u, clusterOf[u]) + p.unitSelf[u]
    }

    func swapDelta(_ u: Int, _ v: Int) -> Double {
        let a = clusterOf[u], b = clusterOf[v]
        return unitSum(u, b) + unitSum(v, a) - 2 * cross(u, v) - unitSum(u, a) - unitSum(v, b) + p.unitSelf[u]
            + p.unitSelf[v]
    }

    // MARK: Feasibility

    /// Whether unit u may join cluster c without breaking a wave or an apart constraint (sizes aside).
    private func compatible(_ u: Int, _ c: Int, leaving: Int = -1) -> Bool {
        let w = p.unitWave[u]
        if w >= 0 {
            for other in 0..<p.waveCount where other != w {
                let count = waveUnits[c * p.waveCount + other] - (leaving >= 0 && p.unitWave[leaving] == other ? 1 : 0)
                if count > 0 { return false }
            }
        }
        for other in p.unitApart[u] where other != leaving && clusterOf[other] == c { return false }
        return true
    }

    /// An unplaced unit may enter c during construction.
    func mayEnter(_ u: Int, _ c: Int, maxSize: Int) -> Bool {
        size[c] + p.unitSize[u] <= maxSize && compatible(u, c)
    }

    func canMove(_ u: Int, to b: Int, minSize: Int, maxSize: Int) -> Bool {
        let a = clusterOf[u]
        return a != b && p.unitPin[u] < 0 && size[a] - p.unitSize[u] >= minSize && size[b] + p.unitSize[u] <= maxSize
            && compatible(u, b)
    }

    func canSwap(_ u: Int, _ v: Int, minSize: Int, maxSize: Int) -> Bool {
        let a = clusterOf[u], b = clusterOf[v]
        guard a != b, p.unitPin[u] < 0, p.unitPin[v] < 0 else { return false }
        let change = p.unitSize[v] - p.unitSize[u]
        if change != 0 {
            if size[a] + change < minSize || size[a] + change > maxSize || size[b] - change < minSize
                || size[b] - change > maxSize
            {
                return false
            }
        }
        return compatible(u, b, leaving: v) && compatible(v, a, leaving: u)
    }

    // MARK: Changes

    mutating func place(_ u: Int, in c: Int) {
        clusterOf[u] = c
        unitsIn[c].append(u)
        size[c] += p.unitSize[u]
        if p.unitWave[u] >= 0 { waveUnits[c * p.waveCount + p.unitWave[u]] += 1 }
        objective += unitSum(u, c) + p.unitSelf[u] / 2
        add(u, to: c, sign: 1)
    }

    private mutating func add(_ u: Int, to c: Int, sign: Double) {
        let n = p.n
        sums.withUnsafeMutableBufferPointer { sums in
            p.d.values.withUnsafeBufferPointer { d in
                for i in p.unitMembers[u] {
                    let row = i * n, column = c * n
                    for x in 0..<n { sums[column + x] += sign * d[row + x] }
                }
            }
        }
    }

    /// Moves without checks; callers check feasibility first.
    mutating func move(_ u: Int, to b: Int) {
        let a = clusterOf[u]
        objective += moveDelta(u, to: b)
        log.append((u, a))
        add(u, to: a, sign: -1)
        add(u, to: b, sign: 1)
        clusterOf[u] = b
        if let position = unitsIn[a].firstIndex(of: u) { unitsIn[a].remove(at: position) }
        unitsIn[b].append(u)
        size[a] -= p.unitSize[u]
        size[b] += p.unitSize[u]
        if p.unitWave[u] >= 0 {
            waveUnits[a * p.waveCount + p.unitWave[u]] -= 1
            waveUnits[b * p.waveCount + p.unitWave[u]] += 1
        }
    }

    /// Two moves, each priced exactly against the plan as it is at that step.
    mutating func swap(_ u: Int, _ v: Int) {
        let a = clusterOf[u], b = clusterOf[v]
        move(u, to: b)
        move(v, to: a)
    }

    mutating func startLog() { log.removeAll(keepingCapacity: true) }

    mutating func undoLog() {
        let steps = log
        for step in steps.reversed() { move(step.unit, to: step.from) }
        log.removeAll(keepingCapacity: true)
    }

    // MARK: Local search

    /// Applies the best improving move or swap of each unit on the worklist; units of the clusters
    /// a change touches go back on it. Ends in a plan no single move or swap improves for the
    /// units looked at.
    mutating func descend(_ start: [Int], minSize: Int, maxSize: Int) {
        var queue = start
        var queued = [Bool](repeating: false, count: p.unitCount)
        for u in start { queued[u] = true }
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            queued[u] = false
            if head > 4096 { queue.removeFirst(head); head = 0 }
            guard p.unitPin[u] < 0 else { continue }
            let a = clusterOf[u]
            let ownSum = unitSum(u, a)
            var bestDelta = -1e-9, bestMove = -1, bestSwap = -1
            for b in 0..<k where b != a {
                let toB = unitSum(u, b)
                if canMove(u, to: b, minSize: minSize, maxSize: maxSize) {
                    let delta = toB - ownSum + p.unitSelf[u]
                    if delta < bestDelta { bestDelta = delta; bestMove = b; bestSwap = -1 }
                }
                for v in unitsIn[b] {
                    let delta =
                        toB + unitSum(v, a) - 2 * cross(u, v) - ownSum - unitSum(v, b) + p.unitSelf[u] + p.unitSelf[v]
                    if delta < bestDelta, canSwap(u, v, minSize: minSize, maxSize: maxSize) {
                        bestDelta = delta; bestSwap = v; bestMove = -1
                    }
                }
            }
            var touched: [Int] = []
            if bestSwap >= 0 {
                touched = [a, clusterOf[bestSwap]]
                swap(u, bestSwap)
            } else if bestMove >= 0 {
                touched = [a, bestMove]
                move(u, to: bestMove)
            }
            for c in touched {
                for w in unitsIn[c] where !queued[w] { queued[w] = true; queue.append(w) }
            }
        }
    }
}
