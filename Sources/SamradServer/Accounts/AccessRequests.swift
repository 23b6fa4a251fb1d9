import Fluent
import Foundation
import SamradCore
import Vapor

final class AccessRequest: Model, @unchecked Sendable {
    static let schema = "access_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    /// In the person's words: "teacher at Skæring Skole".
    @Field(key: "work") var work: String
    @Field(key: "status") var status: String
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decision_note") var decisionNote: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}

    init(userID: UUID, target: AccessTarget, work: String) {
        self.userID = userID
        switch target {
        case .municipality(let key):
            municipalityCountry = key.country.rawValue
            municipalityCode = key.code
        case .organisation(let id):
            organisationID = id
        }
        self.work = work
        self.status = AccessRequestStatus.pending.rawValue
    }

    var target: AccessTarget {
        if let organisationID { return .organisation(organisationID) }
        let country = Country(rawValue: municipalityCountry ?? "") ?? .dk
        return .municipality(MunicipalityKey(country, municipalityCode ?? ""))
    }
    var state: AccessRequestStatus { AccessRequestStatus(rawValue: status) ?? .pending }
}

/// Asking for access (`/access`) and deciding on requests (`/access/requests`). `AccessRequestPolicy`
/// decides who may do what; approval grants the role, audited, and every step is told by e-mail.
struct AccessRequestPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("access", use: askForm)
        routes.post("access", use: ask)
        routes.get("access", "requests", use: list)
        routes.post("access", "requests", ":request", "approve", use: approve)
        routes.post("access", "requests", ":request", "refuse", use: refuse)
    }

    struct RequestRow: Encodable {
        var id: String
        var person: String
        var email: String
        var place: String
        var work: String
        var asked: String
        var status: String
        var statusText: String
        var note: String?
        var approveAction: String
        var refuseAction: String
    }

    struct AskContext: Encodable {
        var page: PageContext
        var form: FormState
        var municipalities: [OptionGroup]
        var organisations: [Option]
        var mine: [RequestRow]
    }

    struct ListContext: Encodable {
        var page: PageContext
        var pending: [RequestRow]
        var decided: [RequestRow]
    }

    func askForm(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        return try await request.view.render("accounts/access", try await askContext(request, user: user))
            .encodeResponse(for: request)
    }

    private func askContext(_ request: Request, user: User, form: FormState? = nil) async throws -> AskContext {
        let chosen = form?.values["municipality"] ?? ""
        let held = request.actor.municipalities
        let groups = [Country.dk, .se, .no, .fi].compactMap { country -> OptionGroup? in
            let options = request.municipalities.all.filter { $0.country == country && !held.contains($0.key) }.map {
                Option(value: $0.key.description, label: $0.name, selected: $0.key.description == chosen)
            }
            guard !options.isEmpty else { return nil }
            return OptionGroup(label: request.t("country.\(country.rawValue)"), options: options)
        }
        let chosenOrganisation = form?.values["organisation"] ?? ""
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
            .filter { !request.actor.organises($0.id) }
            .map { o in
                let id = o.id?.uuidString.lowercased() ?? ""
                return Option(value: id, label: o.name, selected: id == chosenOrganisation.lowercased())
            }
        let mine = try await AccessRequest.query(on: request.db).filter(\.$userID == user.requireID())
            .sort(\.$createdAt, .descending).limit(20).all()
        return AskContext(
            page: PageContext(request, titleKey: "access_request.title"), form: form ?? FormState(),
            municipalities: groups, organisations: organisations, mine: try await rows(mine, request: request))
    }

    struct AskInput: Content { var municipality: String?; var organisation: String?; var work: String? }

    /// What the form asks for: one municipality or one organisation, known here.
    private func target(
        _ input: AskInput, _ v: inout SamradCore.Validation, request: Request
    ) async throws -> AccessTarget? {
        let municipality = (input.municipality ?? "").isEmpty ? nil : input.municipality
        let organisation = (input.organisation ?? "").isEmpty ? nil : input.organisation
        switch (municipality, organisation) {
        case (let path?, nil):
            guard let key = MunicipalityKey(path: path), request.municipalities[key] != nil else {
                v.add("municipality", "validation.choice")
                return nil
            }
            return .municipality(key)
        case (nil, let text?):
            guard let id = UUID(uuidString: text), try await Organisation.find(id, on: request.db) != nil else {
                v.add("organisation", "validation.choice")
                return nil
            }
            return .organisation(id)
        default:
            v.add("municipality", "access_request.choose_one")
            return nil
        }
    }

    func ask(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let userID = try user.requireID()
        let input = try request.content.decode(AskInput.self)
        var v = Validation()
        let target = try await target(input, &v, request: request)
        let work = v.required("work", input.work, maxLength: AccessRequestPolicy.workMaxLength)
        let values = [
            "municipality": input.municipality ?? "", "organisation": input.organisation ?? "",
            "work": input.work ?? "",
        ]
        do {
            try v.check()
            guard let target else { throw SamradError.invalid([]) }
            let place = try await name(of: target, request: request)
            guard AccessRequestPolicy.mayAsk(request.actor, for: target) else {
                let field = if case .organisation = target { "organisation" } else { "municipality" }
                throw SamradError.invalid([FieldError(field: field, "access_request.already_member")])
            }
            let open = try await AccessRequest.query(on: request.db).filter(\.$userID == userID)
                .filter(\.$status == AccessRequestStatus.pending.rawValue).all()
            guard !open.contains(where: { $0.target == target }) else {
                throw SamradError(.conflict, "access_request.already_asked", [place])
            }
            let asked = AccessRequest(userID: userID, target: target, work: work)
            if try await isApprovedByProvider(user: userID, asked: target, request: request) {
                try await request.db.transaction { db in
                    try await asked.create(on: db)
                    try await decide(asked, place: place, approve: true, note: nil, by: nil, request: request, on: db)
                }
                return request.redirect(to: "/access", notice: "access_request.approved_by_provider", [place])
            }
            try await request.db.transaction { db in
                try await asked.create(on: db)
                try await Audit.record(
                    "access:ask", subject: "access_request", id: try asked.requireID().uuidString,
                    summary: "\(user.email): \(target.grant.kind.rawValue) \(place) (\(work))", by: request, on: db)
                try await tellDeciders(asked, person: user, place: place, request: request, on: db)
            }
            return request.redirect(to: "/access", notice: "access_request.sent", [place])
        } catch let error as SamradError {
            let form = FormState(values: values, error: error, request: request)
            let context = try await askContext(request, user: user, form: form)
            return try await request.renderForm("accounts/access", context, refusing: error)
        }
    }

    /// The provider the person signed in with vouches for the municipality (`OIDC_<NAME>_APPROVES_MUNICIPALITY`).
    private func isApprovedByProvider(user: UUID, asked: AccessTarget, request: Request) async throws -> Bool {
        let links = try await IdentityLink.query(on: request.db).filter(\.$userID == user).all()
        let providers = request.application.settings.openIDProviders
        return links.contains { link in
            AccessRequestPolicy.isApprovedByProvider(
                providers.first { $0.name == link.provider }, claimed: link.claimedMunicipality, asked: asked)
        }
    }

    private func name(of target: AccessTarget, request: Request) async throws -> String {
        switch target {
        case .municipality(let key): return request.municipalities[key]?.name ?? key.description
        case .organisation(let id): return try await Organisation.find(id, on: request.db)?.name ?? ""
        }
    }

    /// Those who decide get an e-mail: the municipality's coordinators or the organisation's
    /// organisers; where there are none, the administrators.
    private func tellDeciders(
        _ asked: AccessRequest, person: User, place: String, request: Request, on db: any Database
    ) async throws {
        var roles: [RoleAssignment]
        switch asked.target {
        case .municipality(let key):
            roles = try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.coordinator.rawValue)
                .filter(\.$municipalityCountry == key.country.rawValue).filter(\.$municipalityCode == key.code).all()
        case .organisation(let id):
            roles = try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.organiser.rawValue)
                .filter(\.$organisationID == id).all()
        }
        if roles.isEmpty {
            roles = try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.administrator.rawValue).all()
        }
        let deciders = try await User.query(on: db).filter(\.$id ~~ roles.map(\.userID)).filter(\.$disabled == false)
            .all()
        let link = "\(request.settings.publicBaseURL)/access/requests"
        for decider in deciders where decider.id != person.id {
            let language = decider.language.flatMap(Language.init(rawValue:)) ?? request.language
            try await Outbox.enqueue(
                to: decider.email, subject: request.catalog.text("mail.access_asked.subject", language, [person.name]),
                body: request.catalog.text(
                    "mail.access_asked.body", language, [decider.name, person.name, person.email, place,
                        asked.work, link]),
                settings: request.settings, on: db)
        }
    }

    func list(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        let actor = request.actor
        var query = AccessRequest.query(on: request.db)
        if !actor.isAdministrator {
            // Coordinators see the requests to their municipalities, organisers to their organisations.
            let coordinated = actor.grants.filter { $0.kind == .coordinator }.compactMap(\.municipality)
            let organised = actor.grants.filter { $0.kind == .organiser }.compactMap(\.organisationID)
            guard !coordinated.isEmpty || !organised.isEmpty else { throw SamradError.forbidden }
            query = query.group(.or) { group in
                for key in coordinated {
                    group.group(.and) {
                        $0.filter(\.$municipalityCountry == key.country.rawValue)
                            .filter(\.$municipalityCode == key.code)
                    }
                }
                if !organised.isEmpty { group.filter(\.$organisationID ~~ organised) }
            }
        }
        let all = try await query.sort(\.$createdAt, .descending).limit(500).all()
        let visible = all.filter { AccessRequestPolicy.mayDecide(actor, on: $0.target, askedBy: $0.userID) }
        let rows = try await rows(visible, request: request)
        return try await request.view.render(
            "accounts/access-requests",
            ListContext(
                page: PageContext(request, titleKey: "access_request.requests_title"),
                pending: rows.filter { $0.status == AccessRequestStatus.pending.rawValue },
                decided: Array(rows.filter { $0.status != AccessRequestStatus.pending.rawValue }.prefix(50))))
    }

    struct DecisionInput: Content { var note: String? }

    func approve(_ request: Request) async throws -> Response { try await decide(request, approve: true) }
    func refuse(_ request: Request) async throws -> Response { try await decide(request, approve: false) }

    private func decide(_ request: Request, approve: Bool) async throws -> Response {
        let user = try request.requireSignedIn()
        let asked = try await AccessRequest.find(from: request, "request", notFound: "error.not_found")
        guard AccessRequestPolicy.mayDecide(request.actor, on: asked.target, askedBy: asked.userID) else {
            throw SamradError.forbidden
        }
        guard asked.state == .pending else {
            return request.redirect(to: "/access/requests", notice: "access_request.already_decided")
        }
        var v = Validation()
        let note = v.optional("note", try request.content.decode(DecisionInput.self).note, maxLength: 500)
        try v.check()
        let place = try await name(of: asked.target, request: request)
        try await request.db.transaction { db in
            try await decide(asked, place: place, approve: approve, note: note, by: user, request: request, on: db)
        }
        let notice = approve ? "access_request.approved" : "access_request.refused"
        return request.redirect(to: "/access/requests", notice: notice, [place])
    }

    /// Records the decision; approval grants the role. The person is told by e-mail. All on `db`
    /// (a transaction): nothing here may wait for another connection.
    private func decide(
        _ asked: AccessRequest, place: String, approve: Bool, note: String?, by decider: User?, request: Request,
        on db: any Database
    ) async throws {
        asked.status = (approve ? AccessRequestStatus.approved : .refused).rawValue
        asked.decidedBy = decider?.id
        asked.decidedAt = Date()
        asked.decisionNote = note
        try await asked.save(on: db)
        let grant = asked.target.grant
        if approve {
            let roles = try await RoleAssignment.query(on: db).filter(\.$userID == asked.userID).all()
            if !roles.contains(where: { $0.grant == grant }) {
                try await RoleAssignment(userID: asked.userID, grant: grant).create(on: db)
            }
        }
        guard let person = try await User.find(asked.userID, on: db) else { return }
        var who = AuditActor(request)
        if decider == nil { who.name = "identity provider (\(person.email))" }
        try await Audit.record(
            approve ? "access:approve" : "access:refuse", subject: "access_request",
            id: try asked.requireID().uuidString, summary: "\(person.email): \(grant.kind.rawValue) \(place)", by: who,
            on: db)
        let language = person.language.flatMap(Language.init(rawValue:)) ?? request.language
        let noteText = note.map { "\n\n" + request.catalog.text("mail.access_note", language, [$0]) } ?? ""
        let kind = approve ? "approved" : "refused"
        try await Outbox.enqueue(
            to: person.email, subject: request.catalog.text("mail.access_\(kind).subject", language, [place]),
            body: request.catalog.text(
                "mail.access_\(kind).body", language,
                [person.name, place, "\(request.settings.publicBaseURL)/access"]) + noteText,
            settings: request.settings, on: db)
    }

    private func rows(_ requests: [AccessRequest], request: Request) async throws -> [RequestRow] {
        let users = try await User.query(on: request.db).filter(\.$id ~~ requests.map(\.userID)).all()
        let byID = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user) } })
        let organisationIDs = Set(requests.compactMap(\.organisationID))
        let organisations = try await Organisation.query(on: request.db).filter(\.$id ~~ organisationIDs).all()
        let organisationNames = Dictionary(
            organisations.compactMap { o in o.id.map { ($0, o.name) } }, uniquingKeysWith: { a, _ in a })
        return requests.map { asked in
            let id = asked.id?.uuidString ?? ""
            let place: String =
                switch asked.target {
                case .municipality(let key): request.municipalities[key]?.name ?? key.description
                case .organisation(let id): organisationNames[id] ?? ""
                }
            return RequestRow(
                id: id, person: byID[asked.userID]?.name ?? "", email: byID[asked.userID]?.email ?? "", place: place,
                work: asked.work, asked: AccountPages.date(asked.createdAt, request), status: asked.status,
                statusText: request.t("access_request.status_\(asked.status)"), note: asked.decisionNote,
                approveAction: "/access/requests/\(id)/approve", refuseAction: "/access/requests/\(id)/refuse")
        }
    }
}
