import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Where people register for a meeting, cancel and are checked in. Every change runs in one
/// transaction that first increments the meeting's attendance sequence: that write takes the
/// meeting's lock, so concurrent registrations are decided one after the other and never exceed the
/// capacity or a municipality's quota.
enum AttendanceDesk {
    /// The people a meeting is for: who may register (besides those the organisers add) and who gets
    /// the invitation.
    struct Audience {
        /// Municipalities whose people may come (nil: any, for an open audience).
        var municipalities: Set<MunicipalityKey>?
        /// Positions invited (open audience).
        var positions: Set<String>
        /// People always invited: the seat holders, the facilitator, attached people.
        var invited: Set<UUID>

        func admits(_ person: Person) -> Bool {
            if invited.contains(person.id!) { return true }
            if let municipalities {
                guard let key = person.municipality, municipalities.contains(key) else { return false }
                return positions.isEmpty || positions.contains(person.position)
            }
            return positions.contains(person.position)
        }
    }

    static func audience(
        _ access: MeetingAccess, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> Audience {
        let m = access.meeting
        let invited = try await invitedPeople(access, on: db)
        switch m.audienceValue {
        case .open:
            // A regional conference: the positions of one country or region only.
            let area = m.audienceArea.flatMap { AudienceArea($0, in: directory) }
            return Audience(
                municipalities: area?.municipalities(in: directory), positions: Set(m.audiencePositions),
                invited: invited)
        case .seats, .cluster:
            return Audience(
                municipalities: audienceMunicipalities(access), positions: Set(m.audiencePositions), invited: invited)
        }
    }

    private static func audienceMunicipalities(_ access: MeetingAccess) -> Set<MunicipalityKey> {
        access.meeting.audienceValue == .cluster ? Set(access.scope.clusterMembers ?? []) : access.scope.registered
    }

    /// The people always invited: the attached people, the facilitator and, unless the audience is
    /// open, the seat holders of the municipalities the meeting is for.
    static func invitedPeople(_ access: MeetingAccess, on db: any Database) async throws -> Set<UUID> {
        var invited = access.scope.attached
        if let facilitator = access.scope.facilitatorID { invited.insert(facilitator) }
        guard access.meeting.audienceValue != .open else { return invited }
        let municipalities = audienceMunicipalities(access)
        let registrations = try await Registration.query(on: db).filter(
            \.$collaborationID == access.collaboration.requireID()
        )
        .filter(\.$status == RegistrationStatus.registered.rawValue).all().filter {
            municipalities.contains($0.municipality)
        }
        if !registrations.isEmpty {
            let seats = try await RegistrationSeat.query(on: db).filter(
                \.$registrationID ~~ registrations.compactMap(\.id)
            ).all()
            invited.formUnion(seats.map(\.personID))
        }
        return invited
    }

    /// The people the invitation goes to: the invited, and for an open audience everyone of its
    /// positions with an e-mail address.
    static func invitees(
        _ access: MeetingAccess, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> [Person] {
        let audience = try await audience(access, directory: directory, on: db)
        var people = try await Person.query(on: db).filter(\.$id ~~ Array(audience.invited)).all()
        if access.meeting.audienceValue == .open {
            let known = Set(people.compactMap(\.id))
            people += try await Person.current(on: db).filter(\.$position ~~ Array(audience.positions)).filter(
                \.$email != nil
            ).all()
                .filter { !known.contains($0.id!) && audience.admits($0) }
        }
        return people
    }

    /// Everyone who may come, for the organisers' "register someone": the invited and the people of
    /// the audience's municipalities (or of its positions).
    static func candidates(
        _ access: MeetingAccess, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> [Person] {
        let audience = try await audience(access, directory: directory, on: db)
        var people = try await Person.query(on: db).filter(\.$id ~~ Array(audience.invited)).all()
        var others: [Person] = []
        if let municipalities = audience.municipalities, !municipalities.isEmpty {
            let codes = Array(Set(municipalities.map(\.code)))
            others = try await Person.current(on: db).filter(\.$municipalityCode ~~ codes).all().filter {
                audience.admits($0)
            }
        } else if !audience.positions.isEmpty {
            others = try await Person.current(on: db).filter(\.$position ~~ Array(audience.positions)).all()
        }
        let known = Set(people.compactMap(\.id))
        people += others.filter { !known.contains($0.id!) }
        return people
    }

    struct Outcome {
        var attendance: Attendance
        var promoted: [Attendance] = []
    }

    private struct Locked: Decodable {
        var attendance_sequence: Int; var status: String; var starts_at: Date; var registration_deadline: Date?;
        var capacity: Int?; var quota: Int?
    }

    private static func lock(_ meetingID: UUID, on sql: any SQLDatabase) async throws -> Locked {
        guard
            let locked = try await sql.raw(
                """
                UPDATE meetings SET attendance_sequence = attendance_sequence + 1 WHERE id = \(bind: meetingID)
                RETURNING attendance_sequence, status, starts_at, registration_deadline, capacity, quota
                """
            ).first(decoding: Locked.self)
        else { throw SamradError.notFound("error.meeting_not_found") }
        return locked
    }

    /// Registers `person` (by themselves, their coordinator or those who run the meeting). Those who
    /// run it may add people after the deadline and beyond quotas (walk-ins on the day).
    static func register(
        _ access: MeetingAccess, person: Person, directory: MunicipalityDirectory, now: Date = Date(),
        on db: any Database
    ) async throws -> Outcome {
        let meetingID = try access.meeting.requireID()
        let personID = try person.requireID()
        guard
            MeetingPolicy.mayRegister(
                access.actor, personID: personID, personMunicipality: person.municipality, access.scope)
        else {
            throw access.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        let byRunner = access.mayRun
        if !byRunner {
            guard try await audience(access, directory: directory, on: db).admits(person) else {
                throw SamradError(.forbidden, "attendance.error.not_invited")
            }
        }
        return try await db.transaction { tx in
            let sql = tx.sql
            let locked = try await lock(meetingID, on: sql)
            let status = MeetingStatus(rawValue: locked.status) ?? .planned
            try MeetingRules.checkOpen(
                status: status, start: locked.starts_at, deadline: byRunner ? nil : locked.registration_deadline,
                now: now)
            let current = try await Attendance.query(on: tx).filter(\.$meetingID == meetingID).all()
            let existing = current.first { $0.personID == personID }
            if let existing, existing.statusValue.isActive {
                throw SamradError(.conflict, "attendance.error.duplicate")
            }
            let municipality = person.municipality
            if !byRunner, let municipality {
                let active = current.filter { $0.statusValue.isActive && $0.municipality == municipality }.count
                try MeetingRules.checkQuota(
                    locked.quota, activeOfMunicipality: active,
                    municipalityName: directory[municipality]?.name ?? municipality.description)
            }
            let registered = current.filter { $0.statusValue == .registered }.count
            let attendance = existing ?? Attendance()
            attendance.meetingID = meetingID
            attendance.personID = personID
            attendance.municipalityCountry = municipality?.country.rawValue
            attendance.municipalityCode = municipality?.code
            attendance.status = MeetingRules.placement(registered: registered, capacity: locked.capacity).rawValue
            attendance.sequence = locked.attendance_sequence
            attendance.registeredBy = access.actor.userID
            attendance.checkedInAt = nil
            try await attendance.save(on: tx)
            return Outcome(attendance: attendance)
        }
    }

    /// Cancels a registration; a freed seat goes to the first on the waiting list.
    static func cancel(_ access: MeetingAccess, personID: UUID, on db: any Database) async throws -> Outcome {
        let meetingID = try access.meeting.requireID()
        let person = try await Person.find(personID, on: db)
        guard
            MeetingPolicy.mayRegister(
                access.actor, personID: personID, personMunicipality: person?.municipality, access.scope)
        else {
            throw access.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        return try await db.transaction { tx in
            let locked = try await lock(meetingID, on: tx.sql)
            let current = try await Attendance.query(on: tx).filter(\.$meetingID == meetingID).all()
            guard let attendance = current.first(where: { $0.personID == personID }), attendance.statusValue.isActive
            else {
                throw SamradError.notFound("attendance.error.not_registered")
            }
            let freed = attendance.statusValue == .registered
            attendance.status = AttendanceStatus.cancelled.rawValue
            attendance.checkedInAt = nil
            try await attendance.save(on: tx)
            var promoted: [Attendance] = []
            if freed, (MeetingStatus(rawValue: locked.status) ?? .planned) == .published {
                let registered = current.filter { $0.statusValue == .registered }.count
                let waiting = current.filter { $0.statusValue == .waitlisted }
                let ids = Set(
                    MeetingRules.promotions(
                        waitlisted: waiting.map { (id: $0.id!, sequence: $0.sequence) }, registered: registered,
                        capacity: locked.capacity))
                for row in waiting where ids.contains(row.id!) {
                    row.status = AttendanceStatus.registered.rawValue
                    try await row.save(on: tx)
                    promoted.append(row)
                }
            }
            return Outcome(attendance: attendance, promoted: promoted)
        }
    }

    /// Marks a registered person as arrived (or not, to undo a mistake); `online` for one who takes
    /// part online (an online meeting's are all online, an in-person meeting has none).
    static func checkIn(
        _ access: MeetingAccess, personID: UUID, arrived: Bool, online: Bool = false, now: Date = Date(),
        on db: any Database
    ) async throws -> Attendance {
        let mode = access.meeting.modeValue
        if arrived, online, mode == .inPerson {
            throw SamradError.invalid([FieldError(field: "online", "attendance.error.online_in_person")])
        }
        guard
            let attendance = try await Attendance.query(on: db).filter(\.$meetingID == access.meeting.requireID())
                .filter(\.$personID == personID).first(),
            attendance.statusValue == .registered
        else {
            throw SamradError.notFound("attendance.error.not_registered")
        }
        attendance.checkedInAt = arrived ? now : nil
        attendance.checkedInOnline = arrived && (online || mode == .online)
        try await attendance.save(on: db)
        return attendance
    }

    /// The list, registered first in order of arrival, then the waiting list, then cancellations.
    struct Row {
        var attendance: Attendance
        var person: Person?
    }

    /// Who comes, as the meeting page lists them: plain rows in one query, in the order of `list`.
    struct Attendee {
        var personID: UUID
        var name: String?
        var status: AttendanceStatus
        var municipality: MunicipalityKey?
    }

    static func attendees(_ meetingID: UUID, on db: any Database) async throws -> [Attendee] {
        struct Row: Decodable {
            var person_id: UUID; var name: String?; var status: String; var sequence: Int
            var municipality_country: String?; var municipality_code: String?
        }
        let rows = try await db.sql.raw(
            """
            SELECT a.person_id, p.name, a.status, a.sequence, a.municipality_country, a.municipality_code
            FROM attendances a LEFT JOIN people p ON p.id = a.person_id WHERE a.meeting_id = \(bind: meetingID)
            """
        ).all(decoding: Row.self)
        let order: [AttendanceStatus: Int] = [.registered: 0, .waitlisted: 1, .cancelled: 2]
        return rows.compactMap { row -> (Int, Int, Attendee)? in
            guard let status = AttendanceStatus(rawValue: row.status) else { return nil }
            var municipality: MunicipalityKey?
            if let country = row.municipality_country.flatMap(Country.init(rawValue:)),
                let code = row.municipality_code
            {
                municipality = MunicipalityKey(country, code)
            }
            return (
                order[status] ?? 3, row.sequence,
                Attendee(personID: row.person_id, name: row.name, status: status, municipality: municipality)
            )
        }
        .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    static func registeredCount(_ meetingID: UUID, on db: any Database) async throws -> Int {
        struct Count: Decodable { var n: Int }
        return try await db.sql.raw(
            """
            SELECT COUNT(*) AS n FROM attendances WHERE meeting_id = \(bind: meetingID)
            AND status = \(bind: AttendanceStatus.registered.rawValue)
            """
        ).first(decoding: Count.self)?.n ?? 0
    }

    static func list(_ meetingID: UUID, on db: any Database) async throws -> [Row] {
        let rows = try await Attendance.query(on: db).filter(\.$meetingID == meetingID).sort(\.$sequence).all()
        let people = try await Person.query(on: db).filter(\.$id ~~ rows.map(\.personID)).all()
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0) })
        let order: [AttendanceStatus: Int] = [.registered: 0, .waitlisted: 1, .cancelled: 2]
        return rows.map { Row(attendance: $0, person: byID[$0.personID]) }
            .sorted {
                (order[$0.attendance.statusValue]!, $0.attendance.sequence) < (
                    order[$1.attendance.statusValue]!, $1.attendance.sequence
                )
            }
    }
}
