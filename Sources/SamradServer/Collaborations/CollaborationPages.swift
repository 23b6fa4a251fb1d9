import Fluent
import Foundation
import SamradCore
import Vapor

/// The pages of collaborations: list, detail, the organiser's form, invitations and status board
/// (with CSV exports), and a municipality's registration.
struct CollaborationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("collaborations", use: list)
        routes.get("collaborations", "new", use: newForm)
        routes.post("collaborations", use: create)
        routes.get("collaborations", ":slug", use: detail)
        routes.get("collaborations", ":slug", "edit", use: editForm)
        routes.post("collaborations", ":slug", use: update)
        routes.post("collaborations", ":slug", "status", use: changeStatus)
        routes.get("collaborations", ":slug", "invitations", use: inviteForm)
        routes.post("collaborations", ":slug", "invitations", use: invite)
        routes.get("collaborations", ":slug", "board", use: board)
        routes.get("collaborations", ":slug", "registrations.csv", use: registrationsCSV)
        routes.get("collaborations", ":slug", "participants.csv", use: participantsCSV)
        routes.get("collaborations", ":slug", "invoices.csv", use: invoicesCSV)
        routes.get("registration-links", ":key", use: openLink)
        let registration = routes.grouped("collaborations", ":slug", "registrations", ":country", ":code")
        registration.get(use: registrationForm)
        registration.post(use: register)
        registration.post("decline", use: decline)
        registration.post("withdraw", use: withdraw)
        registration.post("people", use: addPerson)
    }

    static func when(_ date: Date?, _ request: Request) -> String? { request.dateTimeText(date) }

    static func money(_ minor: Int?, _ currency: String, _ request: Request) -> String? {
        minor.map { NumberText.decimal(Double($0) / 100, request.language, fractionDigits: 2) + " " + currency }
    }

    static func priceText(_ c: Collaboration, _ request: Request) -> String {
        switch c.price {
        case .free: return request.t("price.free")
        case .perMunicipality(let m):
            return request.t("price.per_municipality", [money(m.minorUnits, m.currency.rawValue, request)!])
        case .perMeeting(let m, let meetings):
            return request.t(
                "price.per_meeting",
                [
                    money(m.minorUnits, m.currency.rawValue, request)!, String(meetings),
                    money(m.minorUnits * meetings, m.currency.rawValue, request)!,
                ])
        case .perParticipant(let m):
            return request.t("price.per_participant", [money(m.minorUnits, m.currency.rawValue, request)!])
        }
    }

    // MARK: List and detail

    struct Row: Encodable {
        var href: String; var title: String; var kind: String; var status: String; var deadline: String?;
        var isExample: Bool
    }
    struct ListContext: Encodable { var page: PageContext; var rows: [Row]; var canCreate: Bool }

    func list(_ request: Request) async throws -> View {
        let all = try await Collaboration.query(on: request.db).sort(\.$createdAt, .descending).all()
        let rows = all.filter {
            CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID)
        }.map {
            Row(
                href: "/collaborations/\($0.slug)", title: $0.title, kind: request.t("collaboration_kind.\($0.kind)"),
                status: request.t("collaboration_status.\($0.status)"), deadline: Self.when($0.deadline, request),
                isExample: $0.isExample)
        }
        return try await request.view.render(
            "collaborations/list",
            ListContext(
                page: PageContext(request, titleKey: "collaborations.title"), rows: rows,
                canCreate: request.actor.isAdministrator || request.actor.isOrganiser))
    }

    struct Fact: Encodable { var label: String; var value: String }
    struct StatusButton: Encodable { var value: String; var label: String }
    struct DetailContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var isExample: Bool
        var kind: String
        var status: String
        var descriptionHTML: String
        var facts: [Fact]
        var seats: [String]
        var funding: [String]
        var canManage: Bool
        /// The visitor's municipality is in one of the clusters.
        var ownCluster: Bool
        var statusButtons: [StatusButton]
        var registerLinks: [Link]
        var placesLeft: String?
        var programme: Link?
        var members: CollaborationMembers.Summary
    }

    func detail(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let organiser = try await Organisation.find(c.organiserID, on: request.db)
        var facts = [
            Fact(label: request.t("collaborations.organiser"), value: organiser?.name ?? "—"),
            Fact(label: request.t("collaborations.price"), value: Self.priceText(c, request)),
        ]
        if let start = c.periodStart {
            // Days as the page's language writes them, as every other date on the page.
            let day = { (iso: String) in DateText.day(iso, request.language) ?? iso }
            facts.append(
                Fact(label: request.t("collaborations.period"), value: "\(day(start)) – \(c.periodEnd.map(day) ?? "")"))
        }
        if let opens = Self.when(c.opensAt, request) {
            facts.append(Fact(label: request.t("collaborations.opens_at"), value: opens))
        }
        if let deadline = Self.when(c.deadline, request) {
            facts.append(Fact(label: request.t("collaborations.deadline"), value: deadline))
        }
        if let capacity = c.capacity {
            facts.append(
                Fact(
                    label: request.t("collaborations.capacity"),
                    value: request.t("collaborations.capacity_value", [String(capacity)])))
        }
        if !c.themes.isEmpty {
            facts.append(Fact(label: request.t("collaborations.themes"), value: c.themes.joined(separator: ", ")))
        }
        if !c.targetGroups.isEmpty {
            facts.append(
                Fact(
                    label: request.t("collaborations.target_groups"),
                    value: c.targetGroups.map { request.t("position.\($0)") }.joined(separator: ", ")))
        }
        var placesLeft: String? = nil
        if let capacity = c.capacity {
            let registered = try await RegistrationDesk.registeredCount(c.requireID(), on: request.db)
            placesLeft = request.t(
                "collaborations.places_left", [String(max(0, capacity - registered)), String(capacity)])
        }
        let canManage = CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID)
        var programme: Link? = nil
        if let id = c.programmeID, let p = try await Programme.find(id, on: request.db) {
            programme = Link(href: "/programmes/\(p.slug)", label: p.title)
        }
        let members = try await CollaborationMembers.summary(c, request: request)
        let answerable =
            request.actor.grants.compactMap(\.municipality)
            + request.actor.passes.filter { $0.collaborationID == c.id }.map(\.municipality)
        let registerLinks = Array(Set(answerable)).sorted().compactMap { request.municipalities[$0] }.map {
            Link(
                href: "/collaborations/\(c.slug)/registrations/\($0.country.rawValue)/\($0.code)",
                label: request.t("collaborations.register_for", [$0.name]))
        }
        var ownCluster = false
        if !canManage, c.statusValue != .draft {
            let keys = answerable + request.actor.municipalities
            if !keys.isEmpty {
                ownCluster =
                    try await ClusterMember.query(on: request.db).filter(\.$collaborationID == c.requireID())
                    .filter(municipalities: Set(keys))
                    .count() > 0
            }
        }
        return try await request.view.render(
            "collaborations/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: c.title), title: c.title, slug: c.slug,
                isExample: c.isExample,
                kind: request.t("collaboration_kind.\(c.kind)"), status: request.t("collaboration_status.\(c.status)"),
                descriptionHTML: SafeMarkdown.html(c.description), facts: facts,
                seats: c.seats.map {
                    request.t(
                        $0.required ? "collaborations.seat_required" : "collaborations.seat_optional",
                        [String($0.count), request.t("position.\($0.position.rawValue)")])
                },
                funding: c.funding.map {
                    "\($0.funder): \(Self.money($0.amount.minorUnits, $0.amount.currency.rawValue, request)!)"
                        + ($0.purpose.isEmpty ? "" : " – \($0.purpose)")
                },
                canManage: canManage, ownCluster: ownCluster,
                statusButtons: canManage
                    ? c.statusValue.next.map {
                        StatusButton(value: $0.rawValue, label: request.t("collaboration_action.\($0.rawValue)"))
                    } : [],
                registerLinks: c.statusValue == .draft ? [] : registerLinks, placesLeft: placesLeft,
                programme: programme, members: members))
    }

    // MARK: The organiser's form

    struct FormContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var kinds: [Option]
        var organisers: [Option]
        var programmes: [Option]
        var positions: [SeatOption]
        var priceKinds: [Option]
        var currencies: [Option]
        var zones: [Option]
    }
    struct SeatOption: Encodable {
        var value: String; var label: String; var count: String; var required: Bool; var target: Bool
    }

    func formContext(_ request: Request, form: FormState, action: String, titleKey: String) async throws -> FormContext
    {
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
            .filter { CollaborationPolicy.mayCreate(request.actor, organiserID: $0.id!) }
        let programmes = try await Programme.query(on: request.db).sort(\.$title).all()
        let v = form.values
        return FormContext(
            page: PageContext(request, titleKey: titleKey), form: form, action: action,
            kinds: CollaborationKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("collaboration_kind.\($0.rawValue)"),
                    selected: v["kind"] == $0.rawValue)
            },
            organisers: organisations.map {
                Option(value: $0.id!.uuidString, label: $0.name, selected: v["organiserID"] == $0.id!.uuidString)
            },
            programmes: [
                Option(
                    value: "", label: request.t("collaborations.no_programme"),
                    selected: (v["programmeID"] ?? "").isEmpty)
            ]
                + programmes.map {
                    Option(value: $0.id!.uuidString, label: $0.title, selected: v["programmeID"] == $0.id!.uuidString)
                },
            positions: Position.allCases.map { p in
                SeatOption(
                    value: p.rawValue, label: request.t("position.\(p.rawValue)"), count: v["seat_\(p.rawValue)"] ?? "",
                    required: v["required_\(p.rawValue)"] == "on", target: v["target_\(p.rawValue)"] == "on")
            },
            priceKinds: ["free", "per_municipality", "per_meeting", "per_participant"].map {
                Option(value: $0, label: request.t("price_kind.\($0)"), selected: (v["priceKind"] ?? "free") == $0)
            },
            currencies: Currency.allCases.map {
                Option(value: $0.rawValue, label: $0.rawValue, selected: (v["currency"] ?? "DKK") == $0.rawValue)
            },
            zones: TimeZoneChoice.options(selected: v["timeZone"] ?? "Europe/Copenhagen", request))
    }

    /// The form's fields as they were typed, and as the input the API takes.
    static func formInput(_ request: Request) throws -> (values: [String: String], input: CollaborationInput) {
        let values = try request.content.decode([String: String].self)
        var seats: [SeatRequirement] = []
        var targets: [String] = []
        var v = Validation()
        for p in Position.allCases {
            if let text = values["seat_\(p.rawValue)"], !text.isEmpty {
                if let count = Int(text), count > 0 {
                    seats.append(
                        SeatRequirement(position: p, count: count, required: values["required_\(p.rawValue)"] == "on"))
                } else {
                    v.add("seat_\(p.rawValue)", "collaboration.seat_count")
                }
            }
            if values["target_\(p.rawValue)"] == "on" { targets.append(p.rawValue) }
        }
        var capacity: Int? = nil
        if let text = values["capacity"], !text.isEmpty {
            if let number = Int(text) { capacity = number } else { v.add("capacity", "validation.whole_number") }
        }
        var meetings: Int? = nil
        if let text = values["priceMeetings"], !text.isEmpty {
            if let number = Int(text) { meetings = number } else { v.add("priceMeetings", "validation.whole_number") }
        }
        var reminders: [Int]? = nil
        if let text = values["reminderDays"], !text.isEmpty {
            if let schedule = ReminderSchedule.parse(text) {
                reminders = schedule.daysBeforeDeadline
            } else {
                v.add("reminderDays", "collaboration.reminder_days")
            }
        }
        try v.check()
        let input = CollaborationInput(
            title: values["title"], description: values["description"], kind: values["kind"],
            organiserID: values["organiserID"].flatMap(UUID.init(uuidString:)),
            programmeID: values["programmeID"].flatMap(UUID.init(uuidString:)),
            themes: (values["themes"] ?? "").split(separator: ",").map(String.init), targetGroups: targets,
            periodStart: values["periodStart"], periodEnd: values["periodEnd"], timeZone: values["timeZone"],
            opensAt: values["opensAt"], deadline: values["deadline"], capacity: capacity, seats: seats,
            priceKind: values["priceKind"], priceAmount: values["priceAmount"], currency: values["currency"],
            priceMeetings: meetings,
            vatNote: values["vatNote"],
            funding: [
                CollaborationInput.FundingInput(
                    funder: values["funder"], amount: values["fundingAmount"], currency: values["currency"],
                    purpose: values["fundingPurpose"])
            ],
            reminderDays: reminders, reminderText: values["reminderText"])
        return (values, input)
    }

    static func values(of c: Collaboration) -> [String: String] {
        var v: [String: String] = [
            "title": c.title, "description": c.description, "kind": c.kind, "organiserID": c.organiserID.uuidString,
            "programmeID": c.programmeID?.uuidString ?? "", "themes": c.themes.joined(separator: ", "),
            "periodStart": c.periodStart ?? "", "periodEnd": c.periodEnd ?? "", "timeZone": c.timeZone,
            "opensAt": c.opensAt.map { DateText.local($0, zone: c.timeZone) } ?? "",
            "deadline": c.deadline.map { DateText.local($0, zone: c.timeZone) } ?? "",
            "capacity": c.capacity.map(String.init) ?? "", "priceKind": c.priceKind,
            "priceAmount": c.priceMinor.map { String(format: "%.2f", Double($0) / 100) } ?? "", "currency": c.currency,
            "priceMeetings": c.priceMeetings.map(String.init) ?? "", "vatNote": c.vatNote ?? "",
            "reminderDays": c.reminderDays.map(String.init).joined(separator: ", "),
            "reminderText": c.reminderText ?? "",
            "funder": c.funding.first?.funder ?? "",
            "fundingAmount": c.funding.first.map { String(format: "%.2f", Double($0.amount.minorUnits) / 100) } ?? "",
            "fundingPurpose": c.funding.first?.purpose ?? "",
        ]
        for seat in c.seats {
            v["seat_\(seat.position.rawValue)"] = String(seat.count)
            if seat.required { v["required_\(seat.position.rawValue)"] = "on" }
        }
        for group in c.targetGroups { v["target_\(group)"] = "on" }
        return v
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(request.actor.isAdministrator || request.actor.isOrganiser)
        var values = [
            "kind": "political_forum", "timeZone": "Europe/Copenhagen", "reminderDays": "14, 3", "currency": "DKK",
        ]
        // "New track in this programme" comes with the programme and its organiser chosen.
        if let id = request.query[UUID.self, at: "programme"],
            let programme = try await Programme.find(id, on: request.db)
        {
            values["programmeID"] = id.uuidString
            values["organiserID"] = programme.organiserID.uuidString
            values["kind"] = "professional_collaboration"
        }
        let form = FormState(values: values)
        return try await request.view.render(
            "collaborations/form",
            formContext(request, form: form, action: "/collaborations", titleKey: "collaborations.new_title"))
    }

    func create(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let (values, input): ([String: String], CollaborationInput)
        do { (values, input) = try Self.formInput(request) } catch let error as SamradError {
            let typed = (try? request.content.decode([String: String].self)) ?? [:]
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: typed, error: error, request: request), action: "/collaborations",
                    titleKey: "collaborations.new_title"))
        }
        do {
            let c = try await CollaborationAPI.create(input, request: request)
            return request.redirect(to: "/collaborations/\(c.slug)", notice: "collaborations.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: "/collaborations",
                    titleKey: "collaborations.new_title"))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return try await request.view.render(
            "collaborations/form",
            formContext(
                request, form: FormState(values: Self.values(of: c)), action: "/collaborations/\(c.slug)",
                titleKey: "collaborations.edit_title"))
    }

    func update(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let action = "/collaborations/\(c.slug)"
        do {
            let (values, input) = try Self.formInput(request)
            do {
                try await CollaborationAPI.update(c, with: input, request: request)
            } catch let error as SamradError where error.kind == .invalidInput {
                return try await request.renderForm(
                    "collaborations/form",
                    formContext(
                        request, form: FormState(values: values, error: error, request: request), action: action,
                        titleKey: "collaborations.edit_title"))
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            let typed = (try? request.content.decode([String: String].self)) ?? [:]
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: typed, error: error, request: request), action: action,
                    titleKey: "collaborations.edit_title"))
        }
        return request.redirect(to: action, notice: "collaborations.saved")
    }

    struct StatusForm: Content { var status: String? }

    func changeStatus(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try await CollaborationAPI.changeStatus(
            c, to: try request.content.decode(StatusForm.self).status, request: request)
        return request.redirect(to: "/collaborations/\(c.slug)", notice: "collaborations.status_changed")
    }

    // MARK: Invitations

    struct InviteContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var title: String
        var backHref: String
        var countries: [Option]
        var regions: [Option]
        var groups: [Option]
        var positions: [Option]
        var result: InviteResult?
    }

    /// What a sending did, said plainly: a success only when every municipality was reached.
    struct InviteResult: Encodable {
        var complete: Bool
        var lines: [String]
        var notReached: String?
        var names: [String]
        var links: [Link]
    }

    static func inviteResult(_ sent: Invitations.Sent, boardHref: String, request: Request) -> InviteResult {
        var lines = [
            request.t("invitations.reached", count: sent.municipalities, [String(sent.reached)]),
            request.t("invitations.emails", count: sent.recipients),
        ]
        if sent.throughMailbox > 0 {
            lines.append(request.t("invitations.through_mailbox", count: sent.throughMailbox))
        }
        guard sent.notReached > 0 else {
            return InviteResult(complete: true, lines: lines, notReached: nil, names: [], links: [])
        }
        var links = [
            Link(href: boardHref + "?reach=nobody", label: request.t("invitations.see_not_reached")),
            Link(href: "/people/import", label: request.t("invitations.import_people")),
        ]
        if AccountPolicy.mayKeepMailboxes(request.actor) {
            links.append(Link(href: "/admin/mailboxes", label: request.t("invitations.fill_mailboxes")))
        }
        return InviteResult(
            complete: false, lines: lines, notReached: request.t("invitations.not_reached", count: sent.notReached),
            names: sent.withoutRecipient, links: links)
    }

    func inviteContext(
        _ request: Request, _ c: Collaboration, form: FormState, result: InviteResult? = nil
    ) -> InviteContext {
        Self.inviteContext(request, title: c.title, base: "/collaborations/\(c.slug)", form: form, result: result)
    }

    /// The invitation page of a collaboration or of a whole programme (`base` is its address).
    static func inviteContext(
        _ request: Request, title: String, base: String, form: FormState,
        result: InviteResult? = nil
    ) -> InviteContext {
        let directory = request.municipalities
        let v = form.values
        let regions = Country.allCases.flatMap { country in
            directory.regions(of: country).map {
                Option(
                    value: "\(country.rawValue):\($0.code)",
                    label: "\(request.t("country.\(country.rawValue)")) – \($0.name)",
                    selected: v["region"] == "\(country.rawValue):\($0.code)")
            }
        }
        let groups = Country.allCases.flatMap { country in
            directory.groups(of: country).map {
                Option(
                    value: "\(country.rawValue):\($0.code)",
                    label: "\(request.t("country.\(country.rawValue)")) – \($0.name)",
                    selected: v["group"] == "\(country.rawValue):\($0.code)")
            }
        }
        let chosen = Set((v["positions"] ?? "").split(separator: ",").map(String.init))
        return InviteContext(
            page: PageContext(request, titleKey: "invitations.title"), form: form, action: base + "/invitations",
            title: title,
            backHref: base,
            countries: Country.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                    selected: (v["country"] ?? "dk") == $0.rawValue)
            },
            regions: regions, groups: groups,
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: chosen.contains($0.rawValue))
            },
            result: result)
    }

    func inviteForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return try await request.view.render(
            "collaborations/invite",
            inviteContext(request, c, form: FormState(values: ["scope": "country", "country": "dk"])))
    }

    func invite(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let (input, values) = try Self.invitationForm(request)
        do {
            let sent = try await CollaborationAPI.invite(c, input, request: request)
            let result = Self.inviteResult(sent, boardHref: "/collaborations/\(c.slug)/board", request: request)
            return try await request.view.render(
                "collaborations/invite", inviteContext(request, c, form: FormState(values: values), result: result)
            ).encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .conflict {
            return try await request.renderForm(
                "collaborations/invite",
                inviteContext(request, c, form: FormState(values: values, error: error, request: request)),
                refusing: error)
        }
    }

    /// The invitation form as the API's input, and its values to show again.
    static func invitationForm(_ request: Request) throws -> (CollaborationAPI.InvitationInput, [String: String]) {
        struct Form: Decodable {
            var scope: String?; var country: String?; var region: String?; var group: String?; var list: String?;
            var positions: [String]?
        }
        let form = try request.content.decode(Form.self)
        var country = form.country, code: String? = nil
        let picked = form.scope == "region" ? form.region : form.scope == "group" ? form.group : nil
        if let picked, let colon = picked.firstIndex(of: ":") {
            country = String(picked[..<colon])
            code = String(picked[picked.index(after: colon)...])
        }
        let values = [
            "scope": form.scope ?? "", "country": form.country ?? "", "region": form.region ?? "",
            "group": form.group ?? "",
            "list": form.list ?? "", "positions": (form.positions ?? []).joined(separator: ","),
        ]
        return (
            .init(scope: form.scope, country: country, code: code, list: form.list, positions: form.positions), values
        )
    }

    // MARK: Status board and exports

    struct BoardRow: Encodable {
        var name: String; var href: String; var region: String; var status: String; var statusCode: String
        var invited: String?; var answered: String?; var seats: [String]
        var reached: [String]; var nobody: Bool; var addPeopleHref: String
    }
    struct BoardContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var summary: String
        var counts: [Fact]
        var regions: [Option]
        var statuses: [Option]
        var reaches: [Option]
        var notReached: String?
        var rows: [BoardRow]
        var exports: [Link]
    }

    func board(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let board = try await StatusBoard.load(c, request: request)
        let region = request.query[String.self, at: "region"].flatMap { $0.isEmpty ? nil : $0 }
        let status = request.query[String.self, at: "status"].flatMap(RegistrationStatus.init(rawValue:))
        let reach = request.query[String.self, at: "reach"].flatMap(InvitationReach.State.init(rawValue:))
        let regionsShown = Dictionary(
            board.rows.map { ($0.municipality.regionCode, $0.municipality.regionName) }, uniquingKeysWith: { a, _ in a }
        )
        let rows = board.filtered(region: region, status: status, reach: reach).map { row in
            BoardRow(
                name: row.municipality.name,
                href: "/collaborations/\(c.slug)/registrations/"
                    + "\(row.municipality.country.rawValue)/\(row.municipality.code)",
                region: row.municipality.regionName,
                status: request.t("registration_status.\(row.status.rawValue)")
                    + (row.waitlistPlace.map { " (\($0))" } ?? ""),
                statusCode: row.status.rawValue, invited: Self.when(row.invitedAt, request),
                answered: row.status == .notAnswered ? nil : Self.when(row.answeredAt, request),
                seats: row.seats.map { "\(request.t("position.\($0.position)")): \($0.name)" },
                reached: row.reached.map { "\($0.name) (\(request.t("board.reached_by.\($0.channel.rawValue)")))" },
                nobody: row.reach == .nobody,
                addPeopleHref: "/people/new?municipality=\(row.municipality.key.description)")
        }
        return try await request.view.render(
            "collaborations/board",
            BoardContext(
                page: PageContext(request, titleKey: "board.title"), title: c.title,
                backHref: "/collaborations/\(c.slug)",
                summary: board.summaryText(request),
                counts: RegistrationStatus.allCases.map {
                    Fact(label: request.t("registration_status.\($0.rawValue)"), value: String(board.summary.count($0)))
                },
                regions: [Option(value: "", label: request.t("directory.all_regions"), selected: region == nil)]
                    + regionsShown.sorted { $0.value < $1.value }.map {
                        Option(value: $0.key, label: $0.value, selected: region == $0.key)
                    },
                statuses: [Option(value: "", label: request.t("board.all_statuses"), selected: status == nil)]
                    + RegistrationStatus.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("registration_status.\($0.rawValue)"),
                            selected: status == $0)
                    },
                reaches: [Option(value: "", label: request.t("board.reach_all"), selected: reach == nil)]
                    + InvitationReach.State.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("board.reach.\($0.rawValue)"), selected: reach == $0)
                    },
                notReached: board.notReached == 0 ? nil : request.t("board.not_reached", count: board.notReached),
                rows: rows,
                exports: [
                    Link(
                        href: "/collaborations/\(c.slug)/registrations.csv", label: request.t("board.csv_registrations")
                    ),
                    Link(
                        href: "/collaborations/\(c.slug)/participants.csv", label: request.t("board.csv_participants")),
                ]
                    + (c.price == .free
                        ? []
                        : [
                            Link(
                                href: "/collaborations/\(c.slug)/invoices.csv",
                                label: request.t("board.csv_invoices"))
                        ])
            ))
    }

    func managedBoard(_ request: Request) async throws -> StatusBoard {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return try await StatusBoard.load(c, request: request)
    }

    func registrationsCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "region", "status", "waitlist_place", "invited_at", "reach",
            "reached", "answered_at", "seats",
        ])
        let iso = ISO8601DateFormatter()
        for row in board.rows {
            let reached = row.reached.map { "\($0.name) (\($0.channel.rawValue))" }.joined(separator: "; ")
            writer.append([
                row.municipality.country.rawValue, row.municipality.code, row.municipality.name,
                row.municipality.regionName,
                row.status.rawValue, row.waitlistPlace.map(String.init) ?? "", row.invitedAt.map(iso.string) ?? "",
                row.reach?.rawValue ?? "", reached,
                row.status == .notAnswered ? "" : row.answeredAt.map(iso.string) ?? "", String(row.seats.count),
            ])
        }
        return writer.response(filename: "\(board.collaboration.slug)-registrations.csv")
    }

    func participantsCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "status", "position", "name", "email", "phone",
        ])
        for row in board.rows where row.status.isActive {
            for seat in row.seats {
                writer.append([
                    row.municipality.country.rawValue, row.municipality.code, row.municipality.name,
                    row.status.rawValue,
                    seat.position, seat.name, seat.email ?? "", seat.phone ?? "",
                ])
            }
        }
        return writer.response(filename: "\(board.collaboration.slug)-participants.csv")
    }

    /// One line per registered municipality of a paid collaboration. The directory holds no EAN/GLN
    /// or organisation numbers yet, so that column is left for the finance department.
    func invoicesCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        let c = board.collaboration
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "ean_gln_or_org_number", "description", "amount", "currency", "vat_note",
        ])
        for row in board.rows where row.status == .registered {
            guard let minor = row.acceptedPriceMinor else { continue }
            writer.append([
                row.municipality.country.rawValue, row.municipality.code, row.municipality.name, "", c.title,
                String(format: "%.2f", Double(minor) / 100), c.currency, c.vatNote ?? "",
            ])
        }
        return writer.response(filename: "\(c.slug)-invoices.csv")
    }

    // MARK: A municipality's registration

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
    }

    func registrationContext(
        _ request: Request, _ c: Collaboration, _ m: Municipality, form: FormState? = nil, personForm: FormState? = nil
    ) async throws -> RegistrationContext {
        let json = try await CollaborationAPI.registrationJSON(c, m, request: request)
        let people = try await Person.query(on: request.db).filter(\.$municipalityCountry == m.country.rawValue)
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
            viaLink: !request.actor.isSignedIn && request.actor.holdsPass(c.id, m.key))
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
                    outcome.registration.statusValue == .waitlisted ? .waitlisted : .registered,
                    c, m.key, request: request)
            }
        } catch let error as SamradError where [.invalidInput, .conflict].contains(error.kind) {
            let context = try await registrationContext(
                request, c, m, form: FormState(values: values, error: error, request: request))
            return try await request.renderForm("collaborations/registration", context, refusing: error)
        }
        return request.redirect(
            to: "/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)", notice: "registration.saved")
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
