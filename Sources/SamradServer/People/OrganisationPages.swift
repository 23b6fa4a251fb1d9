import Fluent
import Foundation
import SamradCore
import Vapor

/// Organisations: associations (KL, SKR), administrations, unions, foundations, universities.
/// They are public; `OrganisationPolicy` decides who creates and edits them.
struct OrganisationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organisations", use: listPage)
        routes.get("organisations", "new", use: newForm)
        routes.post("organisations", use: createFromForm)
        routes.get("organisations", ":id", use: detailPage)
        routes.get("organisations", ":id", "edit", use: editForm)
        routes.post("organisations", ":id", use: updateFromForm)
        let api = routes.grouped("api", "v1", "organisations")
        api.get(use: listAPI)
        api.post(use: createAPI)
        api.get(":id", use: showAPI)
        api.put(":id", use: updateAPI)
    }

    struct Input: Content {
        var name: String?
        var kind: String?
        var country: String?
        var municipalityCode: String?
        var website: String?

        var values: [String: String] {
            [
                "name": name ?? "", "kind": kind ?? "", "country": country ?? "",
                "municipalityCode": municipalityCode ?? "", "website": website ?? "",
            ]
        }
    }

    static func apply(_ input: Input, to organisation: Organisation, request: Request) throws {
        var v = Validation()
        let name = v.required("name", input.name, maxLength: 160)
        let kind = v.oneOf("kind", input.kind, as: Organisation.Kind.self)
        var country: Country? = nil
        if let text = input.country, !text.isEmpty {
            country = Country(rawValue: text)
            if country == nil { v.add("country", "validation.country") }
        }
        let code = v.optional("municipalityCode", input.municipalityCode, maxLength: 8)
        if let code {
            if let country, request.municipalities[MunicipalityKey(country, code)] != nil {
            } else {
                v.add("municipalityCode", "validation.municipality")
            }
        }
        let website = v.optional("website", input.website, maxLength: 300)
        if let website, !(website.hasPrefix("https://") || website.hasPrefix("http://")) || URL(string: website) == nil
        {
            v.add("website", "validation.url")
        }
        try v.check()
        organisation.name = name
        organisation.kind = kind!.rawValue
        organisation.country = country?.rawValue
        organisation.municipalityCode = code
        organisation.website = website
    }

    static func find(_ request: Request) async throws -> Organisation {
        try await Organisation.find(from: request, "id", notFound: "error.organisation_not_found")
    }

    struct OrganisationJSON: Content {
        var id: UUID
        var name: String
        var kind: String
        var country: String?
        var municipalityCode: String?
        var website: String?
        var isExample: Bool

        init(_ o: Organisation) {
            id = o.id!
            name = o.name
            kind = o.kind
            country = o.country
            municipalityCode = o.municipalityCode
            website = o.website
            isExample = o.isExample
        }
    }

    struct ListJSON: Content { var items: [OrganisationJSON] }

    func listAPI(_ request: Request) async throws -> ListJSON {
        ListJSON(items: try await Organisation.query(on: request.db).sort(\.$name).all().map(OrganisationJSON.init))
    }

    func showAPI(_ request: Request) async throws -> OrganisationJSON {
        OrganisationJSON(try await Self.find(request))
    }

    func createAPI(_ request: Request) async throws -> Response {
        let organisation = try await create(try request.content.decode(Input.self), request: request)
        return try await OrganisationJSON(organisation).encodeResponse(status: .created, for: request)
    }

    func updateAPI(_ request: Request) async throws -> OrganisationJSON {
        let organisation = try await Self.find(request)
        try await update(organisation, with: try request.content.decode(Input.self), request: request)
        return OrganisationJSON(organisation)
    }

    func create(_ input: Input, request: Request) async throws -> Organisation {
        try request.require(OrganisationPolicy.mayCreate(request.actor))
        let organisation = Organisation()
        organisation.isExample = false
        try Self.apply(input, to: organisation, request: request)
        try await request.db.transaction { db in
            try await organisation.create(on: db)
            try await Audit.record(
                "organisation:create", subject: "organisation", id: organisation.id!.uuidString,
                summary: organisation.name, by: request, on: db)
        }
        return organisation
    }

    func update(_ organisation: Organisation, with input: Input, request: Request) async throws {
        try request.require(OrganisationPolicy.mayEdit(request.actor, organisationID: organisation.id!))
        try Self.apply(input, to: organisation, request: request)
        try await request.db.transaction { db in
            try await organisation.save(on: db)
            try await Audit.record(
                "organisation:update", subject: "organisation", id: organisation.id!.uuidString,
                summary: organisation.name, by: request, on: db)
        }
    }


    struct Row: Encodable { var href: String; var name: String; var kind: String; var isExample: Bool }
    struct ListContext: Encodable { var page: PageContext; var rows: [Row]; var canCreate: Bool }

    func listPage(_ request: Request) async throws -> View {
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
        return try await request.view.render(
            "organisations/list",
            ListContext(
                page: PageContext(request, titleKey: "organisations.title"),
                rows: organisations.map {
                    Row(
                        href: "/organisations/\($0.id!.uuidString)", name: $0.name,
                        kind: request.t("organisation_kind.\($0.kind)"), isExample: $0.isExample)
                },
                canCreate: OrganisationPolicy.mayCreate(request.actor)))
    }

    struct DetailContext: Encodable {
        var page: PageContext
        var name: String
        var kind: String
        var website: String?
        var municipalityHref: String?
        var isExample: Bool
        var people: [PeoplePages.PersonRow]?
        var canEdit: Bool
        var editHref: String
        /// Its details as the seller of paid tracks (the Invoicing feature's page).
        var invoicingHref: String
        var canAddPerson: Bool
        var addPersonHref: String
    }

    func detailPage(_ request: Request) async throws -> View {
        let o = try await Self.find(request)
        let id = o.id!.uuidString
        let affiliation = Affiliation(organisationID: o.id)
        return try await request.view.render(
            "organisations/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: o.name), name: o.name,
                kind: request.t("organisation_kind.\(o.kind)"),
                website: o.website,
                municipalityHref: o.municipalityCode.flatMap { code in o.country.map { "/municipalities/\($0)/\(code)" }
                },
                isExample: o.isExample,
                people: try await PeoplePages.rows(for: affiliation, request: request),
                canEdit: OrganisationPolicy.mayEdit(request.actor, organisationID: o.id!),
                editHref: "/organisations/\(id)/edit", invoicingHref: "/organisations/\(id)/invoicing",
                canAddPerson: PeoplePolicy.mayCreate(request.actor, in: affiliation),
                addPersonHref: "/people/new?organisation=\(id)"))
    }
    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var kinds: [Option]; var countries: [Option]
    }

    func formContext(_ request: Request, form: FormState, action: String, titleKey: String) -> FormContext {
        FormContext(
            page: PageContext(request, titleKey: titleKey), form: form, action: action,
            kinds: Organisation.Kind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("organisation_kind.\($0.rawValue)"),
                    selected: form.values["kind"] == $0.rawValue)
            },
            countries: [
                Option(
                    value: "", label: request.t("organisations.no_country"),
                    selected: (form.values["country"] ?? "").isEmpty)
            ]
                + Country.allCases.map {
                    Option(
                        value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                        selected: form.values["country"] == $0.rawValue)
                })
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(OrganisationPolicy.mayCreate(request.actor))
        return try await request.view.render(
            "organisations/form",
            formContext(request, form: FormState(), action: "/organisations", titleKey: "organisations.new_title"))
    }

    func createFromForm(_ request: Request) async throws -> Response {
        let input = try request.content.decode(Input.self)
        do {
            let organisation = try await create(input, request: request)
            return request.redirect(to: "/organisations/\(organisation.id!.uuidString)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "organisations/form",
                formContext(
                    request, form: FormState(values: input.values, error: error, request: request),
                    action: "/organisations", titleKey: "organisations.new_title"))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let o = try await Self.find(request)
        try request.require(OrganisationPolicy.mayEdit(request.actor, organisationID: o.id!))
        let form = FormState(values: [
            "name": o.name, "kind": o.kind, "country": o.country ?? "", "municipalityCode": o.municipalityCode ?? "",
            "website": o.website ?? "",
        ])
        return try await request.view.render(
            "organisations/form",
            formContext(
                request, form: form, action: "/organisations/\(o.id!.uuidString)", titleKey: "organisations.edit_title")
        )
    }

    func updateFromForm(_ request: Request) async throws -> Response {
        let o = try await Self.find(request)
        let input = try request.content.decode(Input.self)
        do {
            try await update(o, with: input, request: request)
            return request.redirect(to: "/organisations/\(o.id!.uuidString)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "organisations/form",
                formContext(
                    request, form: FormState(values: input.values, error: error, request: request),
                    action: "/organisations/\(o.id!.uuidString)", titleKey: "organisations.edit_title"))
        }
    }
}
