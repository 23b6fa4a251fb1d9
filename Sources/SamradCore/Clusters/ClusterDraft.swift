import Foundation

/// Settings of a plan: bounds, number of clusters, weights, seed, and the length of the meeting series
/// the host rotation covers.
public struct ClusterSettingsInput: Codable, Sendable, Equatable {
    public var minSize = 6
    public var maxSize = 8
    public var clusterCount: Int?
    public var weights = ClusterWeights()
    public var seed: UInt64 = 1
    public var meetings = 6

    public init(
        minSize: Int = 6, maxSize: Int = 8, clusterCount: Int? = nil, weights: ClusterWeights = ClusterWeights(),
        seed: UInt64 = 1, meetings: Int = 6
    ) {
        self.minSize = minSize
        self.maxSize = maxSize
        self.clusterCount = clusterCount
        self.weights = weights
        self.seed = seed
        self.meetings = meetings
    }
}

/// A plan the organiser is looking at, proposed or changed by hand, or as saved.
public struct ClusterDraft: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        public var wave: Int
        public var facilitatorID: UUID?
        public var members: [MunicipalityKey]

        public init(name: String, wave: Int, facilitatorID: UUID?, members: [MunicipalityKey]) {
            self.name = name
            self.wave = wave
            self.facilitatorID = facilitatorID
            self.members = members
        }
    }

    public var settings: ClusterSettingsInput
    public var groups: [Group]

    public init(settings: ClusterSettingsInput, groups: [Group]) {
        self.settings = settings
        self.groups = groups
    }

    /// The members as text for a hidden form field: clusters separated by `;`, members by `,`.
    public var planText: String {
        groups.map { $0.members.map(\.description).joined(separator: ",") }.joined(separator: ";")
    }

    public static func members(fromPlanText text: String) -> [[MunicipalityKey]]? {
        guard !text.isEmpty else { return [] }
        var result: [[MunicipalityKey]] = []
        for group in text.split(separator: ";", omittingEmptySubsequences: false) {
            var keys: [MunicipalityKey] = []
            for item in group.split(separator: ",") {
                guard let key = MunicipalityKey(path: String(item)) else { return nil }
                keys.append(key)
            }
            result.append(keys)
        }
        return result
    }

    /// Checks the draft against the collaboration: every member registered and placed once, names
    /// given and distinct, waves from 1 to 4, facilitators attached as facilitators.
    public func validate(registered known: Set<MunicipalityKey>, facilitators: Set<UUID>) throws {
        var v = Validation()
        var seen = Set<MunicipalityKey>()
        var names = Set<String>()
        if groups.isEmpty { v.add("clusters", "clusters.error.none") }
        for (index, group) in groups.enumerated() {
            let field = "name_\(index)"
            let name = group.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                v.add(field, "validation.required")
            } else if name.count > 80 {
                v.add(field, "validation.too_long", ["80"])
            } else if !names.insert(name.lowercased()).inserted {
                v.add(field, "clusters.error.name_twice", [name])
            }
            if !(1...4).contains(group.wave) { v.add("wave_\(index)", "validation.range", ["1", "4"]) }
            if let id = group.facilitatorID, !facilitators.contains(id) {
                v.add("facilitator_\(index)", "clusters.error.facilitator")
            }
            if group.members.isEmpty { v.add(field, "clusters.error.empty", [name]) }
            for key in group.members {
                if !known.contains(key) { v.add("clusters", "clusters.error.not_registered", [key.description]) }
                if !seen.insert(key).inserted { v.add("clusters", "clusters.error.twice", [key.description]) }
            }
        }
        try v.check()
    }
}
