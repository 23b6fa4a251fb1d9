import Fluent
import Foundation
import SamradCore
import Vapor

/// PeoplePages: input.
extension PeoplePages {
    /// What a form or a JSON body says about a person.
    struct Input: Content {
        var name: String?
        var email: String?
        var phone: String?
        var position: String?
        var title: String?
        /// By name or key: "Aarhus", "Aarhus (dk/751)" or "dk/751".
        var municipality: String?
        var organisationID: UUID?

        var values: [String: String] {
            [
                "name": name ?? "", "email": email ?? "", "phone": phone ?? "", "position": position ?? "",
                "title": title ?? "",
                "municipality": municipality ?? "", "organisationID": organisationID?.uuidString ?? "",
            ]
        }
    }

    /// Checks the input and copies it onto `person`; throws every problem at once.
    static func apply(_ input: Input, to person: Person, request: Request) async throws {
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 120)
        let email = v.email("email", input.email, required: false)
        let phone = v.phone("phone", input.phone)
        let position = v.oneOf("position", input.position, as: Position.self)
        let title = v.optional("title", input.title, maxLength: 120)
        var municipality: MunicipalityKey? = nil
        municipality = request.municipalities.municipality("municipality", input.municipality, &v)?.key
        if let id = input.organisationID, try await Organisation.find(id, on: request.db) == nil {
            v.add("organisationID", "validation.organisation")
        }
        if municipality == nil && input.organisationID == nil && (input.municipality ?? "").isEmpty {
            v.add("municipality", "validation.affiliation")
        }
        try v.check()
        person.name = name
        person.email = email
        person.phone = phone
        person.position = position!.rawValue
        person.title = title
        person.municipalityCountry = municipality?.country.rawValue
        person.municipalityCode = municipality?.code
        person.organisationID = input.organisationID
    }

    /// A person's own edit: name, phone and title. Where they belong, their position and the
    /// address invitations go to are kept by their coordinators; asking to change them is refused
    /// as a whole (nothing is saved). Absent members mean "unchanged".
    static func applyOwnDetails(_ input: Input, to person: Person) throws {
        func differs(_ given: String?, _ current: String?) -> Bool {
            guard let given else { return false }
            let normal = given.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            return normal != (current ?? "").lowercased()
        }
        if differs(input.municipality, person.municipality?.description)
            || differs(input.organisationID?.uuidString, person.organisationID?.uuidString)
            || differs(input.position, person.position) || differs(input.email, person.email)
        {
            throw SamradError(.forbidden, "people.own_fixed")
        }
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 120)
        let phone = v.phone("phone", input.phone)
        let title = v.optional("title", input.title, maxLength: 120)
        try v.check()
        person.name = name
        person.phone = phone
        person.title = title
    }

    /// The municipality on the signed-in person's record: a default for forms, never a right (the
    /// person may not move it, but an organiser may have created it).
    static func recordedMunicipality(_ request: Request) async throws -> MunicipalityKey? {
        guard request.actor.isSignedIn, let personID = request.actor.personID else { return nil }
        return try await Person.find(personID, on: request.db)?.municipality
    }

    static func find(_ request: Request) async throws -> Person {
        try await Person.find(from: request, "id", notFound: "error.person_not_found")
    }
}
