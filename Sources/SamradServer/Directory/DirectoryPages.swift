import Fluent
import Foundation
import SamradCore
import Vapor

/// The directory of municipalities: list and detail pages, their API twins and the CSV export.
struct DirectoryPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(KeptPages()).get("municipalities", use: listPage)
        routes.spreadsheet("municipalities", use: exportCSV)
        routes.get("municipalities", "names.json", use: names)
        routes.get("municipalities", ":country", ":code", use: detailPage)
        let api = routes.grouped("api", "v1", "municipalities")
        api.get(use: listAPI)
        api.get(":country", ":code", use: detailAPI)
    }

    /// Every municipality as the pickers offer it ("Aarhus (dk/751)"), Danish and Swedish first:
    /// the list a form's municipality field suggests from as one types.
    func names(_ request: Request) async throws -> Response {
        let directory = request.municipalities
        let ordered =
            directory.all.filter { $0.country == .dk || $0.country == .se }
            + directory.all.filter { $0.country != .dk && $0.country != .se }
        let response = try await ordered.map(MunicipalityDirectory.label).encodeResponse(for: request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return response
    }

    struct Row: Encodable {
        var href: String; var name: String; var code: String; var country: String; var countryName: String
        var region: String; var population: String; var group: String
    }
    struct PageLink: Encodable { var href: String; var number: Int; var current: Bool }

    struct ListContext: Encodable {
        var page: PageContext
        var q: String
        var countries: [Option]
        var regions: [OptionGroup]
        var groups: [OptionGroup]
        var rows: [Row]
        var total: Int
        var pageNumber: Int
        var pageCount: Int
        var pages: [PageLink]
        var previous: String?
        var next: String?
        var downloads: [DownloadLinks]
        var errors: [Problem.FieldMessage]
    }

    func listPage(_ request: Request) async throws -> Response {
        var errors: [Problem.FieldMessage] = []
        var query: MunicipalityQuery
        do {
            query = try Self.query(request)
        } catch let error as SamradError {
            errors = FormState(values: [:], error: error, request: request).summary
            query = MunicipalityQuery(text: request.query[String.self, at: "q"])
        }
        let directory = request.municipalities
        let result = directory.search(query)
        func countryName(_ c: Country) -> String { request.t("country.\(c.rawValue)") }
        let countries =
            [Option(value: "", label: request.t("directory.all_countries"), selected: query.country == nil)]
            + Country.allCases.map { Option(value: $0.rawValue, label: countryName($0), selected: query.country == $0) }
        let shown = query.country.map { [$0] } ?? Country.allCases
        let regions = shown.map { c in
            OptionGroup(
                label: countryName(c),
                options: directory.regions(of: c).map {
                    Option(value: $0.code, label: $0.name, selected: query.region == $0.code)
                })
        }
        let groups = shown.compactMap { c -> OptionGroup? in
            let list = directory.groups(of: c)
            if list.isEmpty { return nil }
            return OptionGroup(
                label: countryName(c),
                options: list.map { Option(value: $0.code, label: $0.name, selected: query.group == $0.code) })
        }
        let rows = result.items.map { m in
            Row(
                href: "/municipalities/\(m.country.rawValue)/\(m.code)", name: m.name, code: m.code,
                country: m.country.rawValue,
                countryName: countryName(m.country), region: m.regionName,
                population: NumberText.integer(m.population, request.language),
                group: m.groupName ?? "")
        }
        func link(page: Int?, path: String = "/municipalities") -> String {
            var items: [URLQueryItem] = []
            if let c = query.country { items.append(.init(name: "country", value: c.rawValue)) }
            if let r = query.region { items.append(.init(name: "region", value: r)) }
            if let g = query.group { items.append(.init(name: "group", value: g)) }
            if let q = query.text { items.append(.init(name: "q", value: q)) }
            if let page, page > 1 { items.append(.init(name: "page", value: String(page))) }
            var components = URLComponents()
            components.path = path
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? path
        }
        // The same filters for the downloads.
        let listed = link(page: nil)
        let filters = listed.firstIndex(of: "?").map { String(listed[$0...]) } ?? ""
        let window = max(1, result.page - 3)...min(result.pageCount, max(1, result.page - 3) + 6)
        let context = ListContext(
            page: PageContext(request, titleKey: "directory.title"),
            q: query.text ?? "", countries: countries, regions: regions, groups: groups, rows: rows,
            total: result.total, pageNumber: result.page, pageCount: result.pageCount,
            pages: window.map { PageLink(href: link(page: $0), number: $0, current: $0 == result.page) },
            previous: result.page > 1 ? link(page: result.page - 1) : nil,
            next: result.page < result.pageCount ? link(page: result.page + 1) : nil,
            downloads: [DownloadLinks(base: "/municipalities", query: filters, label: request.t("directory.csv"))],
            errors: errors)
        let status: HTTPResponseStatus = errors.isEmpty ? .ok : .unprocessableEntity
        return try await request.view.render("directory/list", context).encodeResponse(status: status, for: request)
    }

    struct Figure: Encodable { var label: String; var value: String; var note: String? }
    struct DetailContext: Encodable {
        var page: PageContext
        /// What the municipality must do, for its coordinators (none or one).
        var tasks: [MunicipalityTasks.View]
        /// The municipality's export, for those who may take it.
        var exportHref: String?
        var accessHref: String?
        var surveysHref: String?
        var name: String
        var country: String
        var countryName: String
        var code: String
        var figures: [Figure]
        var neighbours: [Link]
        var similar: [Link]
        var similarNote: String?
        var apiHref: String
        var people: [PersonList.Row]
        var collaborations: [Participation]
        var canAddPerson: Bool
        var addPersonHref: String
        /// What the municipality undertook at meetings the reader may see the minutes of.
        var commitments: [MunicipalityCommitments.Row]
    }

    struct Participation: Encodable { var href: String; var title: String; var status: String; var seats: [String] }

    /// The municipality's collaborations: registered ones for everybody; every answer, with a link
    /// to the registration, for those who may register it.
    static func participations(of m: Municipality, request: Request) async throws -> [Participation] {
        let registrations = try await Registration.query(on: request.db)
            .filter(\.$municipalityCountry == m.country.rawValue).filter(\.$municipalityCode == m.code).all()
        guard !registrations.isEmpty else { return [] }
        let collaborations = try await Collaboration.query(on: request.db).filter(
            \.$id ~~ registrations.map(\.collaborationID)
        ).all()
        let byID = Dictionary(uniqueKeysWithValues: collaborations.map { ($0.id!, $0) })
        // Who sits in the seats: names of people are for signed-in members (PeoplePolicy).
        var seatsByRegistration: [UUID: [String]] = [:]
        if PeoplePolicy.mayList(request.actor) {
            let seats = try await RegistrationSeat.query(on: request.db).filter(
                \.$registrationID ~~ registrations.compactMap(\.id)
            ).all()
            let people = try await Person.query(on: request.db).filter(\.$id ~~ seats.map(\.personID)).all()
            let names = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.name) })
            for seat in seats {
                seatsByRegistration[seat.registrationID, default: []].append(
                    "\(request.t("position.\(seat.position)")): \(names[seat.personID] ?? "—")")
            }
        }
        return registrations.compactMap { r -> Participation? in
            guard let c = byID[r.collaborationID], c.statusValue.isPublished else { return nil }
            let mayRegister = CollaborationPolicy.mayRegister(
                request.actor, collaborationID: c.id, municipality: m.key, organiserID: c.organiserID)
            guard mayRegister || r.statusValue == .registered else { return nil }
            return Participation(
                href: mayRegister
                    ? "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)"
                    : "/collaborations/\(c.slug)",
                title: c.title, status: request.t("registration_status.\(r.status)"),
                seats: r.statusValue.isActive ? (seatsByRegistration[r.id!] ?? []).sorted() : [])
        }.sorted { $0.title < $1.title }
    }

    func detailPage(_ request: Request) async throws -> View {
        let m = try MunicipalityAccess.load(request)
        let directory = request.municipalities
        let language = request.language
        let similar = directory.similar(to: m)
        let groupingKey =
            m.country == .dk ? "directory.group_dk" : m.country == .se ? "directory.group_se" : "directory.group"
        var figures = [
            Figure(label: request.t("directory.code"), value: m.code),
            Figure(label: request.t("directory.region"), value: m.regionName),
            Figure(
                label: request.t("directory.population"), value: NumberText.integer(m.population, language),
                note: request.t("directory.population_date", [m.populationDate])),
            Figure(
                label: request.t("directory.area"),
                value: NumberText.decimal(m.areaKm2, language, fractionDigits: 1) + " km²"),
            Figure(
                label: request.t("directory.density"),
                value: NumberText.decimal(m.density, language, fractionDigits: 1) + " / km²"),
            Figure(
                label: request.t("directory.point"),
                value:
                    "\(NumberText.decimal(m.latitude, language, fractionDigits: 4))° N, "
                        + "\(NumberText.decimal(m.longitude, language, fractionDigits: 4))° E",
                note: request.t("directory.point_note")),
        ]
        if let group = m.groupName {
            figures.append(Figure(label: request.t(groupingKey), value: group))
        }
        let people = try await PersonList.rows(for: Affiliation(municipality: m.key), request: request)
        let link = { (o: Municipality) in Link(href: "/municipalities/\(o.country.rawValue)/\(o.code)", label: o.name) }
        return try await request.view.render(
            "directory/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: m.name),
                tasks: request.actor.coordinates(m.key)
                    ? [try await MunicipalityTasks.of(m, now: Date(), request: request)] : [],
                exportHref: ExportPolicy.mayExport(request.actor, m.key)
                    ? "/municipalities/\(m.country.rawValue)/\(m.code)/export.zip" : nil,
                accessHref: MunicipalityRolePolicy.mayManage(request.actor, m.key)
                    ? "/municipalities/\(m.country.rawValue)/\(m.code)/access" : nil,
                surveysHref: SurveyPolicy.mayListOwn(request.actor, municipality: m.key)
                    ? "/municipalities/\(m.country.rawValue)/\(m.code)/surveys" : nil,
                name: m.name, country: m.country.rawValue, countryName: request.t("country.\(m.country.rawValue)"),
                code: m.code,
                figures: figures, neighbours: directory.neighbours(of: m).map(link), similar: similar.map(link),
                similarNote: Self.similarSource(m, similar).map { request.t("directory.similar_source.\($0)") },
                apiHref: "/api/v1/municipalities/\(m.country.rawValue)/\(m.code)",
                people: people ?? [], collaborations: try await Self.participations(of: m, request: request),
                canAddPerson: PeoplePolicy.mayCreate(request.actor, in: Affiliation(municipality: m.key)),
                addPersonHref: "/people/new?municipality=\(m.country.rawValue)/\(m.code)",
                commitments: try await MunicipalityCommitments.of(m.key, request: request)))
    }
}
