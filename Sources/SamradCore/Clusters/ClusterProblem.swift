import Foundation

/// A request checked and reduced to what the search works on: units (municipalities that must be
/// together, merged), each with its size, its pinned cluster, its wave and the units it must be apart
/// from. Every infeasibility that can be seen before searching is reported here, saying why.
final class ClusterProblem: Sendable {
    let d: ClusterDissimilarity
    let n: Int
    let unitOf: [Int]
    let unitMembers: [[Int]]
    let unitSize: [Int]
    /// Σ d over ordered pairs inside the unit (twice the unordered sum).
    let unitSelf: [Double]
    /// Index into `waveLabels`, or -1.
    let unitWave: [Int]
    let waveLabels: [Int]
    /// The cluster slot the unit is pinned to, or -1; slot i carries `pinNames[i]`.
    let unitPin: [Int]
    let pinNames: [String]
    let unitApart: [[Int]]

    var unitCount: Int { unitMembers.count }
    var waveCount: Int { waveLabels.count }

    private init(
        d: ClusterDissimilarity, unitOf: [Int], unitMembers: [[Int]], unitWave: [Int], waveLabels: [Int],
        unitPin: [Int], pinNames: [String], unitApart: [[Int]]
    ) {
        self.d = d
        n = d.count
        self.unitOf = unitOf
        self.unitMembers = unitMembers
        unitSize = unitMembers.map(\.count)
        unitSelf = unitMembers.map { members in 2 * d.cost(of: members) }
        self.unitWave = unitWave
        self.waveLabels = waveLabels
        self.unitPin = unitPin
        self.pinNames = pinNames
        self.unitApart = unitApart
    }

    /// For each unit, the nearest other units (by the dissimilarity of their first members).
    func nearestUnits(_ count: Int) -> [[Int]] {
        (0..<unitCount).map { u in
            let i = unitMembers[u][0]
            return (0..<unitCount).filter { $0 != u }.sorted { d[i, unitMembers[$0][0]] < d[i, unitMembers[$1][0]] }
                .prefix(count).map { $0 }
        }
    }

    static func make(_ request: ClusterRequest) throws -> (ClusterProblem, Int) {
        let candidates = request.candidates
        let n = candidates.count
        let constraints = request.constraints
        var validation = Validation()
        guard n > 0 else { throw SamradError(.invalidInput, "clusters.error.no_candidates") }
        guard request.minSize >= 1, request.maxSize >= request.minSize else {
            throw SamradError.invalid([
                FieldError(field: "max", "clusters.error.bounds", [String(request.minSize), String(request.maxSize)])
            ])
        }
        let weights = [request.weights.geography, request.weights.size, request.weights.profile]
        if weights.contains(where: { !$0.isFinite || $0 < 0 }) {
            throw SamradError.invalid([FieldError(field: "weights", "clusters.error.weights")])
        }
        let k: Int
        if let asked = request.clusterCount {
            guard asked >= 1, asked * request.minSize <= n, n <= asked * request.maxSize else {
                throw SamradError.invalid([
                    FieldError(
                        field: "k", "clusters.error.count",
                        [
                            String(asked), String(n), String(request.minSize), String(request.maxSize),
                            String(max(0, asked) * request.minSize), String(max(0, asked) * request.maxSize),
                        ])
                ])
            }
            k = asked
        } else {
            guard
                let chosen = ClusterRequest.defaultClusterCount(
                    count: n, minSize: request.minSize, maxSize: request.maxSize)
            else {
                throw SamradError.invalid([
                    FieldError(
                        field: "codes", "clusters.error.sizes",
                        [String(n), String(request.minSize), String(request.maxSize)])
                ])
            }
            k = chosen
        }
        let dimensions = candidates[0].profile.count
        for candidate in candidates
        where candidate.profile.count != dimensions || candidate.profile.contains(where: { !$0.isFinite }) {
            validation.add("profile", "clusters.error.profile", [candidate.label])
        }

        var index: [String: Int] = [:]
        for (i, candidate) in candidates.enumerated() {
            if index[candidate.id] != nil { validation.add("codes", "clusters.error.duplicate", [candidate.label]) }
            index[candidate.id] = i
        }
        func resolve(_ pair: ClusterPair, _ field: String) -> (Int, Int)? {
            guard let a = index[pair.first] else {
                validation.add(field, "clusters.error.unknown", [pair.first]); return nil
            }
            guard let b = index[pair.second] else {
                validation.add(field, "clusters.error.unknown", [pair.second]); return nil
            }
            if a == b { validation.add(field, "clusters.error.same", [candidates[a].label]); return nil }
            return (a, b)
        }
        let together = constraints.together.compactMap { resolve($0, "together") }
        let apart = constraints.apart.compactMap { resolve($0, "apart") }
        for id in constraints.pinned.keys.sorted() where index[id] == nil {
            validation.add("pinned", "clusters.error.unknown", [id])
        }
        for (id, wave) in constraints.waves.sorted(by: { $0.key < $1.key }) {
            if index[id] == nil { validation.add("waves", "clusters.error.unknown", [id]) }
            if wave < 1 { validation.add("waves", "clusters.error.wave_invalid", [id]) }
        }
        for (id, name) in constraints.pinned where name.trimmingCharacters(in: .whitespaces).isEmpty {
            validation.add("pinned", "clusters.error.pin_name", [id])
        }
        try validation.check()

        // Units: union-find over the pairs that must be together.
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for (a, b) in together { parent[root(a)] = root(b) }
        var unitOfRoot: [Int: Int] = [:]
        var unitMembers: [[Int]] = []
        var unitOf = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let r = root(i)
            if let u = unitOfRoot[r] {
                unitMembers[u].append(i); unitOf[i] = u
            } else {
                unitOfRoot[r] = unitMembers.count
                unitOf[i] = unitMembers.count
                unitMembers.append([i])
            }
        }
        let label = { (i: Int) in candidates[i].label }
        let unitLabel = { (u: Int) in unitMembers[u].map(label).joined(separator: ", ") }
        for members in unitMembers where members.count > request.maxSize {
            validation.add(
                "together", "clusters.error.group_too_large",
                [members.map(label).joined(separator: ", "), String(members.count), String(request.maxSize)])
        }
        for (a, b) in apart where unitOf[a] == unitOf[b] {
            validation.add("apart", "clusters.error.together_apart", [label(a), label(b)])
        }

