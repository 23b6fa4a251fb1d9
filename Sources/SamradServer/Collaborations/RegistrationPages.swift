import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationPages: A municipality's registration.
extension CollaborationPages {
    struct SeatField: Encodable {
        var name: String; var id: String; var label: String; var required: Bool; var options: [Option];
        var error: String?
        /// The person chosen so far, carried by the add-person form.
        var value: String
    }
    struct RegistrationContext: Encodable {
        var page: PageContext
        var form: FormState
        var title: String
        var collaborationHref: String
        var municipality: String
        var status: String
        var statusCode: String
        var deadline: String?
        var price: String
        var needsPrice: Bool
        var seats: [SeatField]
        var action: String
        var declineAction: String
        var withdrawAction: String
        var isActive: Bool
        var acceptsRegistrations: Bool
        var personForm: FormState
        var personAction: String
        var personPositions: [Option]
        var viaLink: Bool
        /// The organiser chooses among the applications and has not yet chosen.
        var applies: Bool
        var submitLabel: String
    }

    func registrationContext(
        _ request: Request, _ c: Collaboration, _ m: Municipality, form: FormState? = nil, personForm: FormState? = nil
    ) async throws -> RegistrationContext {
        let json = try await CollaborationAPI.registrationJSON(c, m, request: request)
        let people = try await Person.current(on: request.db).filter(\.$municipalityCountry == m.country.rawValue)
            .filter(\.$municipalityCode == m.code).sort(\.$name).all()
        var values = form?.values ?? [:]
        if form == nil {
            var used: [String: Int] = [:]
            for seat in json.seats {
                let index = used[seat.position, default: 0]
                values["seat_\(seat.position)_\(index)"] = seat.personID.uuidString
                used[seat.position] = index + 1
            }
        }
        var fields: [SeatField] = []
        for requirement in c.seats {
            for index in 0..<requirement.count {
                let name = "seat_\(requirement.position.rawValue)_\(index)"
                let label =
                    request.t("position.\(requirement.position.rawValue)")
                    + (requirement.count > 1 ? " \(index + 1)" : "")
                // People with the position come first; anyone of the municipality may take a seat.
                let sorted = people.sorted {
                    ($0.position == requirement.position.rawValue ? 0 : 1, $0.name) < (
                        $1.position == requirement.position.rawValue ? 0 : 1, $1.name
                    )
                }
                fields.append(
                    SeatField(
                        name: name, id: name, label: label, required: requirement.required,
                        options: [
                            Option(
                                value: "",
                                label: request.t(requirement.required ? "registration.choose" : "registration.nobody"),
                                selected: (values[name] ?? "").isEmpty)
                        ]
                            + sorted.map {
                                Option(
                                    value: $0.id!.uuidString,
                                    label: "\($0.name) – \(request.t("position.\($0.position)"))",
                                    selected: values[name] == $0.id!.uuidString)
                            },
                        error: form?.errors["seats.\(requirement.position.rawValue)"], value: values[name] ?? ""))
            }
        }
        let status = RegistrationStatus(rawValue: json.status) ?? .notAnswered
        var formState = form ?? FormState(values: values)
        formState.values = values
        let personForm = personForm ?? FormState(values: [:])
        let base = "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)"
        return RegistrationContext(
            page: PageContext(request, titleKey: "registration.title", [m.name]), form: formState, title: c.title,
            collaborationHref: "/collaborations/\(c.slug)", municipality: m.name,
            status: request.t("registration_status.\(status.rawValue)"), statusCode: status.rawValue,
            deadline: Self.when(c.deadline, request), price: Self.priceText(c, request), needsPrice: c.price != .free,
            seats: fields, action: base, declineAction: base + "/decline", withdrawAction: base + "/withdraw",
            isActive: status.isActive, acceptsRegistrations: c.terms.acceptsRegistrations(at: Date()),
            personForm: personForm, personAction: base + "/people",
            personPositions: [
                Option(
                    value: "", label: request.t("registration.choose_position"),
                    selected: (personForm.values["position"] ?? "").isEmpty)
            ]
                + Position.allCases.map {
                    Option(
                        value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                        selected: personForm.values["position"] == $0.rawValue)
                },
            viaLink: !request.actor.isSignedIn && request.actor.holdsPass(c.id, m.key),
            applies: c.admissionMode == .selection && c.placesChosenAt == nil,
            submitLabel: request.t(
                status.isActive
                    ? "registration.save_changes"
                    : c.admissionMode == .selection && c.placesChosenAt == nil
                        ? "registration.apply" : "registration.register"))
    }

    /// The personal link of an invitation e-mail (`/registration-links/{key}`): gives this browser
    /// session the pass to answer for the municipality, then goes to its registration page.
    func openLink(_ request: Request) async throws -> Response {
        guard let key = request.parameters.get("key"),
            let link = try await Invitations.validLink(key: key, on: request.db),
            let c = try await Collaboration.find(link.collaborationID, on: request.db)
        else {
            throw SamradError.notFound("registration.link_invalid")
        }
        RegistrationPasses.add(link.pass, until: link.expiresAt, to: request.session)
        CSRFToken.renew(for: request)
        return request.redirect(
            to: "/collaborations/\(c.slug)/registrations/\(link.municipalityCountry)/\(link.municipalityCode)")
    }

