import Fluent
import Foundation
import SamradCore

/// The person record: exported whole; on erasure it stays, pseudonymised, without contact data.
extension PeopleFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "people", purpose: "people", categories: [.identity, .contact],
            retention: .untilErased)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        guard let id = export.subject.personID else { return }
        try await export.table(
            "person", "Your person record: name, contact, position and where you work.",
            query: """
                SELECT p.name, p.email, p.phone, p.position, p.title, p.municipality_country, p.municipality_code,
                    o.name AS organisation, p.created_at, p.updated_at
                FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.id = \(bind: id)
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        guard let id = erasure.subject.personID else { return }
        try await Person.query(on: db).filter(\.$id == id)
            .set(\.$name, to: erasure.pseudonym).set(\.$email, to: nil).set(\.$phone, to: nil)
            .set(\.$title, to: nil).set(\.$erasedAt, to: Date()).update()
    }
}