        // Pins: names become cluster slots in order of first appearance by candidate.
        var pinNames: [String] = []
        var unitPin = [Int](repeating: -1, count: unitMembers.count)
        for (i, candidate) in candidates.enumerated() {
            guard let raw = constraints.pinned[candidate.id] else { continue }
            let name = raw.trimmingCharacters(in: .whitespaces)
            let slot =
                pinNames.firstIndex(of: name)
                ?? {
                    pinNames.append(name); return pinNames.count - 1
                }()
            let u = unitOf[i]
            if unitPin[u] >= 0, unitPin[u] != slot {
                validation.add("pinned", "clusters.error.two_pins", [label(i), pinNames[unitPin[u]], name])
            } else {
                unitPin[u] = slot
            }
        }
        if pinNames.count > k {
            validation.add("pinned", "clusters.error.pin_count", [String(pinNames.count), String(k)])
        }
        for (slot, name) in pinNames.enumerated() {
            let units = unitPin.indices.filter { unitPin[$0] == slot }
            let size = units.reduce(0) { $0 + unitMembers[$1].count }
            if size > request.maxSize {
                validation.add("pinned", "clusters.error.pin_too_large", [name, String(size), String(request.maxSize)])
            }
            let members = Set(units.flatMap { unitMembers[$0] })
            for (a, b) in apart where members.contains(a) && members.contains(b) && unitOf[a] != unitOf[b] {
                validation.add("pinned", "clusters.error.pin_apart", [name, label(a), label(b)])
            }
        }

        // Waves: a unit starts in one wave; a named cluster too.
        let waveLabels = Array(Set(constraints.waves.values)).sorted()
        var unitWave = [Int](repeating: -1, count: unitMembers.count)
        for (i, candidate) in candidates.enumerated() {
            guard let wave = constraints.waves[candidate.id], let w = waveLabels.firstIndex(of: wave) else { continue }
            let u = unitOf[i]
            if unitWave[u] >= 0, unitWave[u] != w {
                validation.add(
                    "waves", "clusters.error.two_waves", [unitLabel(u), String(waveLabels[unitWave[u]]), String(wave)])
            } else {
                unitWave[u] = w
            }
        }
        var slotWave = [Int](repeating: -1, count: pinNames.count)
        for u in unitPin.indices where unitPin[u] >= 0 && unitWave[u] >= 0 {
            let slot = unitPin[u]
            if slotWave[slot] >= 0, slotWave[slot] != unitWave[u] {
                validation.add(
                    "waves", "clusters.error.pin_waves",
                    [pinNames[slot], String(waveLabels[slotWave[slot]]), String(waveLabels[unitWave[u]])])
            } else {
                slotWave[slot] = unitWave[u]
            }
        }
        try validation.check()
        var needed = 0
        for w in waveLabels.indices {
            let members = unitWave.indices.filter { unitWave[$0] == w }.reduce(0) { $0 + unitMembers[$1].count }
            needed += max((members + request.maxSize - 1) / request.maxSize, slotWave.filter { $0 == w }.count)
        }
        if needed > k {
            throw SamradError.invalid([FieldError(field: "waves", "clusters.error.waves", [String(needed), String(k)])])
        }

        var unitApart = [[Int]](repeating: [], count: unitMembers.count)
        for (a, b) in apart {
            let ua = unitOf[a], ub = unitOf[b]
            if !unitApart[ua].contains(ub) { unitApart[ua].append(ub) }
            if !unitApart[ub].contains(ua) { unitApart[ub].append(ua) }
        }
        let problem = ClusterProblem(
            d: ClusterDissimilarity(candidates, weights: request.weights), unitOf: unitOf, unitMembers: unitMembers,
            unitWave: unitWave, waveLabels: waveLabels, unitPin: unitPin, pinNames: pinNames, unitApart: unitApart)
        return (problem, k)
    }
}
