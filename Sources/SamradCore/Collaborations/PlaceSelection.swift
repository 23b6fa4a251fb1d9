import Foundation

/// How a collaboration gives out its places.
public enum AdmissionMode: String, CaseIterable, Codable, Sendable {
    /// In order of arrival; when the places are taken, a waiting list.
    case firstCome = "first_come"
    /// Municipalities apply until the deadline; the organiser chooses (e.g. 12 of 30, spread over
    /// regions and sizes) and tells everyone at once. Those not chosen wait, in order of application.
    case selection
}

/// A municipality's size by inhabitants, for the spread shown while choosing.
public enum SizeBand: String, CaseIterable, Codable, Sendable {
    case small = "under_20000"
    case medium = "20000_49999"
    case large = "50000_99999"
    case largest = "100000_up"

    public init(population: Int) {
        switch population {
        case ..<20_000: self = .small
        case ..<50_000: self = .medium
        case ..<100_000: self = .large
        default: self = .largest
        }
    }
}

/// The organiser's choice among the applications of a collaboration that chooses its participants.
public enum PlaceSelection {
    /// How the chosen spread over one group (a region or a size band) against those who applied.
    public struct Share: Sendable, Equatable {
        public var key: String
        public var name: String
        public var chosen: Int
        public var applied: Int
    }

    public struct Spread: Sendable, Equatable {
        public var chosen: Int
        public var applied: Int
        public var capacity: Int?
        public var regions: [Share]
        public var sizes: [Share]
        /// Inhabitants of the chosen municipalities together.
        public var population: Int
    }

    /// Applications are still being taken: the choice waits until the deadline has passed or the
    /// organiser has closed registration, so that every application is seen.
    public static func applicationsOpen(_ terms: RegistrationTerms, now: Date) -> Bool {
        terms.status == .open && !(terms.deadline.map { now > $0 } ?? false)
    }

    /// Checks a choice before it is made: once, after the applications closed, only applicants, at
    /// least one and no more than the places.
    public static func check(
        chosen: [MunicipalityKey], applicants: Set<MunicipalityKey>, terms: RegistrationTerms, alreadyMade: Bool,
        now: Date
    ) throws {
        if alreadyMade { throw SamradError(.conflict, "selection.already_made") }
        if applicationsOpen(terms, now: now) { throw SamradError(.conflict, "selection.still_open") }
        var v = Validation()
        if chosen.isEmpty { v.add("chosen", "selection.none_chosen") }
        for key in chosen where !applicants.contains(key) {
            v.add("chosen", "selection.not_applicant", [key.description])
        }
        if Set(chosen).count != chosen.count { v.add("chosen", "selection.twice") }
        if let capacity = terms.capacity, Set(chosen).count > capacity {
            v.add("chosen", "selection.over_capacity", [String(Set(chosen).count), String(capacity)])
        }
        try v.check()
    }

    /// The spread of the chosen over regions and sizes, beside the spread of all who applied.
    /// Size bands are named by key; the caller words them.
    public static func spread(
        chosen: Set<MunicipalityKey>, applicants: [Municipality], capacity: Int?
    ) -> Spread {
        var regions: [String: Share] = [:]
        var sizes: [SizeBand: Share] = [:]
        var population = 0
        for m in applicants {
            let isChosen = chosen.contains(m.key)
            let regionKey = "\(m.country.rawValue)/\(m.regionCode)"
            regions[regionKey, default: Share(key: regionKey, name: m.regionName, chosen: 0, applied: 0)].applied += 1
            let band = SizeBand(population: m.population)
            sizes[band, default: Share(key: band.rawValue, name: band.rawValue, chosen: 0, applied: 0)].applied += 1
            if isChosen {
                regions[regionKey]!.chosen += 1
                sizes[band]!.chosen += 1
                population += m.population
            }
        }
        return Spread(
            chosen: applicants.filter { chosen.contains($0.key) }.count, applied: applicants.count,
            capacity: capacity,
            regions: regions.values.sorted { ($0.name, $0.key) < ($1.name, $1.key) },
            sizes: SizeBand.allCases.compactMap { sizes[$0] }, population: population)
    }
}
