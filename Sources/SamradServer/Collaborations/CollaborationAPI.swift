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
        api.get(":slug", "selection", use: selection)
        api.post(":slug", "selection", use: choose)
        let registration = api.grouped(":slug", "registrations", ":country", ":code")
        registration.get(use: showRegistration)
        registration.post(use: register)
        registration.put(use: changeSeats)
        registration.post("decline", use: decline)
        registration.post("withdraw", use: withdraw)
        routes.get("api", "v1", "me", "registrations", use: myRegistrations)
    }


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
            .filter(\.$status ~~ RegistrationStatus.allCases.filter(\.isActive).map(\.rawValue))
            .count()
        return (registered, active)
    }


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
        if status == .concluded { collaboration.concludedAt = Date() }
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
}
