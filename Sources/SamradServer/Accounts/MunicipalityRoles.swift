import Fluent
import Foundation
import SamradCore
import Vapor

/// Who acts for a municipality: its coordinators and members. A coordinator makes the
/// municipality's own people members (an account by e-mail, or an invitation when there is none);
/// administrators also make coordinators. `MunicipalityRolePolicy` decides; every change is audited.
enum MunicipalityRoles {
    struct Holder: Content {
        var id: UUID
        var userID: UUID
        var name: String
        var email: String
        var kind: String
    }

    /// An account linked to a person of the municipality that holds no role there yet.
    struct Candidate: Content {
        var userID: UUID
        var name: String
        var email: String
    }

    /// The municipality of the path, for those who may manage its roles.
    static func municipality(_ request: Request) throws -> Municipality {
        let m = try MunicipalityAccess.load(request)
        try request.require(MunicipalityRolePolicy.mayManage(request.actor, m.key))
        return m
    }

    static func holders(_ key: MunicipalityKey, on db: any Database) async throws -> [Holder] {
        let roles = try await RoleAssignment.query(on: db).filter(\.$municipalityCountry == key.country.rawValue)
            .filter(\.$municipalityCode == key.code)
            .filter(\.$kind ~~ [RoleKind.member, .coordinator].map(\.rawValue)).all()
        let accounts = try await User.query(on: db).filter(\.$id ~~ roles.map(\.userID)).all()
        let users = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id!, $0) })
        return roles.compactMap { r in
            users[r.userID].map { Holder(id: r.id!, userID: r.userID, name: $0.name, email: $0.email, kind: r.kind) }
        }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    static func candidates(_ key: MunicipalityKey, holders: [Holder], on db: any Database) async throws -> [Candidate] {
        let people = try await Person.current(on: db).filter(\.$municipalityCountry == key.country.rawValue)
            .filter(\.$municipalityCode == key.code).all(\.$id)
        guard !people.isEmpty else { return [] }
        let holding = Set(holders.map(\.userID))
        return try await User.query(on: db).filter(\.$personID ~~ people).filter(\.$disabled == false)
            .sort(\.$name).all()
            .filter { !holding.contains($0.id!) }
            .map { Candidate(userID: $0.id!, name: $0.name, email: $0.email) }
    }

    enum Outcome: String, Content { case granted, alreadyHeld = "already_held", invited }

    struct GrantInput: Content { var email: String?; var kind: String? }

    /// Gives `kind` in the municipality to the account with the e-mail address, or invites the
    /// address with it. Checked as a whole before anything is written.
    static func grant(_ input: GrantInput, in key: MunicipalityKey, request: Request) async throws -> Outcome {
        var v = Validation()
        let email = v.email("email", input.email)
        let kind = (input.kind ?? "").isEmpty ? .member : v.oneOf("kind", input.kind, as: RoleKind.self)
        try v.check()
        guard let email, let kind, kind == .member || kind == .coordinator else {
            throw SamradError.invalid([FieldError(field: "kind", "validation.choice")])
        }
        try request.require(MunicipalityRolePolicy.mayGrant(request.actor, kind, in: key))
        let grant = RoleGrant(kind: kind, municipality: key)
        return try await request.db.transaction { db in
            guard let user = try await User.query(on: db).filter(\.$email == email).first() else {
                try await AdminPages.sendInvitation(
                    to: email, grant: grant, language: request.language,
                    request: request, on: db)
                return .invited
            }
            let held = try await RoleAssignment.query(on: db).filter(\.$userID == user.requireID())
                .filter(\.$kind == kind.rawValue).filter(\.$municipalityCountry == key.country.rawValue)
                .filter(\.$municipalityCode == key.code).first()
            if held != nil { return .alreadyHeld }
            try await RoleAssignment(userID: user.requireID(), grant: grant).create(on: db)
            try await Audit.record(
                "role:grant", subject: "user", id: user.id!.uuidString,
                summary: "\(user.email): \(kind.rawValue) \(key)", by: request, on: db)
            return .granted
        }
    }

    static func revoke(_ roleID: UUID?, in key: MunicipalityKey, request: Request) async throws {
        guard let roleID, let role = try await RoleAssignment.find(roleID, on: request.db), let grant = role.grant,
            grant.municipality == key
        else {
            throw SamradError.notFound()
        }
        try request.require(MunicipalityRolePolicy.mayGrant(request.actor, grant.kind, in: key))
        try await request.db.transaction { db in
            try await role.delete(on: db)
            // The person signs in again with the rights they have left (an open page of the old ones goes).
            try await SessionStore.end(sessionsOf: role.userID, keeping: request.sessionKey, on: db)
            try await Audit.record(
                "role:revoke", subject: "user", id: role.userID.uuidString,
                summary: "\(grant.kind.rawValue) \(key)", by: request, on: db)
        }
    }
}

