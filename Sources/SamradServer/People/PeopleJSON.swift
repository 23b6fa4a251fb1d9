import Fluent
import Foundation
import SamradCore
import Vapor

/// PeoplePages: JSON.
extension PeoplePages {
    struct PersonJSON: Content {
        var id: UUID
        var name: String
        var position: String
        var title: String?
        var municipality: String?
        var organisationID: UUID?
        /// Only for those `PeoplePolicy` lets see contact details.
        var email: String?
        var phone: String?
        var isExample: Bool
    }

    static func json(_ person: Person, _ actor: Actor) throws -> PersonJSON {
        let contact = PeoplePolicy.mayViewContact(actor, personID: person.id, of: person.affiliation)
        return PersonJSON(
            id: try person.requireID(), name: person.name, position: person.position, title: person.title,
            municipality: person.municipality?.description, organisationID: person.organisationID,
            email: contact ? person.email : nil, phone: contact ? person.phone : nil, isExample: person.isExample)
    }

    struct ListJSON: Content { var items: [PersonJSON] }

    func listAPI(_ request: Request) async throws -> ListJSON {
        try request.require(PeoplePolicy.mayList(request.actor))
        var query = Person.current(on: request.db).sort(\.$name)
        if let text = request.query[String.self, at: "municipality"], !text.isEmpty {
            guard let key = MunicipalityKey(path: text) else {
                throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
            }
            query = query.filter(\.$municipalityCountry == key.country.rawValue).filter(\.$municipalityCode == key.code)
        }
        if let text = request.query[String.self, at: "organisation"], !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw SamradError.invalid([FieldError(field: "organisation", "validation.organisation")])
            }
            query = query.filter(\.$organisationID == id)
        }
        let people = try await query.limit(1000).all()
        return ListJSON(items: try people.map { try Self.json($0, request.actor) })
    }

    func showAPI(_ request: Request) async throws -> PersonJSON {
        try request.require(PeoplePolicy.mayList(request.actor))
        return try Self.json(try await Self.find(request), request.actor)
    }

    func createAPI(_ request: Request) async throws -> Response {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        let input = try request.content.decode(Input.self)
        let person = try await create(input, request: request)
        return try await Self.json(person, request.actor).encodeResponse(status: .created, for: request)
    }

    func updateAPI(_ request: Request) async throws -> PersonJSON {
        let person = try await Self.find(request)
        let input = try request.content.decode(Input.self)
        try await update(person, with: input, request: request)
        return try Self.json(person, request.actor)
    }

    func deleteAPI(_ request: Request) async throws -> HTTPStatus {
        let person = try await Self.find(request)
        try await delete(person, request: request)
        return .noContent
    }
}
