import Foundation

public enum CollaborationKind: String, CaseIterable, Codable, Sendable {
    case politicalForum = "political_forum"
    case professionalCollaboration = "professional_collaboration"
    case clusterProgramme = "cluster_programme"
    case standingNetwork = "standing_network"
    case conference
}

/// draft → open for registration → registration closed → running → concluded.
public enum CollaborationStatus: String, CaseIterable, Codable, Sendable {
    case draft, open, closed, running, concluded

    /// The states an organiser may move a collaboration to from this one. Going back from closed to
    /// open reopens registration (e.g. a deadline extended); nothing returns to draft once published.
    public var next: [CollaborationStatus] {
        switch self {
        case .draft: [.open]
        case .open: [.closed]
        case .closed: [.open, .running]
        case .running: [.concluded]
        case .concluded: []
        }
    }

    /// Visible to the public and to every member; drafts only to organisers.
    public var isPublished: Bool { self != .draft }
}

/// Seats a municipality fills when it registers: e.g. 1 committee chair, 1 committee member and 1
/// administration representative, all required; optional seats may stay empty.
public struct SeatRequirement: Codable, Sendable, Equatable, Hashable {
    public var position: Position
    public var count: Int
    public var required: Bool

    public init(position: Position, count: Int, required: Bool = true) {
        self.position = position
        self.count = count
        self.required = required
    }
}

/// A person named for a seat.
public struct SeatAssignment: Codable, Sendable, Equatable, Hashable {
    public var position: Position
    public var personID: UUID

    public init(position: Position, personID: UUID) {
        self.position = position
        self.personID = personID
    }
}

/// Money granted to a collaboration, e.g. 2,000,000 DKK from a foundation.
public struct Funding: Codable, Sendable, Equatable {
    public var funder: String
    public var amount: Money
    public var purpose: String

    public init(funder: String, amount: Money, purpose: String) {
        self.funder = funder
        self.amount = amount
        self.purpose = purpose
    }
}

/// What the registration rules need to know of a collaboration.
public struct RegistrationTerms: Sendable, Equatable {
    public var status: CollaborationStatus
    public var opensAt: Date?
    public var deadline: Date?
    /// nil: no limit.
    public var capacity: Int?
    public var seats: [SeatRequirement]
    public var price: PriceModel
    public var admission: AdmissionMode
    /// The organiser has chosen among the applications (only with `.selection`).
    public var placesChosen: Bool

    public init(
        status: CollaborationStatus, opensAt: Date?, deadline: Date?, capacity: Int?, seats: [SeatRequirement],
        price: PriceModel, admission: AdmissionMode = .firstCome, placesChosen: Bool = false
    ) {
        self.admission = admission
        self.placesChosen = placesChosen
        self.status = status
        self.opensAt = opensAt
        self.deadline = deadline
        self.capacity = capacity
        self.seats = seats
        self.price = price
    }

    /// Registration is possible: published as open, after opening, not after the deadline.
    public func acceptsRegistrations(at now: Date) -> Bool {
        guard status == .open else { return false }
        if let opensAt, now < opensAt { return false }
        if let deadline, now > deadline { return false }
        return true
    }
}
