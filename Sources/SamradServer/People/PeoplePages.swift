import Fluent
import Foundation
import SamradCore
import Vapor

/// People (politicians, administrators, school leaders, researchers …) of municipalities and
/// organisations. Who may see contact details and change people is decided by `PeoplePolicy`.
struct PeoplePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("people", "new", use: newForm)
        routes.post("people", use: createFromForm)
        routes.get("people", ":id", use: detailPage)
        routes.get("people", ":id", "edit", use: editForm)
        routes.post("people", ":id", use: updateFromForm)
        routes.post("people", ":id", "delete", use: deleteFromForm)
        let api = routes.grouped("api", "v1", "people")
        api.get(use: listAPI)
        api.post(use: createAPI)
        api.get(":id", use: showAPI)
        api.put(":id", use: updateAPI)
        api.delete(":id", use: deleteAPI)
    }


    /// A seat or a role in a collaboration.
    struct Part: Encodable { var href: String; var title: String; var position: String; var status: String }
    struct DetailContext: Encodable {
        var page: PageContext
        var name: String
        var position: String
        var title: String?
        var email: String?
        var phone: String?
        var affiliationHref: String?
        var affiliation: String?
        var seats: [Part]
        var editHref: String?
        var isExample: Bool
        /// The person's data export and erasure (administrators; a person uses their profile).
        var dataHref: String?
        var eraseHref: String?
    }

    /// A person and where they take part: the seats they hold in published collaborations.
    func detailPage(_ request: Request) async throws -> View {
        try request.require(PeoplePolicy.mayList(request.actor))
        let person = try await Self.find(request)
        let contact = PeoplePolicy.mayViewContact(request.actor, personID: person.id, of: person.affiliation)
        let seats = try await RegistrationSeat.query(on: request.db).filter(\.$personID == person.requireID()).all()
        let registrations = try await Registration.query(on: request.db).filter(\.$id ~~ seats.map(\.registrationID))
            .all()
        // Roles: researcher, following group, facilitator, contact.
        let roles = try await CollaborationRole.query(on: request.db).filter(\.$personID == person.requireID()).all()
        let collaborations = try await Collaboration.query(on: request.db)
            .filter(\.$id ~~ (registrations.map(\.collaborationID) + roles.map(\.collaborationID))).all()
            .filter { CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID) }
        let registrationByID = Dictionary(uniqueKeysWithValues: registrations.map { ($0.id!, $0) })
        let collaborationByID = Dictionary(uniqueKeysWithValues: collaborations.map { ($0.id!, $0) })
        var rows = seats.compactMap { seat -> Part? in
            guard let r = registrationByID[seat.registrationID], r.statusValue.isActive,
                let c = collaborationByID[r.collaborationID]
            else { return nil }
            return Part(
                href: "/collaborations/\(c.slug)", title: c.title, position: request.t("position.\(seat.position)"),
                status: request.t("registration_status.\(r.status)"))
        }
        rows += roles.compactMap { role -> Part? in
            guard let c = collaborationByID[role.collaborationID] else { return nil }
            return Part(
                href: "/collaborations/\(c.slug)", title: c.title, position: request.t("member_role.\(role.role)"),
                status: request.t("collaboration_status.\(c.status)"))
        }
        var affiliation: String? = nil
        var affiliationHref: String? = nil
        if let key = person.municipality, let m = request.municipalities[key] {
            affiliation = m.name
            affiliationHref = "/municipalities/\(key.country.rawValue)/\(key.code)"
        } else if let id = person.organisationID, let o = try await Organisation.find(id, on: request.db) {
            affiliation = o.name
            affiliationHref = "/organisations/\(id.uuidString)"
        }
        let id = person.id!.uuidString
        let administers = request.actor.isAdministrator && person.erasedAt == nil
        return try await request.view.render(
            "people/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: person.name), name: person.name,
                position: request.t("position.\(person.position)"),
                title: person.title, email: contact ? person.email : nil, phone: contact ? person.phone : nil,
                affiliationHref: affiliationHref, affiliation: affiliation, seats: rows.sorted { $0.title < $1.title },
                editHref: Self.mayOpenEdit(request.actor, person) ? "/people/\(person.id!.uuidString)/edit" : nil,
                isExample: person.isExample,
                dataHref: administers ? "/people/\(id)/data.zip" : nil,
                eraseHref: administers
                    ? "/confirm?what=erase_person&action=/people/\(id)/erase&back=/people/\(id)" : nil))
    }

    struct PersonRow: Encodable {
        var id: String
        var name: String
        var position: String
        var title: String?
        var email: String?
        var phone: String?
        var editHref: String?
        var href: String
        var isExample: Bool
    }

    /// The people of a municipality or organisation as the actor may see them; nil for visitors.
    static func rows(for affiliation: Affiliation, request: Request) async throws -> [PersonRow]? {
        guard PeoplePolicy.mayList(request.actor) else { return nil }
        var query = Person.current(on: request.db).sort(\.$name)
        if let m = affiliation.municipality {
            query = query.filter(\.$municipalityCountry == m.country.rawValue).filter(\.$municipalityCode == m.code)
        } else if let id = affiliation.organisationID {
            query = query.filter(\.$organisationID == id)
        }
        return try await query.all().map { p in
            let contact = PeoplePolicy.mayViewContact(request.actor, personID: p.id, of: p.affiliation)
            return PersonRow(
                id: p.id!.uuidString, name: p.name, position: request.t("position.\(p.position)"), title: p.title,
                email: contact ? p.email : nil, phone: contact ? p.phone : nil,
                editHref: Self.mayOpenEdit(request.actor, p) ? "/people/\(p.id!.uuidString)/edit" : nil,
                href: "/people/\(p.id!.uuidString)", isExample: p.isExample)
        }
    }
    struct FormContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var positions: [Option]
        var organisations: [Option]
        var deleteAction: String?
        var backHref: String
        /// The person edits their own record: where they belong is shown, not offered.
        var ownOnly: Bool
        var fixed: [Fixed]
    }
    struct Fixed: Encodable { var label: String; var value: String }

    func formContext(
        _ request: Request, form: FormState, action: String, deleteAction: String?,
        ownOnly: Bool = false
    ) async throws -> FormContext {
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
        let selectedPosition = form.values["position"] ?? ""
        let selectedOrganisation = form.values["organisationID"] ?? ""
        let municipality = form.values["municipality"] ?? ""
        return FormContext(
            page: PageContext(
                request, titleKey: deleteAction == nil && !ownOnly ? "people.new_title" : "people.edit_title"),
            form: form, action: action,
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: $0.rawValue == selectedPosition)
            },
            organisations: [
                Option(value: "", label: request.t("people.no_organisation"), selected: selectedOrganisation.isEmpty)
            ]
                + organisations.map {
                    Option(
                        value: $0.id!.uuidString, label: $0.name, selected: $0.id!.uuidString == selectedOrganisation)
                },
            deleteAction: deleteAction,
            backHref: ownOnly
                ? "/profile"
                : municipality.isEmpty
                    ? (selectedOrganisation.isEmpty ? "/organisations" : "/organisations/\(selectedOrganisation)")
                    : "/municipalities/\(municipality)",
            ownOnly: ownOnly, fixed: ownOnly ? fixed(form, organisations, request) : [])
    }

    /// What the person sees but cannot change on their own record.
    func fixed(_ form: FormState, _ organisations: [Organisation], _ request: Request) -> [Fixed] {
        var rows = [
            Fixed(label: request.t("people.position"), value: request.t("position.\(form.values["position"] ?? "")")),
            Fixed(label: request.t("people.email"), value: form.values["email"] ?? ""),
        ]
        if case .found(let m) = request.municipalities.resolve(form.values["municipality"] ?? "") {
            rows.append(Fixed(label: request.t("people.municipality"), value: m.name))
        }
        if let o = organisations.first(where: { $0.id?.uuidString == form.values["organisationID"] }) {
            rows.append(Fixed(label: request.t("people.organisation"), value: o.name))
        }
        return rows
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        let municipality = request.query[String.self, at: "municipality"] ?? ""
        let organisation = request.query[String.self, at: "organisation"] ?? ""
        let affiliation = Affiliation(
            municipality: MunicipalityKey(path: municipality), organisationID: UUID(uuidString: organisation))
        try request.require(PeoplePolicy.mayCreate(request.actor, in: affiliation))
        let form = FormState(values: [
            "municipality": request.municipalities.label(of: MunicipalityKey(path: municipality)),
            "organisationID": organisation,
        ])
        return try await request.view.render(
            "people/form", formContext(request, form: form, action: "/people", deleteAction: nil))
    }

    static func formInput(_ request: Request) throws -> Input {
        struct Form: Decodable {
            var name: String?; var email: String?; var phone: String?; var position: String?; var title: String?;
            var municipality: String?; var organisationID: String?
        }
        let form = try request.content.decode(Form.self)
        let organisationID: UUID?
        if let text = form.organisationID, !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw SamradError.invalid([FieldError(field: "organisationID", "validation.organisation")])
            }
            organisationID = id
        } else {
            organisationID = nil
        }
        return Input(
            name: form.name, email: form.email, phone: form.phone, position: form.position, title: form.title,
            municipality: form.municipality, organisationID: organisationID)
    }

    func createFromForm(_ request: Request) async throws -> Response {
        try request.require(PeoplePolicy.mayCreateAny(request.actor))
        let input = try Self.formInput(request)
        do {
            let person = try await create(input, request: request)
            return request.redirect(to: Self.home(of: person), notice: "people.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            let context = try await formContext(
                request, form: FormState(values: input.values, error: error, request: request), action: "/people",
                deleteAction: nil)
            return try await request.renderForm("people/form", context)
        }
    }

    /// Whether the edit form opens at all: for those who maintain the person, or the person.
    static func mayOpenEdit(_ actor: Actor, _ person: Person) -> Bool {
        PeoplePolicy.mayEdit(actor, of: person.affiliation)
            || PeoplePolicy.mayEditOwnDetails(actor, personID: person.id)
    }

    func editForm(_ request: Request) async throws -> View {
        let person = try await Self.find(request)
        try request.require(Self.mayOpenEdit(request.actor, person))
        let form = FormState(values: [
            "name": person.name, "email": person.email ?? "", "phone": person.phone ?? "", "position": person.position,
            "title": person.title ?? "", "municipality": request.municipalities.label(of: person.municipality),
            "organisationID": person.organisationID?.uuidString ?? "",
        ])
        let id = person.id!.uuidString
        let ownOnly = !PeoplePolicy.mayEdit(request.actor, of: person.affiliation)
        return try await request.view.render(
            "people/form",
            formContext(
                request, form: form, action: "/people/\(id)", deleteAction: ownOnly ? nil : "/people/\(id)/delete",
                ownOnly: ownOnly))
    }

    func updateFromForm(_ request: Request) async throws -> Response {
        let person = try await Self.find(request)
        let input = try Self.formInput(request)
        do {
            try await update(person, with: input, request: request)
            return request.redirect(to: Self.home(of: person), notice: "people.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            let id = person.id!.uuidString
            let ownOnly = !PeoplePolicy.mayEdit(request.actor, of: person.affiliation)
            var values = input.values
            if ownOnly {
                values.merge([
                    "email": person.email ?? "", "position": person.position,
                    "municipality": request.municipalities.label(of: person.municipality),
                    "organisationID": person.organisationID?.uuidString ?? "",
                ]) { _, kept in kept }
            }
            let context = try await formContext(
                request, form: FormState(values: values, error: error, request: request),
                action: "/people/\(id)", deleteAction: ownOnly ? nil : "/people/\(id)/delete",
                ownOnly: ownOnly)
            return try await request.renderForm("people/form", context)
        }
    }

    func deleteFromForm(_ request: Request) async throws -> Response {
        let person = try await Self.find(request)
        try await delete(person, request: request)
        return request.redirect(to: Self.home(of: person), notice: "people.deleted")
    }

    static func home(of person: Person) -> String {
        if let m = person.municipality { return "/municipalities/\(m.country.rawValue)/\(m.code)" }
        if let id = person.organisationID { return "/organisations/\(id.uuidString)" }
        return "/"
    }
}
