import Fluent
import Foundation
import SamradCore
import Vapor

/// Tells the municipality's coordinators and the collaboration's organisers when a municipality
/// registers, is put on the waiting list, declines or withdraws: who did it and where to see it.
/// Each in the reader's language (their account's, else their country's).
enum RegistrationNotices {
    enum Kind: String {
        case registered, waitlisted, applied, declined, withdrawn
        /// The organiser's choice among the applications: told to the coordinators only, since the
        /// organisers made it.
        case chosen = "place_chosen"
        case notChosen = "place_waiting"

        /// What a new registration became.
        init(placed status: RegistrationStatus) {
            switch status {
            case .waitlisted: self = .waitlisted
            case .applied: self = .applied
            default: self = .registered
            }
        }

        var reachesOrganisers: Bool { self != .chosen && self != .notChosen }
    }

    /// Written after the registration's own transaction has committed: the registration stands
    /// whatever happens to its notices, so a failure here is logged, never shown as a failed
    /// registration.
    static func tell(
        _ kind: Kind, collaborationID: UUID, title: String, slug: String, organiserID: UUID,
        municipality key: MunicipalityKey, request: Request
    ) async throws {
        do {
            try await write(
                kind, title: title, slug: slug, organiserID: organiserID, municipality: key, request: request)
        } catch {
            request.logger.error(
                "Registration notice not written",
                metadata: [
                    "collaboration": .string(collaborationID.uuidString), "municipality": .string(key.description),
                    "error": .string(String(describing: error)),
                ])
        }
    }

    private static func write(
        _ kind: Kind, title: String, slug: String, organiserID: UUID,
        municipality key: MunicipalityKey, request: Request
    ) async throws {
        let context = MailContext(request)
        // Who acted, by name: the notice goes to other people, who need no one's e-mail address from it.
        let by = request.currentUser?.name ?? AuditActor(request).name
        let roles = try await RoleAssignment.query(on: request.db).group(.or) { or in
            or.group(.and) {
                $0.filter(\.$kind == RoleKind.coordinator.rawValue).filter(
                    \.$municipalityCountry == key.country.rawValue
                )
                .filter(\.$municipalityCode == key.code)
            }
            if kind.reachesOrganisers {
                or.group(.and) {
                    $0.filter(\.$kind == RoleKind.organiser.rawValue).filter(\.$organisationID == organiserID)
                }
            }
        }.all()
        let users = try await User.query(on: request.db).filter(\.$id ~~ Set(roles.map(\.userID))).filter(
            \.$disabled == false
        ).all()
        let name = context.directory[key]?.name ?? key.description
        let link =
            "\(context.settings.publicBaseURL)/collaborations/\(slug)/registrations/\(key.country.rawValue)/\(key.code)"
        for user in users {
            let language = user.language.flatMap(Language.init(rawValue:)) ?? Language(writingTo: key.country)
            let what = context.catalog.text("mail.registration_notice.\(kind.rawValue)", language, [name, title])
            try await Outbox.enqueue(
                to: user.email,
                subject: context.catalog.text("mail.registration_notice.subject", language, [what]),
                body: context.catalog.text("mail.registration_notice.body", language, [user.name, what, by, link]),
                settings: context.settings, on: request.db)
        }
    }

    static func tell(_ kind: Kind, _ c: Collaboration, _ key: MunicipalityKey, request: Request) async throws {
        try await tell(
            kind, collaborationID: c.requireID(), title: c.title, slug: c.slug, organiserID: c.organiserID,
            municipality: key, request: request)
    }
}
