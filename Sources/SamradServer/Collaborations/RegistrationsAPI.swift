import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// CollaborationAPI: registrations.
extension CollaborationAPI {
    static func registrationJSON(
        _ collaboration: Collaboration, _ m: Municipality, request: Request
    ) async throws -> RegistrationJSON {
        try request.require(
            CollaborationPolicy.mayRegister(
                request.actor, collaborationID: collaboration.id, municipality: m.key,
                organiserID: collaboration.organiserID))
        let registration = try await RegistrationDesk.existing(collaboration.requireID(), m.key, on: request.db)
        var seats: [RegistrationJSON.Seat] = []
        if let registration {
            let rows = try await RegistrationSeat.query(on: request.db).filter(
                \.$registrationID == registration.requireID()
            ).all()
            let people = try await Person.query(on: request.db).filter(\.$id ~~ rows.map(\.personID)).all()
            let names = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.name) })
            seats = rows.map {
                RegistrationJSON.Seat(position: $0.position, personID: $0.personID, name: names[$0.personID])
            }
        }
        return RegistrationJSON(
            collaboration: collaboration.slug, municipality: m.key.description,
            status: registration?.status ?? RegistrationStatus.notAnswered.rawValue, sequence: registration?.sequence,
            acceptedPriceMinor: registration?.acceptedPriceMinor, currency: collaboration.currency, seats: seats)
    }

    func showRegistration(_ request: Request) async throws -> RegistrationJSON {
        try await Self.registrationJSON(
            try await CollaborationAccess.load(request), try MunicipalityAccess.load(request), request: request)
    }

    /// What registering needs of a collaboration, read in one plain query: a registration burst
    /// makes this request hundreds of times a second.
    struct Reference: Decodable {
        var id: UUID; var slug: String; var title: String; var status: String; var organiser_id: UUID;
        var currency: String
    }

    static func reference(_ request: Request) async throws -> Reference {
        guard let slug = request.parameters.get("slug"),
            let found = try await request.db.sql.raw(
                """
                SELECT id, slug, title, status, organiser_id, currency FROM collaborations WHERE slug = \(bind: slug)
                """
            ).first(decoding: Reference.self),
            CollaborationPolicy.mayView(
                request.actor, status: CollaborationStatus(rawValue: found.status) ?? .draft,
                organiserID: found.organiser_id)
        else { throw SamradError.notFound("error.collaboration_not_found") }
        return found
    }

    func register(_ request: Request) async throws -> Response {
        let collaboration = try await Self.reference(request)
        let m = try MunicipalityAccess.load(request)
        let input = try request.content.decode(RegistrationInput.self)
        let outcome = try await RegistrationDesk.register(
            collaboration.id, m.key, seats: try input.assignments(), acceptedPrice: input.acceptPrice ?? false,
            by: request.actor, audit: AuditActor(request), on: request.db,
            batches: request.application.registrationBatches)
        let r = outcome.registration
        try await RegistrationNotices.tell(
            .init(placed: r.statusValue),
            collaborationID: collaboration.id, title: collaboration.title, slug: collaboration.slug,
            organiserID: collaboration.organiser_id, municipality: m.key, request: request)
        return try await RegistrationJSON(
            collaboration: collaboration.slug, municipality: m.key.description, status: r.status, sequence: r.sequence,
            acceptedPriceMinor: r.acceptedPriceMinor, currency: collaboration.currency, seats: outcome.seats
        )
        .encodeResponse(status: .created, for: request)
    }

    func changeSeats(_ request: Request) async throws -> RegistrationJSON {
        let collaboration = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        let input = try request.content.decode(RegistrationInput.self)
        _ = try await RegistrationDesk.changeSeats(
            collaboration.requireID(), m.key, seats: try input.assignments(), by: request.actor,
            audit: AuditActor(request), on: request.db)
        return try await Self.registrationJSON(collaboration, m, request: request)
    }

    func decline(_ request: Request) async throws -> RegistrationJSON {
        let collaboration = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        _ = try await RegistrationDesk.decline(
            collaboration.requireID(), m.key, by: request.actor, audit: AuditActor(request), on: request.db)
        try await RegistrationNotices.tell(.declined, collaboration, m.key, request: request)
        return try await Self.registrationJSON(collaboration, m, request: request)
    }

    static func withdraw(_ collaboration: Collaboration, _ m: Municipality, request: Request) async throws {
        let context = MailContext(request)
        _ = try await RegistrationDesk.withdraw(
            collaboration.requireID(), m.key, by: request.actor, audit: AuditActor(request),
            notify: { collaboration, key, db in
                try await Invitations.notifySeats(.promoted, collaboration, key, context: context, on: db)
            }, on: request.db)
        try await RegistrationNotices.tell(.withdrawn, collaboration, m.key, request: request)
    }

    struct MyRegistrationsJSON: Content {
        struct Item: Content {
            var collaboration: String
            var title: String
            var collaborationStatus: String
            var municipality: String
            var status: String
            var deadline: Date?
        }
        var items: [Item]
    }

    /// The registrations of every municipality the signed-in account coordinates, across collaborations.
    func myRegistrations(_ request: Request) async throws -> MyRegistrationsJSON {
        try request.require(request.actor.isSignedIn)
        let municipalities = Array(Set(request.actor.grants.compactMap(\.municipality)))
        let registrations =
            municipalities.isEmpty
            ? [] : try await Registration.query(on: request.db).filter(municipalities: municipalities).all()
        let collaborations = try await Collaboration.query(on: request.db).filter(
            \.$id ~~ registrations.map(\.collaborationID)
        ).all()
        let byID = Dictionary(uniqueKeysWithValues: collaborations.map { ($0.id!, $0) })
        let items = registrations.compactMap { r -> MyRegistrationsJSON.Item? in
            guard let c = byID[r.collaborationID],
                CollaborationPolicy.mayRegister(
                    request.actor, collaborationID: c.id, municipality: r.municipality, organiserID: c.organiserID)
            else { return nil }
            return .init(
                collaboration: c.slug, title: c.title, collaborationStatus: c.status,
                municipality: r.municipality.description, status: r.status, deadline: c.deadline)
        }
        return MyRegistrationsJSON(items: items.sorted { ($0.municipality, $0.title) < ($1.municipality, $1.title) })
    }

    func withdraw(_ request: Request) async throws -> RegistrationJSON {
        let collaboration = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        try await Self.withdraw(collaboration, m, request: request)
        return try await Self.registrationJSON(collaboration, m, request: request)
    }
}
