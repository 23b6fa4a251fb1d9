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

    // MARK: Checking and writing

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

    // MARK: The API

    func importAPI(_ request: Request) async throws -> Outcome {
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
        }
        let country = request.query[String.self, at: "country"].flatMap(Country.init(rawValue:)) ?? .dk
        return try await Self.run(
            String(decoding: body.readableBytesView, as: UTF8.self), country: country, request: request)
    }

    // MARK: The page
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var countries: [Option]; var outcome: [String]
        var maxSize: String
    }

    func context(_ request: Request, form: FormState, outcome: Outcome? = nil) -> Context {
        let chosen = form.values["country"] ?? "dk"
        let countries = Country.allCases.map {
            Option(value: $0.rawValue, label: request.t("country.\($0.rawValue)"), selected: $0.rawValue == chosen)
        }
        let lines =
            outcome.map { o in
                [
                    request.t("people_import.created", count: o.created),
                    request.t("people_import.updated", count: o.updated),
                    request.t("people_import.unchanged", count: o.unchanged),
                ]
            } ?? []
        return Context(
            page: PageContext(request, titleKey: "people_import.title"), form: form, countries: countries,
            outcome: lines, maxSize: "2")
    }

    func page(_ request: Request) async throws -> View {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        return try await request.view.render("people/import", context(request, form: FormState()))
    }

    func importFromForm(_ request: Request) async throws -> Response {
        struct Upload: Content { var file: File?; var country: String? }
        let upload = try request.content.decode(Upload.self)
        let values = ["country": upload.country ?? "dk"]
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else {
                throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
            }
            let country = upload.country.flatMap(Country.init(rawValue:)) ?? .dk
            let outcome = try await Self.run(
                String(decoding: file.data.readableBytesView, as: UTF8.self), country: country,
                request: request)
            return try await request.view.render(
                "people/import",
                context(
                    request, form: FormState(values: values),
                    outcome: outcome)
            )
            .encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "people/import",
                context(
                    request,
                    form: FormState(
                        values: values, error: error,
                        request: request)))
        }
    }
}
