import Foundation

public enum RegistrationStatus: String, CaseIterable, Codable, Sendable {
    /// Invited, no answer yet (no registration row).
    case notAnswered = "not_answered"
    case registered
    /// Applied for a place in a collaboration whose organiser chooses; not yet chosen.
    case applied
    case waitlisted
    case declined
    case withdrawn

    /// Holds, waits for or applied for a place.
    public var isActive: Bool { self == .registered || self == .waitlisted || self == .applied }
}

/// The rules of registering a municipality for a collaboration, as pure decisions. The server runs
/// them inside one transaction that holds the collaboration's lock, so the counts they see are
/// current.
public enum RegistrationRules {
    /// Checks a registration (new or changed): the window is open, every required seat is filled with
    /// people of the municipality, no seat is over-filled and no person sits twice.
    /// `peopleOfMunicipality` holds the ids of the people who belong to the registering municipality.
    public static func check(
        _ seats: [SeatAssignment], terms: RegistrationTerms, peopleOfMunicipality: Set<UUID>, now: Date
    ) throws {
        guard terms.acceptsRegistrations(at: now) else {
            if let deadline = terms.deadline, now > deadline {
                throw SamradError(.conflict, "registration.after_deadline")
            }
            throw SamradError(.conflict, "registration.not_open")
        }
        var v = Validation()
        let byPosition = Dictionary(grouping: seats, by: \.position)
        for requirement in terms.seats {
            let filled = byPosition[requirement.position]?.count ?? 0
            if requirement.required && filled < requirement.count {
                v.add(
                    "seats.\(requirement.position.rawValue)", "registration.seat_missing",
                    [String(requirement.count), "@position.\(requirement.position.rawValue)"])
            }
            if filled > requirement.count {
                v.add(
                    "seats.\(requirement.position.rawValue)", "registration.seat_too_many",
                    [String(requirement.count), "@position.\(requirement.position.rawValue)"])
            }
        }
        let offered = Set(terms.seats.map(\.position))
        for position in Set(seats.map(\.position)) where !offered.contains(position) {
            v.add("seats.\(position.rawValue)", "registration.seat_unknown")
        }
        var seen: Set<UUID> = []
        for seat in seats {
            if !peopleOfMunicipality.contains(seat.personID) {
                v.add("seats.\(seat.position.rawValue)", "registration.person_elsewhere")
            } else if !seen.insert(seat.personID).inserted {
                v.add("seats.\(seat.position.rawValue)", "registration.person_twice")
            }
        }
        try v.check()
    }

    /// Whether a new registration takes a place or joins the waiting list, or, where the organiser
    /// chooses and has not yet chosen, is an application. After the choice, late comers queue.
    public static func placement(
        registeredCount: Int, capacity: Int?, admission: AdmissionMode = .firstCome, placesChosen: Bool = false
    ) -> RegistrationStatus {
        if admission == .selection && !placesChosen { return .applied }
        guard let capacity else { return .registered }
        return registeredCount < capacity ? .registered : .waitlisted
    }

    /// A municipality withdraws itself until the deadline; afterwards only the organiser can.
    public static func mayWithdraw(byOrganiser: Bool, terms: RegistrationTerms, now: Date) -> Bool {
        if byOrganiser { return true }
        if let deadline = terms.deadline, now > deadline { return false }
        return terms.status == .open
    }

    /// When a place frees up, the waiting list moves up in order of arrival: the waitlisted with the
    /// lowest sequence numbers, as many as there are free places.
    public static func promotions(
        waitlisted: [(id: UUID, sequence: Int)], registeredCount: Int, capacity: Int?
    ) -> [UUID] {
        let free = capacity.map { max(0, $0 - registeredCount) } ?? waitlisted.count
        return waitlisted.sorted { $0.sequence < $1.sequence }.prefix(free).map(\.id)
    }

    /// The organiser may not lower the capacity below the municipalities already registered.
    public static func checkCapacity(_ capacity: Int?, registeredCount: Int) throws {
        if let capacity {
            if capacity < 1 { throw SamradError.invalid([FieldError(field: "capacity", "validation.positive")]) }
            if capacity < registeredCount {
                throw SamradError.invalid([
                    FieldError(field: "capacity", "collaboration.capacity_below_registered", [String(registeredCount)])
                ])
            }
        }
    }

    /// The price is fixed once a municipality has registered, so nobody pays what they did not accept.
    public static func checkPriceChange(from old: PriceModel, to new: PriceModel, activeRegistrations: Int) throws {
        if old != new && activeRegistrations > 0 {
            throw SamradError.invalid([
                FieldError(field: "price", "collaboration.price_locked", [String(activeRegistrations)])
            ])
        }
    }
}

/// The organiser's overview of who answered.
public struct RegistrationSummary: Sendable, Equatable {
    public var invited: Int
    public var counts: [RegistrationStatus: Int]

    public init(invited: Int, statuses: [RegistrationStatus]) {
        self.invited = invited
        var counts: [RegistrationStatus: Int] = [:]
        for status in statuses { counts[status, default: 0] += 1 }
        self.counts = counts
    }

    public func count(_ status: RegistrationStatus) -> Int { counts[status] ?? 0 }
}

/// Automatic reminders: days before the deadline at which municipalities that have not answered
/// get a reminder.
public struct ReminderSchedule: Sendable, Equatable {
    public var daysBeforeDeadline: [Int]

    public init(daysBeforeDeadline: [Int]) {
        self.daysBeforeDeadline = Array(Set(daysBeforeDeadline.filter { $0 > 0 })).sorted(by: >)
    }

    /// Parses "14, 3" → [14, 3].
    public static func parse(_ text: String) -> ReminderSchedule? {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        let days = parts.compactMap(Int.init)
        guard days.count == parts.count, days.allSatisfy({ $0 > 0 && $0 <= 365 }) else { return nil }
        return ReminderSchedule(daysBeforeDeadline: days)
    }

    /// The reminder moments that have come by `now` and were not yet sent (`sent` holds offsets).
    public func due(deadline: Date, now: Date, sent: Set<Int>) -> [Int] {
        guard now < deadline else { return [] }
        return daysBeforeDeadline.filter {
            !sent.contains($0) && now >= deadline.addingTimeInterval(-Double($0) * 86_400)
        }
    }
}