    /// The registration page. Opened with `?key=` (links mailed before the key moved into the
    /// path), it gives this browser session the pass to answer for the municipality, then drops the
    /// key from the address.
    func registrationForm(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        if let key = request.query[String.self, at: "key"] {
            guard let link = try await Invitations.validLink(key: key, c, m.key, on: request.db) else {
                throw SamradError.notFound("registration.link_invalid")
            }
            RegistrationPasses.add(link.pass, until: link.expiresAt, to: request.session)
            CSRFToken.renew(for: request)
            return request.redirect(to: request.url.path)
        }
        // Seats chosen before a person was added on the spot, kept for this page once.
        var draft: FormState? = nil
        if let text = request.session.data[Self.draftKey],
            let saved = try? JSONDecoder().decode(SeatDraft.self, from: Data(text.utf8)),
            saved.path == request.url.path
        {
            draft = FormState(values: saved.values)
        }
        request.session.data[Self.draftKey] = nil
        return try await request.view.render(
            "collaborations/registration", registrationContext(request, c, m, form: draft)
        )
        .encodeResponse(for: request)
    }

    static let draftKey = "registration_draft"
    struct SeatDraft: Codable { var path: String; var values: [String: String] }

    /// Adds a person of the municipality on the spot, to name for a seat. Whoever may register the
    /// municipality may do this (also through an invitation link); the change is audited.
    func addPerson(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        try request.require(
            CollaborationPolicy.mayRegister(
                request.actor, collaborationID: c.id, municipality: m.key, organiserID: c.organiserID))
        // The person belongs to the municipality of the page, whatever the form says.
        var input = try request.content.decode(PersonForm.Input.self)
        input.municipality = m.key.description
        input.organisationID = nil
        // The seats chosen so far come along (page.js copies them in), so adding someone loses none.
        var seats = ((try? request.content.decode([String: String].self)) ?? [:]).filter { $0.key.hasPrefix("seat_") }
        let person = Person()
        person.isExample = false
        do {
            try await PersonForm.apply(input, to: person, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            let context = try await registrationContext(
                request, c, m, form: seats.isEmpty ? nil : FormState(values: seats),
                personForm: FormState(values: input.values, error: error, request: request))
            return try await request.renderForm("collaborations/registration", context)
        }
        try await PersonForm.insert(person, context: c.slug, request: request)
        // The new person takes the first empty seat of their position.
        if let id = person.id?.uuidString,
            let requirement = c.seats.first(where: { $0.position.rawValue == person.position }),
            let free = (0..<requirement.count).map({ "seat_\(requirement.position.rawValue)_\($0)" }).first(where: {
                (seats[$0] ?? "").isEmpty
            })
        {
            seats[free] = id
        }
        let path = "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)"
        if !seats.isEmpty, let data = try? JSONEncoder().encode(SeatDraft(path: path, values: seats)) {
            request.session.data[Self.draftKey] = String(decoding: data, as: UTF8.self)
        }
        return request.redirect(to: path + "#registration-form", notice: "registration.person_added")
    }

    func register(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        let values = try request.content.decode([String: String].self)
        var seats: [SeatAssignment] = []
        for requirement in c.seats {
            for index in 0..<requirement.count {
                if let id = values["seat_\(requirement.position.rawValue)_\(index)"].flatMap(UUID.init(uuidString:)) {
                    seats.append(SeatAssignment(position: requirement.position, personID: id))
                }
            }
        }
        var notice = "registration.saved"
        do {
            let existing = try await RegistrationDesk.existing(c.requireID(), m.key, on: request.db)
            if let existing, existing.statusValue.isActive {
                _ = try await RegistrationDesk.changeSeats(
                    c.requireID(), m.key, seats: seats, by: request.actor, audit: AuditActor(request), on: request.db)
            } else {
                let outcome = try await RegistrationDesk.register(
                    c.requireID(), m.key, seats: seats, acceptedPrice: values["acceptPrice"] == "on",
                    by: request.actor, audit: AuditActor(request),
                    on: request.db, batches: request.application.registrationBatches)
                try await RegistrationNotices.tell(
                    .init(placed: outcome.registration.statusValue), c, m.key, request: request)
                if outcome.registration.statusValue == .applied { notice = "registration.application_sent" }
            }
        } catch let error as SamradError where [.invalidInput, .conflict].contains(error.kind) {
            let context = try await registrationContext(
                request, c, m, form: FormState(values: values, error: error, request: request))
            return try await request.renderForm("collaborations/registration", context, refusing: error)
        }
        return request.redirect(
            to: "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)", notice: notice)
    }

    func decline(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        _ = try await RegistrationDesk.decline(
            c.requireID(), m.key, by: request.actor, audit: AuditActor(request), on: request.db)
        try await RegistrationNotices.tell(.declined, c, m.key, request: request)
        return request.redirect(
            to: "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)",
            notice: "registration.declined")
    }

    func withdraw(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let m = try MunicipalityAccess.load(request)
        try await CollaborationAPI.withdraw(c, m, request: request)
        return request.redirect(
            to: "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)",
            notice: "registration.withdrawn")
    }
}
