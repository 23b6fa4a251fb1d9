import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Where municipalities register, change their seats, decline and withdraw. Every change runs in one
/// transaction that first increments the collaboration's registration sequence: that write takes the
/// collaboration's lock (the row lock on PostgreSQL, the write lock on SQLite), so concurrent
/// registrations are decided one after the other and never exceed the capacity.
enum RegistrationDesk {
    struct Outcome: Sendable {
        var registration: Registration
        /// Waitlisted municipalities that got a place because of this change.
        var promoted: [MunicipalityKey]
    }

    static func collaboration(_ id: UUID, on db: any Database) async throws -> Collaboration {
        guard let collaboration = try await Collaboration.find(id, on: db) else {
            throw SamradError.notFound("error.collaboration_not_found")
        }
        return collaboration
    }

    /// Takes the collaboration's lock and returns the next arrival number.
    static func lock(_ id: UUID, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        try await sql.update("collaborations")
            .set(SQLIdentifier("registration_sequence"), to: SQLBinaryExpression(SQLIdentifier("registration_sequence"), .add, SQLLiteral.numeric("1")))
            .where("id", .equal, id)
            .run()
        struct Row: Decodable { var registration_sequence: Int }
        guard let row = try await sql.select().column("registration_sequence").from("collaborations").where("id", .equal, id).first(decoding: Row.self) else {
            throw SamradError.notFound("error.collaboration_not_found")
        }
        return row.registration_sequence
    }

    static func existing(_ collaborationID: UUID, _ municipality: MunicipalityKey, on db: any Database) async throws -> Registration? {
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
        Set(try await Person.query(on: db)
            .filter(\.$municipalityCountry == municipality.country.rawValue)
            .filter(\.$municipalityCode == municipality.code)
            .all().compactMap(\.id))
    }