/// `/municipalities/{country}/{code}/access`: the page of a municipality's coordinators and members.
struct MunicipalityRolePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("municipalities", ":country", ":code", "access")
        page.get(use: show)
        page.post(use: grantFromForm)
        page.post(":role", "delete", use: revokeFromForm)
    }

    struct Row: Encodable { var name: String; var email: String; var kind: String; var revokeAction: String? }
    struct CandidateRow: Encodable { var name: String; var email: String }
    struct Context: Encodable {
        var page: PageContext
        var name: String
        var href: String
        var action: String
        var holders: [Row]
        var candidates: [CandidateRow]
        var kinds: [Option]
        var form: FormState
    }

    func context(_ request: Request, _ m: Municipality, form: FormState = FormState()) async throws -> Context {
        let base = "/municipalities/\(m.country.rawValue)/\(m.code)"
        let holders = try await MunicipalityRoles.holders(m.key, on: request.db)
        let candidates = try await MunicipalityRoles.candidates(m.key, holders: holders, on: request.db)
        let chosen = form.values["kind"] ?? RoleKind.member.rawValue
        return Context(
            page: PageContext(request, titleKey: "access.title", [m.name]), name: m.name, href: base,
            action: "\(base)/access",
            holders: holders.map { h in
                let mayRevoke = RoleKind(rawValue: h.kind)
                    .map { MunicipalityRolePolicy.mayGrant(request.actor, $0, in: m.key) }
                return Row(
                    name: h.name, email: h.email, kind: request.t("role.\(h.kind)"),
                    revokeAction: mayRevoke == true ? "\(base)/access/\(h.id.uuidString)/delete" : nil)
            },
            candidates: candidates.map { CandidateRow(name: $0.name, email: $0.email) },
            kinds: MunicipalityRolePolicy.grantable(request.actor, in: m.key).map {
                Option(
                    value: $0.rawValue, label: request.t("role.\($0.rawValue)"),
                    selected: $0.rawValue == chosen)
            },
            form: form)
    }

    func show(_ request: Request) async throws -> View {
        let m = try MunicipalityRoles.municipality(request)
        return try await request.view.render("directory/access", context(request, m))
    }

    func grantFromForm(_ request: Request) async throws -> Response {
        let m = try MunicipalityRoles.municipality(request)
        let input = try request.content.decode(MunicipalityRoles.GrantInput.self)
        do {
            let outcome = try await MunicipalityRoles.grant(input, in: m.key, request: request)
            request.setNotice("access.\(outcome.rawValue)", [input.email ?? ""])
            return request.redirect(to: "/municipalities/\(m.country.rawValue)/\(m.code)/access")
        } catch let error as SamradError where error.kind == .invalidInput {
            let form = FormState(
                values: ["email": input.email ?? "", "kind": input.kind ?? ""], error: error,
                request: request)
            return try await request.renderForm("directory/access", context(request, m, form: form))
        }
    }

    func revokeFromForm(_ request: Request) async throws -> Response {
        let m = try MunicipalityRoles.municipality(request)
        let role = request.parameterID("role")
        try await MunicipalityRoles.revoke(role, in: m.key, request: request)
        return request.redirect(to: "/municipalities/\(m.country.rawValue)/\(m.code)/access", notice: "access.revoked")
    }
}

/// `/api/v1/municipalities/{country}/{code}/roles`: the same for API clients.
struct MunicipalityRoleAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1", "municipalities", ":country", ":code", "roles")
        api.get(use: list)
        api.post(use: grant)
        api.delete(":role", use: revoke)
    }

    struct ListJSON: Content { var items: [MunicipalityRoles.Holder]; var candidates: [MunicipalityRoles.Candidate] }
    struct GrantJSON: Content { var outcome: MunicipalityRoles.Outcome }

    func list(_ request: Request) async throws -> ListJSON {
        let m = try MunicipalityRoles.municipality(request)
        let holders = try await MunicipalityRoles.holders(m.key, on: request.db)
        let candidates = try await MunicipalityRoles.candidates(m.key, holders: holders, on: request.db)
        return ListJSON(items: holders, candidates: candidates)
    }

    func grant(_ request: Request) async throws -> Response {
        let m = try MunicipalityRoles.municipality(request)
        let outcome = try await MunicipalityRoles.grant(
            try request.content.decode(MunicipalityRoles.GrantInput.self),
            in: m.key, request: request)
        return try await GrantJSON(outcome: outcome)
            .encodeResponse(status: outcome == .alreadyHeld ? .ok : .created, for: request)
    }

    func revoke(_ request: Request) async throws -> HTTPStatus {
        let m = try MunicipalityRoles.municipality(request)
        let role = request.parameterID("role")
        try await MunicipalityRoles.revoke(role, in: m.key, request: request)
        return .noContent
    }
}
