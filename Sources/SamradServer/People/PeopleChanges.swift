import Fluent
import Foundation
import SamradCore
import Vapor

/// PeoplePages: changes (one transaction each, audited).
extension PeoplePages {
    func create(_ input: Input, request: Request) async throws -> Person {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        let person = Person()
        person.isExample = false
        try await Self.apply(input, to: person, request: request)
        try request.require(PeoplePolicy.mayCreate(request.actor, in: person.affiliation))
        try await Self.insert(person, request: request)
        return person
    }

    /// Stores a new, checked person with its audit entry; `context` says where it was added from.
    static func insert(_ person: Person, context: String? = nil, request: Request) async throws {
        try await request.db.transaction { db in
            try await person.create(on: db)
            try await Audit.record(
                "person:create", subject: "person", id: person.id!.uuidString,
                summary: "\(person.name), \(person.position)" + (context.map { " (\($0))" } ?? ""), by: request, on: db)
        }
    }

    func update(_ person: Person, with input: Input, request: Request) async throws {
        if PeoplePolicy.mayEdit(request.actor, of: person.affiliation) {
            try await Self.apply(input, to: person, request: request)
            // Moving a person is allowed only into a place the actor also maintains.
            try request.require(PeoplePolicy.mayEdit(request.actor, of: person.affiliation))
        } else {
            try request.require(PeoplePolicy.mayEditOwnDetails(request.actor, personID: person.id))
            try Self.applyOwnDetails(input, to: person)
        }
        try await request.db.transaction { db in
            try await person.save(on: db)
            try await Audit.record(
                "person:update", subject: "person", id: person.id!.uuidString,
                summary: "\(person.name), \(person.position)", by: request, on: db)
        }
    }

    func delete(_ person: Person, request: Request) async throws {
        try request.require(PeoplePolicy.mayEdit(request.actor, of: person.affiliation))
        try await request.db.transaction { db in
            try await person.delete(on: db)
            try await Audit.record(
                "person:delete", subject: "person", id: person.id!.uuidString, summary: person.name, by: request, on: db
            )
        }
    }
}