    /// Registers a municipality that has not registered (or declined or withdrew before).
    static func register(_ collaborationID: UUID, _ municipality: MunicipalityKey, seats: [SeatAssignment], acceptedPrice: Bool,
                         by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Outcome {
        try await db.transaction { tx in
            let sequence = try await lock(collaborationID, on: tx)
            let collaboration = try await collaboration(collaborationID, on: tx)
            guard CollaborationPolicy.mayRegister(actor, collaborationID: collaborationID, municipality: municipality, organiserID: collaboration.organiserID) else {
                throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            let terms = collaboration.terms
            let previous = try await existing(collaborationID, municipality, on: tx)
            if let previous, previous.statusValue.isActive {
                throw SamradError(.conflict, "registration.duplicate")
            }
            try RegistrationRules.check(seats, terms: terms, peopleOfMunicipality: try await peopleIDs(of: municipality, on: tx), now: now)
            let price = terms.price.price(participants: seats.count)
            if price != nil && !acceptedPrice {
                throw SamradError.invalid([FieldError(field: "acceptPrice", "registration.accept_price")])
            }
            let status = RegistrationRules.placement(registeredCount: try await registeredCount(collaborationID, on: tx), capacity: terms.capacity)
            let registration = previous ?? Registration()
            registration.collaborationID = collaborationID
            registration.municipalityCountry = municipality.country.rawValue
            registration.municipalityCode = municipality.code
            registration.status = status.rawValue
            registration.sequence = sequence
            registration.registeredBy = actor.userID
            registration.acceptedPriceMinor = price?.minorUnits
            try await registration.save(on: tx)
            try await replaceSeats(of: registration, with: seats, on: tx)
            return Outcome(registration: registration, promoted: [])
        }
    }

    /// Changes who sits in the seats, until the deadline.
    static func changeSeats(_ collaborationID: UUID, _ municipality: MunicipalityKey, seats: [SeatAssignment],
                            by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Registration {
        try await db.transaction { tx in
            _ = try await lock(collaborationID, on: tx)
            let collaboration = try await collaboration(collaborationID, on: tx)
            guard CollaborationPolicy.mayRegister(actor, collaborationID: collaborationID, municipality: municipality, organiserID: collaboration.organiserID) else {
                throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            guard let registration = try await existing(collaborationID, municipality, on: tx), registration.statusValue.isActive else {
                throw SamradError.notFound("registration.none")
            }
            try RegistrationRules.check(seats, terms: collaboration.terms, peopleOfMunicipality: try await peopleIDs(of: municipality, on: tx), now: now)
            if let accepted = registration.acceptedPriceMinor,
               let price = collaboration.price.price(participants: seats.count), price.minorUnits != accepted {
                // Per-participant prices follow the number of seats the municipality fills.
                registration.acceptedPriceMinor = price.minorUnits
                try await registration.save(on: tx)
            }
            try await replaceSeats(of: registration, with: seats, on: tx)
            return registration
        }
    }

    /// Declines the invitation: recorded as an answer, so reminders stop.
    static func decline(_ collaborationID: UUID, _ municipality: MunicipalityKey, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Registration {
        try await db.transaction { tx in
            let sequence = try await lock(collaborationID, on: tx)
            let collaboration = try await collaboration(collaborationID, on: tx)
            guard CollaborationPolicy.mayRegister(actor, collaborationID: collaborationID, municipality: municipality, organiserID: collaboration.organiserID) else {
                throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
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
            return registration
        }
    }

    /// Withdraws a registration; the municipality itself until the deadline, the organiser always.
    /// A freed place goes to the first on the waiting list, who is told by e-mail.
    static func withdraw(_ collaborationID: UUID, _ municipality: MunicipalityKey, by actor: Actor, now: Date = Date(),
                         notify: @escaping @Sendable (Collaboration, MunicipalityKey, any Database) async throws -> Void,
                         on db: any Database) async throws -> Outcome {
        try await db.transaction { tx in
            _ = try await lock(collaborationID, on: tx)
            let collaboration = try await collaboration(collaborationID, on: tx)
            guard CollaborationPolicy.mayRegister(actor, collaborationID: collaborationID, municipality: municipality, organiserID: collaboration.organiserID) else {
                throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            guard let registration = try await existing(collaborationID, municipality, on: tx), registration.statusValue.isActive else {
                throw SamradError.notFound("registration.none")
            }
            let byOrganiser = CollaborationPolicy.mayManage(actor, organiserID: collaboration.organiserID)
            guard RegistrationRules.mayWithdraw(byOrganiser: byOrganiser, terms: collaboration.terms, now: now) else {
                throw SamradError(.conflict, "registration.withdraw_after_deadline")
            }
            registration.status = RegistrationStatus.withdrawn.rawValue
            try await registration.save(on: tx)
            let promoted = try await promote(collaboration, on: tx)
            for key in promoted { try await notify(collaboration, key, tx) }
            return Outcome(registration: registration, promoted: promoted)
        }
    }

    /// Moves waitlisted municipalities up while there are free places; inside the caller's lock.
    static func promote(_ collaboration: Collaboration, on tx: any Database) async throws -> [MunicipalityKey] {
        let id = try collaboration.requireID()
        let waiting = try await Registration.query(on: tx).filter(\.$collaborationID == id)
            .filter(\.$status == RegistrationStatus.waitlisted.rawValue).all()
        let chosen = RegistrationRules.promotions(waitlisted: waiting.map { (id: $0.id!, sequence: $0.sequence) },
                                                  registeredCount: try await registeredCount(id, on: tx), capacity: collaboration.capacity)
        var promoted: [MunicipalityKey] = []
        for registration in waiting where chosen.contains(registration.id!) {
            registration.status = RegistrationStatus.registered.rawValue
            try await registration.save(on: tx)
            promoted.append(registration.municipality)
        }
        return promoted
    }

    static func replaceSeats(of registration: Registration, with seats: [SeatAssignment], on tx: any Database) async throws {
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
