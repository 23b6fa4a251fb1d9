import Fluent
import Foundation
import SamradCore
import Vapor

/// People's names for other features' exports: a seat or an attendance names a person, also one of
/// another municipality (a shared consultant). Read once per export.
enum PersonNames {
    final class Book: @unchecked Sendable {
        var names: [UUID: String] = [:]
    }

    /// The municipality's own people, by name.
    static func ofMunicipality(_ export: MunicipalityExport, on db: any Database) async throws -> [Person] {
        let key = export.municipality
        let people = try await export.shared("people") {
            try await Person.current(on: db).filter(\.$municipalityCountry == key.country.rawValue)
                .filter(\.$municipalityCode == key.code).sort(\.$name).all()
        }
        let book = await export.shared("names") { Book() }
        for person in people { book.names[person.id!] = person.name }
        return people
    }

    /// Names by id: one query for those not read yet.
    static func names(_ ids: [UUID], in export: MunicipalityExport, on db: any Database) async throws -> [UUID: String]
    {
        _ = try await ofMunicipality(export, on: db)
        let book = await export.shared("names") { Book() }
        let missing = Set(ids).subtracting(book.names.keys)
        if !missing.isEmpty {
            for person in try await Person.query(on: db).filter(\.$id ~~ missing).all() {
                book.names[person.id!] = person.name
            }
        }
        return book.names
    }
}

/// The person form other pages embed (a registration names a new person for a seat).
enum PersonForm {
    typealias Input = PeoplePages.Input

    static func apply(_ input: Input, to person: Person, request: Request) async throws {
        try await PeoplePages.apply(input, to: person, request: request)
    }

    static func insert(_ person: Person, context: String? = nil, request: Request) async throws {
        try await PeoplePages.insert(person, context: context, request: request)
    }
}

/// The people of an affiliation as the people list shows them, for the pages that embed it.
enum PersonList {
    typealias Row = PeoplePages.PersonRow

    /// Nil when the reader may not list them.
    static func rows(for affiliation: Affiliation, request: Request) async throws -> [Row]? {
        try await PeoplePages.rows(for: affiliation, request: request)
    }
}

extension Request {
    /// The municipality the signed-in person's own person record names, read once per request: the
    /// municipality whose view they take where no right names another (results, own materials).
    func recordedMunicipality() async throws -> MunicipalityKey? {
        if let known = storage[RecordedMunicipalityKey.self] { return known }
        let found = try await PeoplePages.recordedMunicipality(self)
        storage[RecordedMunicipalityKey.self] = .some(found)
        return found
    }
}

private struct RecordedMunicipalityKey: StorageKey { typealias Value = MunicipalityKey? }
