import Foundation
import XCTest
@testable import SamradCore

final class ClusterPlannerTests: XCTestCase {
    /// Municipalities scattered over southern Scandinavia, reproducibly.
    func scattered(_ count: Int, seed: UInt64 = 7) -> [ClusterCandidate] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            ClusterCandidate(
                id: String(format: "%03d", i), label: "M\(i)", latitude: Double.random(in: 54.5...60, using: &rng),
                longitude: Double.random(in: 8...18, using: &rng),
                population: Int.random(in: 2_000...600_000, using: &rng))
        }
    }

    func assertValid(
        _ plan: ClusterPlan, count: Int, min: Int = 6, max: Int = 8, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(
            plan.clusters.flatMap { $0 }.sorted(), Array(0..<count), "every municipality exactly once", file: file,
            line: line)
        for cluster in plan.clusters {
            XCTAssert((min...max).contains(cluster.count), "size \(cluster.count)", file: file, line: line)
        }
    }

    func testDissimilarityFollowsTheFormula() {
        // One degree of longitude on the equator is 6371.0088 · π / 180 km.
        let a = ClusterCandidate(id: "a", latitude: 0, longitude: 0, population: Int(exp(8.0).rounded()))
        let b = ClusterCandidate(id: "b", latitude: 0, longitude: 1, population: Int(exp(9.0).rounded()))
        let c = ClusterCandidate(id: "c", latitude: 0, longitude: 2, population: Int(exp(8.0).rounded()))
        let km = 6371.0088 * Double.pi / 180
        let d = ClusterDissimilarity([a, b, c], weights: ClusterWeights(geography: 1, size: 2))
        XCTAssertEqual(
            d[0, 1], km / 100 + 2 * abs(log(Double(b.population)) - log(Double(a.population))), accuracy: 1e-9)
        XCTAssertEqual(d[0, 2], 2 * km / 100, accuracy: 1e-6)
        XCTAssertEqual(d[1, 0], d[0, 1])
        XCTAssertEqual(d.objective([[0, 1, 2]]), d[0, 1] + d[0, 2] + d[1, 2], accuracy: 1e-12)
        XCTAssertEqual(d.objective([[0], [1, 2]]), d[1, 2], accuracy: 1e-12)
    }

    func testProfileIsStandardisedAndWeighted() {
        let points = [
            ClusterCandidate(id: "a", latitude: 0, longitude: 0, population: 100, profile: [10]),
            ClusterCandidate(id: "b", latitude: 0, longitude: 0, population: 100, profile: [30]),
        ]
        // z-scores −1 and +1: |z_a − z_b| = 2, times wp = 0.5.
        let d = ClusterDissimilarity(points, weights: ClusterWeights(geography: 1, size: 1, profile: 0.5))
        XCTAssertEqual(d[0, 1], 1, accuracy: 1e-12)
    }

    /// M12: a server bounds the search's time; it then returns the best plan found so far.
    func testTheSearchStopsAtItsTimeBudget() throws {
        var request = ClusterRequest(candidates: scattered(98), patience: 10_000_000)
        request.timeBudget = .milliseconds(200)
        let clock = ContinuousClock()
        let started = clock.now
        let plan = try ClusterPlanner(request).plan()
        XCTAssertLessThan(clock.now - started, .seconds(30), "ten million rounds without gain would take far longer")
        XCTAssertEqual(plan.clusters.flatMap { $0 }.sorted(), Array(0..<98))
        XCTAssertTrue(plan.clusters.allSatisfy { (6...8).contains($0.count) })
    }

    func testDefaultClusterCount() {
        XCTAssertEqual(ClusterRequest.defaultClusterCount(count: 290, minSize: 6, maxSize: 8), 41)
        XCTAssertEqual(ClusterRequest.defaultClusterCount(count: 98, minSize: 6, maxSize: 8), 14)
        XCTAssertEqual(ClusterRequest.defaultClusterCount(count: 41, minSize: 6, maxSize: 8), 6)
        XCTAssertNil(ClusterRequest.defaultClusterCount(count: 9, minSize: 6, maxSize: 8))
        // 10 / 4 = 2.5: 2 and 3 are equally near, and ties go to fewer clusters.
        XCTAssertEqual(ClusterRequest.defaultClusterCount(count: 10, minSize: 3, maxSize: 5), 2)
    }

    func testInfeasibleRequestsSayWhy() {
        func error(_ request: ClusterRequest) -> SamradError? {
            do { _ = try ClusterPlanner(request).plan(); return nil } catch { return error as? SamradError }
        }
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(9)))?.fieldErrors.first?.messageKey, "clusters.error.sizes")
        XCTAssertEqual(error(ClusterRequest(candidates: scattered(9)))?.fieldErrors.first?.arguments, ["9", "6", "8"])
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), clusterCount: 7))?.fieldErrors.first?.messageKey,
            "clusters.error.count")
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), minSize: 8, maxSize: 6))?.fieldErrors.first?.messageKey,
            "clusters.error.bounds")
        XCTAssertEqual(error(ClusterRequest(candidates: []))?.messageKey, "clusters.error.no_candidates")
        let contradictory = ClusterConstraints(
            together: [ClusterPair("001", "002"), ClusterPair("002", "003")], apart: [ClusterPair("001", "003")])
        let apartError = error(ClusterRequest(candidates: scattered(40), constraints: contradictory))
        XCTAssertEqual(apartError?.fieldErrors.first?.messageKey, "clusters.error.together_apart")
        XCTAssertEqual(apartError?.fieldErrors.first?.arguments, ["M1", "M3"])
        let chain = ClusterConstraints(
            together: (0..<8).map { ClusterPair(String(format: "%03d", $0), String(format: "%03d", $0 + 1)) })
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), constraints: chain))?.fieldErrors.first?.messageKey,
            "clusters.error.group_too_large")
        let pins = ClusterConstraints(together: [ClusterPair("001", "002")], pinned: ["001": "Nord", "002": "Syd"])
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), constraints: pins))?.fieldErrors.first?.messageKey,
            "clusters.error.two_pins")
        let unknown = ClusterConstraints(apart: [ClusterPair("001", "999")])
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), constraints: unknown))?.fieldErrors.first?.arguments,
            ["999"])
        // 40 municipalities make 6 clusters; four waves of 10 need two clusters each.
        var waves: [String: Int] = [:]
        for i in 0..<40 { waves[String(format: "%03d", i)] = i % 4 + 1 }
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(40), constraints: ClusterConstraints(waves: waves)))?.fieldErrors
                .first?.messageKey, "clusters.error.waves")
        // Seven that must be pairwise apart cannot fit into six clusters.
        let ids = (0..<7).map { String(format: "%03d", $0) }
        let apart = ids.indices.flatMap { i in ids[(i + 1)...].map { ClusterPair(ids[i], $0) } }
        XCTAssertEqual(
            error(ClusterRequest(candidates: scattered(41), constraints: ClusterConstraints(apart: apart)))?.messageKey,
            "clusters.error.no_plan")
    }

    func testPlanMeetsBoundsAndBeatsTheBaseline() throws {
        let candidates = scattered(98)
        let planner = try ClusterPlanner(ClusterRequest(candidates: candidates, patience: 500))
        let plan = try planner.plan()
        XCTAssertEqual(plan.clusters.count, 14)
        assertValid(plan, count: 98)
        XCTAssertEqual(plan.objective, planner.dissimilarity.objective(plan.clusters), accuracy: 1e-9)
        XCTAssertLessThan(plan.objective, planner.baseline().objective)
        XCTAssertLessThan(plan.objective, planner.construction()!.objective)
    }

    func testSameSeedSamePlan() throws {
        let request = ClusterRequest(candidates: scattered(60), seed: 42, patience: 300)
        XCTAssertEqual(try ClusterPlanner(request).plan(), try ClusterPlanner(request).plan())
    }

    func testLocalSearchNeverWorsensItsStart() throws {
        let candidates = scattered(56)
        let planner = try ClusterPlanner(ClusterRequest(candidates: candidates, patience: 200))
        for seed in UInt64(1)...5 {
            var rng = SeededGenerator(seed: seed)
            let order = Array(0..<56).shuffled(using: &rng)
            let start = stride(from: 0, to: 56, by: 7).map { Array(order[$0..<$0 + 7]) }
            let improved = planner.improve(start)
            assertValid(improved, count: 56)
            XCTAssertLessThanOrEqual(improved.objective, planner.dissimilarity.objective(start) + 1e-9)
        }
        // A plan that is already a local optimum comes back no worse.
        let plan = try planner.plan()
        XCTAssertLessThanOrEqual(planner.improve(plan.clusters).objective, plan.objective + 1e-9)
    }

    func testConstraintsAreHonoured() throws {
        let candidates = scattered(48)
        let id = { (i: Int) in String(format: "%03d", i) }
        var waves: [String: Int] = [:]
        for i in 30..<40 { waves[id(i)] = 2 }
        waves[id(3)] = 1
        let constraints = ClusterConstraints(
            together: [ClusterPair(id(0), id(47)), ClusterPair(id(47), id(20))],
            apart: [ClusterPair(id(1), id(2)), ClusterPair(id(5), id(6)), ClusterPair(id(0), id(10))],
            pinned: [id(11): "Klynge Nord", id(12): "Klynge Nord", id(13): "Klynge Syd"],
            waves: waves)
        let planner = try ClusterPlanner(ClusterRequest(candidates: candidates, constraints: constraints, seed: 3))
        let plan = try planner.plan()
        assertValid(plan, count: 48)
        let clusterOf = Dictionary(
            uniqueKeysWithValues: plan.clusters.enumerated().flatMap { c, members in members.map { ($0, c) } })
        XCTAssertEqual(clusterOf[0], clusterOf[47])
        XCTAssertEqual(clusterOf[47], clusterOf[20])
        XCTAssertNotEqual(clusterOf[1], clusterOf[2])
        XCTAssertNotEqual(clusterOf[5], clusterOf[6])
        XCTAssertNotEqual(clusterOf[0], clusterOf[10])
        XCTAssertEqual(clusterOf[11], clusterOf[12])
        XCTAssertNotEqual(clusterOf[11], clusterOf[13])
        XCTAssertEqual(plan.names[clusterOf[11]!], "Klynge Nord")
        XCTAssertEqual(plan.names[clusterOf[13]!], "Klynge Syd")
        for i in 30..<40 { XCTAssertEqual(plan.waves[clusterOf[i]!], 2) }
        XCTAssertEqual(plan.waves[clusterOf[3]!], 1)
        for cluster in plan.clusters where cluster.contains(where: { (30..<40).contains($0) }) {
            XCTAssertFalse(cluster.contains(3), "wave 1 and wave 2 never share a cluster")
        }
    }

    func testEvaluationMeasuresEachCluster() throws {
        let candidates = scattered(14)
        let evaluation = ClusterEvaluation(
            candidates: candidates, weights: ClusterWeights(), clusters: [Array(0..<7), Array(7..<14)], meetings: 9)
        let d = ClusterDissimilarity(candidates, weights: ClusterWeights())
        XCTAssertEqual(evaluation.objective, d.objective([Array(0..<7), Array(7..<14)]), accuracy: 1e-9)
        let first = evaluation.clusters[0]
        let distances = (0..<7).flatMap { i in
            (0..<7).map { j in
                Geography.haversineKm(
                    candidates[i].latitude, candidates[i].longitude, candidates[j].latitude, candidates[j].longitude)
            }
        }
        XCTAssertEqual(first.largestDistanceKm, distances.max()!, accuracy: 1e-9)
        XCTAssertEqual(first.smallestPopulation, candidates[0..<7].map(\.population).min())
        // Nine meetings for seven members: everyone hosts once before two host a second time.
        XCTAssertEqual(first.hosts.count, 9)
        XCTAssertEqual(Set(first.hosts.prefix(7)), Set(0..<7))
    }

    func testHostRotationCountsEarlierHosting() {
        let points = [(55.0, 10.0), (56.0, 10.0), (57.0, 10.0)].map { (latitude: $0.0, longitude: $0.1) }
        let hosts = HostRotation.suggest(points: points, meetings: 2, hosted: [1, 0, 1])
        XCTAssertEqual(hosts.first, 1, "the one who has not hosted goes first")
        XCTAssertEqual(HostRotation.suggest(points: points, meetings: 3).sorted(), [0, 1, 2])
    }
}
