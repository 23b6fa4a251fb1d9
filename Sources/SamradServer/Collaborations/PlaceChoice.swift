import Fluent
import Foundation
import SamradCore
import Vapor

/// Choosing the participants among the applications (`AdmissionMode.selection`): who applied, the
/// spread of a choice over regions and sizes, and the choice itself, made once under the
/// collaboration's lock and told to everyone at once. The page and the API both go through here.
enum PlaceChoice {
    struct Applicant: Sendable {
        var municipality: Municipality
        var status: RegistrationStatus
        /// 1 for the first to apply: the order of the waiting list for those not chosen.
        var order: Int
    }

    struct Outcome: Sendable {
        var chosen: [MunicipalityKey]
        var waiting: [MunicipalityKey]
    }

    /// Only the collaboration's organisers see the applications and choose.
    static func require(_ request: Request, _ c: Collaboration) throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        guard c.admissionMode == .selection else { throw SamradError(.conflict, "selection.first_come") }
    }

    /// Those who applied and have not withdrawn, in order of application; after the choice, those
    /// chosen and those waiting.
    static func applicants(
        _ c: Collaboration, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> [Applicant] {
        let statuses: [RegistrationStatus] = [.applied, .registered, .waitlisted]
        let rows = try await Registration.query(on: db).filter(\.$collaborationID == c.requireID())
            .filter(\.$status ~~ statuses.map(\.rawValue)).sort(\.$sequence).all()
        return rows.enumerated().compactMap { index, row in
            directory[row.municipality].map {
                Applicant(municipality: $0, status: row.statusValue, order: index + 1)
            }
        }
    }

    /// The keys an organiser ticked, as sent ("dk/101"); an unreadable one is named on the field.
    static func keys(_ texts: [String]) throws -> [MunicipalityKey] {
        var v = Validation()
        let keys = texts.filter { !$0.isEmpty }.compactMap { text -> MunicipalityKey? in
            guard let key = MunicipalityKey(path: text) else {
                v.add("chosen", "selection.not_applicant", [text]); return nil
            }
            return key
        }
        try v.check()
        return keys
    }

    /// Gives the places: the chosen are registered, the others wait in order of application. Once;
    /// after the deadline or after registration was closed.
    static func choose(
        _ c: Collaboration, chosen: [MunicipalityKey], by actor: Actor, audit: AuditActor, now: Date = Date(),
        on db: any Database
    ) async throws -> Outcome {
        try await db.transaction { tx in
            let id = try c.requireID()
            _ = try await RegistrationDesk.lock(id, on: tx)
            let current = try await RegistrationDesk.collaboration(id, on: tx)
            guard CollaborationPolicy.mayManage(actor, organiserID: current.organiserID) else {
                throw actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            guard current.admissionMode == .selection else { throw SamradError(.conflict, "selection.first_come") }
            let applications = try await Registration.query(on: tx).filter(\.$collaborationID == id)
                .filter(\.$status == RegistrationStatus.applied.rawValue).sort(\.$sequence).all()
            try PlaceSelection.check(
                chosen: chosen, applicants: Set(applications.map(\.municipality)), terms: current.terms,
                alreadyMade: current.placesChosenAt != nil, now: now)
            let picked = Set(chosen)
            var outcome = Outcome(chosen: [], waiting: [])
            for registration in applications {
                let isChosen = picked.contains(registration.municipality)
                registration.status = (isChosen ? RegistrationStatus.registered : .waitlisted).rawValue
                try await registration.save(on: tx)
                if isChosen {
                    outcome.chosen.append(registration.municipality)
                } else {
                    outcome.waiting.append(registration.municipality)
                }
            }
            current.placesChosenAt = now
            try await current.save(on: tx)
            try await Audit.record(
                "registration:choose", subject: "collaboration", id: id.uuidString,
                summary: "chosen: " + outcome.chosen.map(\.description).joined(separator: ", ")
                    + "; waiting: " + outcome.waiting.map(\.description).joined(separator: ", "),
                by: audit, on: tx)
            c.placesChosenAt = now
            return outcome
        }
    }

    /// Tells everyone at once, after the choice committed: the people in each municipality's seats
    /// (with their links) and its coordinators. A failed notice is logged, never undoes the choice.
    static func tell(_ outcome: Outcome, _ c: Collaboration, request: Request) async {
        let context = MailContext(request)
        for (keys, news, notice) in [
            (outcome.chosen, Invitations.SeatNews.chosen, RegistrationNotices.Kind.chosen),
            (outcome.waiting, .waiting, .notChosen),
        ] {
            for key in keys {
                do {
                    try await Invitations.notifySeats(news, c, key, context: context, on: request.db)
                    try await RegistrationNotices.tell(notice, c, key, request: request)
                } catch {
                    request.logger.error(
                        "Notice of the choice not written",
                        metadata: ["municipality": .string(key.description), "error": .string("\(error)")])
                }
            }
        }
    }
}
