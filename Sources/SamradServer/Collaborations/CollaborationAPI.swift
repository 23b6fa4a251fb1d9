import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The JSON API of collaborations and registrations; the pages in `CollaborationPages` share its
/// lookups and changes.
struct CollaborationAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1", "collaborations")
        api.get(use: list)
        api.post(use: create)
        api.get(":slug", use: show)
        api.put(":slug", use: update)
        api.post(":slug", "status", use: changeStatus)
        api.post(":slug", "invitations", use: invite)
        api.get(":slug", "board", use: board)
        let registration = api.grouped(":slug", "registrations", ":country", ":code")
        registration.get(use: showRegistration)
        registration.post(use: register)
        registration.put(use: changeSeats)
        registration.post("decline", use: decline)
        registration.post("withdraw", use: withdraw)
        routes.get("api", "v1", "me", "registrations", use: myRegistrations)
    }

    // MARK: Lookups shared with the pages

    static func uniqueSlug(_ title: String, on db: any Database) async throws -> String {
        try await Slug.unique(title, fallback: "collaboration") {
            try await Collaboration.query(on: db).filter(\.$slug == $0).count() > 0
        }
    }

    static func counts(
        _ collaboration: Collaboration, on db: any Database
    ) async throws -> (registered: Int, active: Int) {
        let id = try collaboration.requireID()
        let registered = try await RegistrationDesk.registeredCount(id, on: db)
        let active = try await Registration.query(on: db).filter(\.$collaborationID == id)
            .filter(\.$status ~~ [RegistrationStatus.registered.rawValue, RegistrationStatus.waitlisted.rawValue])
            .count()
        return (registered, active)
    }

    // MARK: Collaborations

    struct ListJSON: Content { var items: [CollaborationJSON] }

    func list(_ request: Request) async throws -> ListJSON {
        let all = try await Collaboration.query(on: request.db).sort(\.$createdAt, .descending).all()
        return ListJSON(
            items: all.filter {
                CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID)
            }.map(CollaborationJSON.init))
    }

    func show(_ request: Request) async throws -> CollaborationJSON {
        CollaborationJSON(try await CollaborationAccess.load(request))
    }

    static func create(_ input: CollaborationInput, request: Request) async throws -> Collaboration {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        if let organiserID = input.organiserID, try await Organisation.find(organiserID, on: request.db) != nil {
            try request.require(CollaborationPolicy.mayCreate(request.actor, organiserID: organiserID))
        }
        let collaboration = Collaboration()
        collaboration.status = CollaborationStatus.draft.rawValue
        collaboration.registrationSequence = 0
        collaboration.isExample = false
        try await input.apply(
            to: collaboration, registeredCount: 0, activeRegistrations: 0, request: request, on: request.db)
        collaboration.slug = try await uniqueSlug(collaboration.title, on: request.db)
        try await request.db.transaction { tx in
            try await collaboration.create(on: tx)
            try await Audit.record(
                "collaboration:create", subject: "collaboration", id: collaboration.requireID().uuidString,
                summary: collaboration.title, by: request, on: tx)
        }
        return collaboration
    }

    func create(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let collaboration = try await Self.create(try request.content.decode(CollaborationInput.self), request: request)
        return try await CollaborationJSON(collaboration).encodeResponse(status: .created, for: request)
    }

    static func update(_ collaboration: Collaboration, with input: CollaborationInput, request: Request) async throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        try await request.db.transaction { tx in
            // The lock makes the capacity and price checks see every registration.
            _ = try await RegistrationDesk.lock(collaboration.requireID(), on: tx)
            let counts = try await counts(collaboration, on: tx)
            try await input.apply(
                to: collaboration, registeredCount: counts.registered, activeRegistrations: counts.active,
                request: request, on: tx)
            collaboration.registrationSequence += 1
            try await collaboration.save(on: tx)
            try await Audit.record(
                "collaboration:update", subject: "collaboration", id: collaboration.requireID().uuidString,
                summary:
                    "\(collaboration.title): \(collaboration.status), deadline "
                        + "\(collaboration.deadline.map { "\($0)" } ?? "-")"
                    + ", capacity \(collaboration.capacity.map(String.init) ?? "-"), price \(collaboration.priceKind)",
                by: request, on: tx)
        }
    }

    func update(_ request: Request) async throws -> CollaborationJSON {
        let collaboration = try await CollaborationAccess.load(request)
        try await Self.update(
            collaboration, with: try request.content.decode(CollaborationInput.self), request: request)
        return CollaborationJSON(collaboration)
    }

    struct StatusInput: Content { var status: String? }

    static func changeStatus(_ collaboration: Collaboration, to text: String?, request: Request) async throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        var v = Validation()
        let status = v.oneOf("status", text, as: CollaborationStatus.self)
        try v.check()
        guard collaboration.statusValue.next.contains(status!) else {
            throw SamradError(.conflict, "collaboration.status_transition", [collaboration.status, status!.rawValue])
        }
        if status == .open && collaboration.deadline == nil {
            throw SamradError.invalid([FieldError(field: "deadline", "collaboration.deadline_needed")])
        }
        let from = collaboration.status
        collaboration.status = status!.rawValue
        try await request.db.transaction { tx in
            try await collaboration.save(on: tx)
            try await Audit.record(
                "collaboration:status", subject: "collaboration", id: collaboration.requireID().uuidString,
                summary: "\(collaboration.title): \(from) → \(collaboration.status)", by: request, on: tx)
        }
    }

    func changeStatus(_ request: Request) async throws -> CollaborationJSON {
        let collaboration = try await CollaborationAccess.load(request)
        try await Self.changeStatus(
            collaboration, to: try request.content.decode(StatusInput.self).status, request: request)
        return CollaborationJSON(collaboration)
    }

    // MARK: Invitations

    struct InvitationInput: Content {
        var scope: String?
        var country: String?
        var code: String?
        var list: String?
        var positions: [String]?
    }

    static func invite(
        _ collaboration: Collaboration, _ input: InvitationInput, request: Request
    ) async throws -> Invitations.Sent {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        let (municipalities, positions) = try invitationChoice(input, request: request)
        // The e-mails go out at once with links to the registration page: only while it is open.
        guard collaboration.statusValue == .open else {
            throw SamradError(.conflict, "invitation.not_open")
        }
        return try await Invitations.send(collaboration, to: municipalities, positions: positions, request: request)
    }

    /// The municipalities and positions an invitation form or body chose, checked.
    static func invitationChoice(_ input: InvitationInput, request: Request) throws -> ([Municipality], [Position]) {
        var v = Validation()
        var positions: [Position] = []
        for text in input.positions ?? [] {
            if let p = Position(rawValue: text) { positions.append(p) } else { v.add("positions", "validation.choice") }
        }
        if positions.isEmpty { v.add("positions", "invitation.positions") }
        var target: InvitationTarget? = nil
        do {
            target = try InvitationTarget.parse(
                scope: input.scope, country: input.country, code: input.code, list: input.list,
                directory: request.municipalities)
        } catch let error as SamradError { for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) } }
        try v.check()
        return (try request.municipalities.municipalities(for: target!), positions)
    }

    func invite(_ request: Request) async throws -> Invitations.Sent {
        let collaboration = try await CollaborationAccess.load(request)
        return try await Self.invite(collaboration, try request.content.decode(InvitationInput.self), request: request)
    }

    // MARK: Status board

    func board(_ request: Request) async throws -> StatusBoard.JSON {
        let collaboration = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        let board = try await StatusBoard.load(collaboration, request: request)
        return board.json(request: request)
    }

    // MARK: Registrations

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
            r.status == RegistrationStatus.waitlisted.rawValue ? .waitlisted : .registered,
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
                try await Invitations.notifyPromotion(collaboration, key, context: context, on: db)
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
