import Fluent
import Foundation
import SamradCore

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
            try await Person.query(on: db).filter(\.$municipalityCountry == key.country.rawValue)
                .filter(\.$municipalityCode == key.code).sort(\.$name).all()
        }
        let book = await export.shared("names") { Book() }
        for person in people { book.names[person.id!] = person.name }
        return people
    }

    /// Names by id: one query for those not read yet.
    static func names(_ ids: [UUID], in export: MunicipalityExport, on db: any Database) async throws -> [UUID: String] {
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
