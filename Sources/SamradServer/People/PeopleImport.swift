import Fluent
import Foundation
import SamradCore
import Vapor

/// Bringing a list of people in from a spreadsheet (`PeopleList`): a page for the file, and
/// `POST /api/v1/people/import` for a `text/csv` body. The whole file and the importer's right to
/// every line are checked before anything is written; then it is written in one transaction, and a
/// second run of the same file changes nothing (people are matched on their e-mail address).
struct PeopleImport: RouteCollection {
    static let maxBytes = 2_000_000

    func boot(routes: any RoutesBuilder) throws {
        routes.get("people", "import", use: page)
        routes.upload(
            "people", "import", maxBytes: Self.maxBytes, tooLarge: "people_import.error.too_large", ["2"],
            gate: Self.gate, use: importFromForm)
        routes.grouped("api", "v1", "people").upload(
            "import", maxBytes: Self.maxBytes,
            tooLarge: "people_import.error.too_large", ["2"],
            gate: Self.gate, use: importAPI)
    }

    /// Administrators, organisers and coordinators keep people; nobody else sends a list.
    @Sendable static func gate(_ request: Request) async throws {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
    }

    struct Outcome: Content, Equatable { var created: Int; var updated: Int; var unchanged: Int }


    /// Position names in every language, lower-case, for lists written by people.
    static func positionNames(_ request: Request) -> [String: Position] {
        var names: [String: Position] = [:]
        for position in Position.allCases {
            for language in Language.allCases {
                names[request.catalog.text("position.\(position.rawValue)", language).lowercased()] = position
            }
        }
        return names
    }

    /// Reads and checks `text`, then writes it; throws every problem, naming lines, with nothing written.
    static func run(_ text: String, country: Country, request: Request) async throws -> Outcome {
        let list = try PeopleList(
            csv: text, country: country, directory: request.municipalities,
            positionNames: positionNames(request))
        let actor = request.actor
        let existing = try await Person.query(on: request.db).filter(\.$email ~~ list.rows.map(\.email)).all()
        let byEmail = Dictionary(existing.compactMap { p in p.email.map { ($0.lowercased(), p) } }) { first, _ in first
        }
        var v = Validation()
        var changes: [(PeopleList.Row, Person?, PeopleListChange)] = []
        for row in list.rows {
            let place = Affiliation(municipality: row.municipality)
            guard let person = byEmail[row.email] else {
                if PeoplePolicy.mayCreate(actor, in: place) {
                    changes.append((row, nil, .created))
                } else {
                    v.add(
                        "line \(row.line)", "people_import.error.not_yours_new",
                        [
                            String(row.line),
                            request.municipalities[row.municipality]?.name ?? row.municipality.description,
                        ])
                }
                continue
            }
            if Self.matches(person, row) { changes.append((row, person, .unchanged)); continue }
            guard PeoplePolicy.mayEdit(actor, of: person.affiliation), PeoplePolicy.mayEdit(actor, of: place) else {
                let keeper = person.municipality.flatMap { request.municipalities[$0]?.name } ?? person.name
                v.add("line \(row.line)", "people_import.error.not_yours", [String(row.line), row.email, keeper])
                continue
            }
            changes.append((row, person, .updated))
        }
        try v.check()
        let outcome = Outcome(
            created: changes.count { $0.2 == .created }, updated: changes.count { $0.2 == .updated },
            unchanged: changes.count { $0.2 == .unchanged })
        let writes = changes.filter { $0.2 != .unchanged }
        try await request.db.transaction { db in
            for (row, found, _) in writes {
                let person = found ?? Person()
                if found == nil { person.isExample = false; person.email = row.email }
                person.name = row.name
                person.position = row.position.rawValue
                person.municipalityCountry = row.municipality.country.rawValue
                person.municipalityCode = row.municipality.code
                person.organisationID = nil
                if let phone = row.phone { person.phone = phone }
                if let title = row.title { person.title = title }
                try await person.save(on: db)
            }
            let summary = "created \(outcome.created), updated \(outcome.updated), unchanged \(outcome.unchanged)"
            try await Audit.record(
                "people:import", subject: "people", id: country.rawValue, summary: summary, by: request, on: db)
        }
        return outcome
    }

    /// Whether the person already is what the line says (an empty phone or title keeps the stored one).
    static func matches(_ person: Person, _ row: PeopleList.Row) -> Bool {
        person.name == row.name && person.position == row.position.rawValue && person.municipality == row.municipality
            && person.organisationID == nil && (row.phone == nil || person.phone == row.phone)
            && (row.title == nil || person.title == row.title)
    }
}
