import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Where municipalities register, change their seats, decline and withdraw. Every change runs in one
/// transaction that first increments the collaboration's registration sequence: that write takes the
/// collaboration's lock (the row lock on PostgreSQL, the write lock on SQLite), so concurrent
/// registrations are decided one after the other and never exceed the capacity. New registrations
/// that arrive together are decided together in one such transaction (`RegistrationBatches`).
enum RegistrationDesk {
    struct Outcome: Sendable {
        var registration: Registration
        /// Waitlisted municipalities that got a place because of this change.
        var promoted: [MunicipalityKey]
        /// The people in the seats, with their names, for the answer.
        var seats: [RegistrationJSON.Seat] = []
    }

    static func collaboration(_ id: UUID, on db: any Database) async throws -> Collaboration {
        guard let collaboration = try await Collaboration.find(id, on: db) else {
            throw SamradError.notFound("error.collaboration_not_found")
        }
        return collaboration
    }

    /// Takes the collaboration's lock and returns the next arrival number. (`decide` takes it with
    /// the registration terms in the same statement.)
    static func lock(_ id: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var registration_sequence: Int }
        guard
            let row = try await db.sql.raw(
                """
                UPDATE collaborations SET registration_sequence = registration_sequence + 1 WHERE id = \(bind: id)
                RETURNING registration_sequence
                """
            ).first(decoding: Row.self)
        else {
            throw SamradError.notFound("error.collaboration_not_found")
        }
        return row.registration_sequence
    }

    static func existing(
        _ collaborationID: UUID, _ municipality: MunicipalityKey, on db: any Database
    ) async throws -> Registration? {
        try await Registration.query(on: db)
            .filter(\.$collaborationID == collaborationID)
            .filter(\.$municipalityCountry == municipality.country.rawValue)
            .filter(\.$municipalityCode == municipality.code)
            .first()
    }

    static func registeredCount(_ collaborationID: UUID, on db: any Database) async throws -> Int {
        try await Registration.query(on: db).filter(\.$collaborationID == collaborationID)
            .filter(\.$status == RegistrationStatus.registered.rawValue).count()
    }

    static func peopleIDs(of municipality: MunicipalityKey, on db: any Database) async throws -> Set<UUID> {
        Set(
            try await Person.query(on: db)
                .filter(\.$municipalityCountry == municipality.country.rawValue)
                .filter(\.$municipalityCode == municipality.code)
                .all().compactMap(\.id))
    }

    /// One municipality's wish to register, as it arrived (not an HTTP request: it outlives one).
    struct Wish: Sendable {
        var municipality: MunicipalityKey
        var seats: [SeatAssignment]
        var acceptedPrice: Bool
        var actor: Actor
        var audit: AuditActor
        var now: Date
    }

    /// Registers a municipality that has not registered (or declined or withdrew before). Requests
    /// for the same collaboration that arrive together are decided in one transaction.
    static func register(
        _ collaborationID: UUID, _ municipality: MunicipalityKey, seats: [SeatAssignment], acceptedPrice: Bool,
        by actor: Actor, audit: AuditActor, now: Date = Date(), on db: any Database,
        batches: RegistrationBatches? = nil
    ) async throws -> Outcome {
        let request = Wish(
            municipality: municipality, seats: seats, acceptedPrice: acceptedPrice, actor: actor, audit: audit, now: now
        )
        if let batches { return try await batches.register(collaborationID, request, on: db) }
        return try await decide(collaborationID, [request], on: db)[0].get()
    }

    private struct CurrentRow: Decodable {
        var id: UUID; var municipality_country: String; var municipality_code: String; var status: String
    }
    private struct PersonRow: Decodable {
        var id: UUID; var name: String; var municipality_country: String?; var municipality_code: String?
    }
    private struct NewRegistration: Encodable {
        var id: UUID; var collaboration_id: UUID; var municipality_country: String; var municipality_code: String;
        var status: String
        var sequence: Int; var registered_by: UUID?; var accepted_price_minor: Int?; var created_at: Date;
        var updated_at: Date
    }
    private struct NewSeat: Encodable {
        var id: UUID; var registration_id: UUID; var position: String; var person_id: UUID
    }

    /// Decides registrations in order of arrival, in one transaction under the collaboration's lock:
    /// one round of reads for all of them, then multi-row writes. Each gets its own answer; one
    /// refused does not touch the others. Only a failing transaction fails them all.
    static func decide(
        _ collaborationID: UUID, _ requests: [Wish], on db: any Database
    ) async -> [Result<Outcome, any Error>] {
        do {
            return try await db.transaction { tx in
                let sql = tx.sql
                // The lock hands back the terms too: one statement instead of a lock and a read.
                struct Locked: Decodable {
                    var registration_sequence: Int; var status: String; var organiser_id: UUID; var opens_at: Date?;
                    var deadline: Date?
                    var capacity: Int?; var seats: [SeatRequirement]; var price_kind: String; var price_minor: Int?;
                    var currency: String; var price_meetings: Int?; var admission: String
                    var places_chosen_at: Date?
                }
                guard
                    let locked = try await sql.raw(
                        """
                        UPDATE collaborations SET registration_sequence = registration_sequence +
                            \(literal: requests.count) WHERE id = \(bind: collaborationID)
                        RETURNING registration_sequence, status, organiser_id, opens_at, deadline, capacity, seats,
                            price_kind, price_minor, currency, price_meetings, admission, places_chosen_at
                        """
                    ).first(decoding: Locked.self)
                else {
                    throw SamradError.notFound("error.collaboration_not_found")
                }
                let last = locked.registration_sequence
                let organiserID = locked.organiser_id
                let terms = RegistrationTerms(
                    status: CollaborationStatus(rawValue: locked.status) ?? .draft, opensAt: locked.opens_at,
                    deadline: locked.deadline,
                    capacity: locked.capacity, seats: locked.seats,
                    price: Collaboration.price(
                        kind: locked.price_kind, minor: locked.price_minor, currency: locked.currency,
                        meetings: locked.price_meetings),
                    admission: AdmissionMode(rawValue: locked.admission) ?? .firstCome,
                    placesChosen: locked.places_chosen_at != nil)
                let codes = Array(Set(requests.map(\.municipality.code)))
                // Earlier answers of the municipalities asking (codes may repeat across countries,
                // so the key is checked below), and how many places are taken.
                let current = try await sql.raw(
                    """
                    SELECT id, municipality_country, municipality_code, status FROM registrations
                    WHERE collaboration_id = \(bind: collaborationID) AND municipality_code IN (\(binds: codes))
                    """
                ).all(decoding: CurrentRow.self)
                var existing: [MunicipalityKey: CurrentRow] = [:]
                for row in current {
                    existing[
                        MunicipalityKey(Country(rawValue: row.municipality_country) ?? .dk, row.municipality_code)] =
                        row
                }
                struct Count: Decodable { var n: Int }
                var registeredCount =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM registrations WHERE collaboration_id = \(bind: collaborationID) AND
                            status = \(bind: RegistrationStatus.registered.rawValue)
                        """
                    ).first(decoding: Count.self)?.n ?? 0
                let people = try await sql.raw(
                    """
                    SELECT id, name, municipality_country, municipality_code FROM people WHERE municipality_code IN
                        (\(binds: codes))
                    """
                ).all(decoding: PersonRow.self)
                var peopleOf: [MunicipalityKey: [UUID: String]] = [:]
                for p in people {
                    guard let country = p.municipality_country.flatMap(Country.init(rawValue:)),
                        let code = p.municipality_code
                    else { continue }
                    peopleOf[MunicipalityKey(country, code), default: [:]][p.id] = p.name
                }

                var results: [Result<Outcome, any Error>] = []
                var inserts: [NewRegistration] = []
                var reused: [NewRegistration] = []
                var seatRows: [NewSeat] = []
                for (index, request) in requests.enumerated() {
                    do {
                        guard
                            CollaborationPolicy.mayRegister(
                                request.actor, collaborationID: collaborationID, municipality: request.municipality,
                                organiserID: organiserID)
                        else {
                            throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
                        }
                        let previous = existing[request.municipality]
                        if let previous, RegistrationStatus(rawValue: previous.status)?.isActive ?? false {
                            throw SamradError(.conflict, "registration.duplicate")
                        }
                        let names = peopleOf[request.municipality] ?? [:]
                        try RegistrationRules.check(
                            request.seats, terms: terms, peopleOfMunicipality: Set(names.keys), now: request.now)
                        let price = terms.price.price(participants: request.seats.count)
                        if price != nil && !request.acceptedPrice {
                            throw SamradError.invalid([FieldError(field: "acceptPrice", "registration.accept_price")])
                        }
                        let status = RegistrationRules.placement(
                            registeredCount: registeredCount, capacity: terms.capacity, admission: terms.admission,
                            placesChosen: terms.placesChosen)
                        if status == .registered { registeredCount += 1 }
                        let id = previous?.id ?? UUID()
                        let row = NewRegistration(
                            id: id, collaboration_id: collaborationID,
                            municipality_country: request.municipality.country.rawValue,
                            municipality_code: request.municipality.code, status: status.rawValue,
                            sequence: last - requests.count + 1 + index, registered_by: request.actor.userID,
                            accepted_price_minor: price?.minorUnits, created_at: request.now, updated_at: request.now)
                        if previous == nil { inserts.append(row) } else { reused.append(row) }
                        // A second request for the same municipality in this batch is a duplicate.
                        existing[request.municipality] = CurrentRow(
                            id: id, municipality_country: row.municipality_country,
                            municipality_code: row.municipality_code, status: status.rawValue)
                        seatRows += request.seats.map {
                            NewSeat(
                                id: UUID(), registration_id: id, position: $0.position.rawValue, person_id: $0.personID)
                        }
                        let registration = Registration()
                        registration.id = id
                        registration.collaborationID = collaborationID
                        registration.municipalityCountry = row.municipality_country
                        registration.municipalityCode = row.municipality_code
                        registration.status = row.status
                        registration.sequence = row.sequence
                        registration.registeredBy = row.registered_by
                        registration.acceptedPriceMinor = row.accepted_price_minor
                        try await Audit.record(
                            "registration:register", subject: "registration", id: id.uuidString,
                            summary: "\(request.municipality): \(status.rawValue), \(request.seats.count) seats"
                                + (price.map { ", price \($0.minorUnits) \(locked.currency)" } ?? ""),
                            by: request.audit, on: tx)
                        results.append(
                            .success(
                                Outcome(
                                    registration: registration, promoted: [],
                                    seats: request.seats.map {
                                        RegistrationJSON.Seat(
                                            position: $0.position.rawValue, personID: $0.personID,
                                            name: names[$0.personID])
                                    })))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                if !inserts.isEmpty { try await sql.insert(into: "registrations").models(inserts).run() }
                for row in reused {
                    // A municipality that declined or withdrew before answers again in its old row.
                    try await sql.raw(
                        """
                        UPDATE registrations SET status = \(bind: row.status), sequence = \(bind: row.sequence),
                            registered_by = \(bind: row.registered_by),
                        accepted_price_minor = \(bind: row.accepted_price_minor), updated_at = \(bind: row.updated_at)
                            WHERE id = \(bind: row.id)
                        """
                    ).run()
                    try await sql.raw("DELETE FROM registration_seats WHERE registration_id = \(bind: row.id)").run()
                }
                if !seatRows.isEmpty { try await sql.insert(into: "registration_seats").models(seatRows).run() }
                return results
            }
        } catch {
            return requests.map { _ in .failure(error) }
        }
    }

    /// Inside a transaction: takes the collaboration's lock, reads it and checks that the actor may answer for the
    /// municipality. Returns the collaboration and the next arrival number.
    private static func openDesk(
        _ collaborationID: UUID, for municipality: MunicipalityKey, _ actor: Actor, on tx: any Database
    ) async throws -> (Collaboration, Int) {
        let sequence = try await lock(collaborationID, on: tx)
        let collaboration = try await collaboration(collaborationID, on: tx)
        guard
            CollaborationPolicy.mayRegister(
                actor, collaborationID: collaborationID, municipality: municipality,
                organiserID: collaboration.organiserID)
        else {
            throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        return (collaboration, sequence)
    }

    /// Changes who sits in the seats, until the deadline.
    static func changeSeats(
        _ collaborationID: UUID, _ municipality: MunicipalityKey, seats: [SeatAssignment],
        by actor: Actor, audit: AuditActor, now: Date = Date(), on db: any Database
    ) async throws -> Registration {
        try await db.transaction { tx in
            let (collaboration, _) = try await openDesk(collaborationID, for: municipality, actor, on: tx)
            guard let registration = try await existing(collaborationID, municipality, on: tx),
                registration.statusValue.isActive
            else {
                throw SamradError.notFound("registration.none")
            }
            try RegistrationRules.check(
                seats, terms: collaboration.terms, peopleOfMunicipality: try await peopleIDs(of: municipality, on: tx),
                now: now)
            if let accepted = registration.acceptedPriceMinor,
                let price = collaboration.price.price(participants: seats.count), price.minorUnits != accepted
            {
                // Per-participant prices follow the number of seats the municipality fills.
                registration.acceptedPriceMinor = price.minorUnits
                try await registration.save(on: tx)
            }
            try await replaceSeats(of: registration, with: seats, on: tx)
            try await Audit.record(
                "registration:seats", subject: "registration", id: registration.requireID().uuidString,
                summary: "\(municipality): \(seats.count) seats", by: audit, on: tx)
            return registration
        }
    }

    /// Declines the invitation: recorded as an answer, so reminders stop.
    static func decline(
        _ collaborationID: UUID, _ municipality: MunicipalityKey, by actor: Actor, audit: AuditActor,
        now: Date = Date(),
        on db: any Database
    ) async throws -> Registration {
        try await db.transaction { tx in
            let (_, sequence) = try await openDesk(collaborationID, for: municipality, actor, on: tx)
            if let previous = try await existing(collaborationID, municipality, on: tx), previous.statusValue.isActive {
                throw SamradError(.conflict, "registration.withdraw_instead")
            }
            let registration = try await existing(collaborationID, municipality, on: tx) ?? Registration()
            registration.collaborationID = collaborationID
            registration.municipalityCountry = municipality.country.rawValue
            registration.municipalityCode = municipality.code
            registration.status = RegistrationStatus.declined.rawValue
            registration.sequence = sequence
            registration.registeredBy = actor.userID
            registration.acceptedPriceMinor = nil
            try await registration.save(on: tx)
            try await RegistrationSeat.query(on: tx).filter(\.$registrationID == registration.requireID()).delete()
            try await Audit.record(
                "registration:decline", subject: "registration", id: registration.requireID().uuidString,
                summary: "\(municipality)", by: audit, on: tx)
            return registration
        }
    }

    /// Withdraws a registration; the municipality itself until the deadline, the organiser always.
    /// A freed place goes to the first on the waiting list, who is told by e-mail.
    static func withdraw(
        _ collaborationID: UUID, _ municipality: MunicipalityKey, by actor: Actor, audit: AuditActor,
        now: Date = Date(),
        notify: @escaping @Sendable (Collaboration, MunicipalityKey, any Database) async throws -> Void,
        on db: any Database
    ) async throws -> Outcome {
        try await db.transaction { tx in
            let (collaboration, _) = try await openDesk(collaborationID, for: municipality, actor, on: tx)
            guard let registration = try await existing(collaborationID, municipality, on: tx),
                registration.statusValue.isActive
            else {
                throw SamradError.notFound("registration.none")
            }
            let byOrganiser = CollaborationPolicy.mayManage(actor, organiserID: collaboration.organiserID)
            guard RegistrationRules.mayWithdraw(byOrganiser: byOrganiser, terms: collaboration.terms, now: now) else {
                throw SamradError(.conflict, "registration.withdraw_after_deadline")
            }
            registration.status = RegistrationStatus.withdrawn.rawValue
            try await registration.save(on: tx)
            let promoted = try await promote(collaboration, on: tx)
            try await Audit.record(
                "registration:withdraw", subject: "registration", id: registration.requireID().uuidString,
                summary: "\(municipality)" + (byOrganiser ? " by the organiser" : "")
                    + (promoted.isEmpty
                        ? ""
                        : "; moved up: " + promoted.map(\.description).joined(separator: ", ")),
                by: audit, on: tx)
            for key in promoted { try await notify(collaboration, key, tx) }
            return Outcome(registration: registration, promoted: promoted)
        }
    }

    /// Moves waitlisted municipalities up while there are free places; inside the caller's lock.
    static func promote(_ collaboration: Collaboration, on tx: any Database) async throws -> [MunicipalityKey] {
        let id = try collaboration.requireID()
        let waiting = try await Registration.query(on: tx).filter(\.$collaborationID == id)
            .filter(\.$status == RegistrationStatus.waitlisted.rawValue).all()
        let chosen = RegistrationRules.promotions(
            waitlisted: waiting.map { (id: $0.id!, sequence: $0.sequence) },
            registeredCount: try await registeredCount(id, on: tx), capacity: collaboration.capacity)
        var promoted: [MunicipalityKey] = []
        for registration in waiting where chosen.contains(registration.id!) {
            registration.status = RegistrationStatus.registered.rawValue
            try await registration.save(on: tx)
            promoted.append(registration.municipality)
        }
        return promoted
    }

    static func replaceSeats(
        of registration: Registration, with seats: [SeatAssignment], on tx: any Database
    ) async throws {
        let id = try registration.requireID()
        try await RegistrationSeat.query(on: tx).filter(\.$registrationID == id).delete()
        for seat in seats {
            let row = RegistrationSeat()
            row.registrationID = id
            row.position = seat.position.rawValue
            row.personID = seat.personID
            try await row.create(on: tx)
        }
    }
}

/// Gathers the registrations that arrive for a collaboration while its previous batch is being
/// decided, and hands them to `RegistrationDesk.decide` together: group commit. Under a burst this
/// turns hundreds of lock-and-commit rounds into a few; alone, a request is decided at once.
actor RegistrationBatches {
    private struct Ticket {
        var request: RegistrationDesk.Wish
        var continuation: CheckedContinuation<RegistrationDesk.Outcome, any Error>
    }

    /// At most this many in one transaction, so a batch holds the lock briefly.
    static let limit = 64
    private var waiting: [UUID: [Ticket]] = [:]
    private var deciding: Set<UUID> = []

    func register(
        _ collaborationID: UUID, _ request: RegistrationDesk.Wish, on db: any Database
    ) async throws -> RegistrationDesk.Outcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting[collaborationID, default: []].append(Ticket(request: request, continuation: continuation))
            if deciding.insert(collaborationID).inserted {
                Task { await self.drain(collaborationID, on: db) }
            }
        }
    }

    private func take(_ collaborationID: UUID) -> [Ticket] {
        guard var queue = waiting[collaborationID], !queue.isEmpty else {
            waiting[collaborationID] = nil
            deciding.remove(collaborationID)
            return []
        }
        let batch = Array(queue.prefix(Self.limit))
        queue.removeFirst(batch.count)
        waiting[collaborationID] = queue
        return batch
    }

    private func drain(_ collaborationID: UUID, on db: any Database) async {
        while case let batch = take(collaborationID), !batch.isEmpty {
            let results = await RegistrationDesk.decide(collaborationID, batch.map(\.request), on: db)
            for (ticket, result) in zip(batch, results) { ticket.continuation.resume(with: result) }
        }
    }
}
