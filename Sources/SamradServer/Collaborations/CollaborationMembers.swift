import Fluent
import Foundation
import SamradCore
import Vapor

/// Partner organisations of a collaboration and the people attached to it with a role: researchers,
/// the following group, facilitators and contacts (case 2). Organisers manage them; everybody sees
/// the partners; names of the attached people are for signed-in members (`CollaborationPolicy`).
struct CollaborationMembers: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("collaborations", ":slug")
        page.get("members", use: managePage)
        page.post("partners", use: addPartnerFromForm)
        page.post("partners", ":organisationID", "delete", use: removePartnerFromForm)
        page.post("roles", use: addRoleFromForm)
        page.post("roles", ":roleID", "delete", use: removeRoleFromForm)
        let api = routes.grouped("api", "v1", "collaborations", ":slug")
        api.get("members", use: showAPI)
        api.post("partners", use: addPartnerAPI)
        api.delete("partners", ":organisationID", use: removePartnerAPI)
        api.post("roles", use: addRoleAPI)
        api.delete("roles", ":roleID", use: removeRoleAPI)
    }

    // MARK: Reading

    struct MembersJSON: Content {
        struct Partner: Content { var organisationID: UUID; var name: String }
        struct Member: Content { var id: UUID; var personID: UUID; var name: String; var role: String }
        var partners: [Partner]
        /// How many people hold each role; for everybody.
        var roleCounts: [String: Int]
        /// The people with their roles; empty for visitors.
        var people: [Member]
    }

    static func load(_ c: Collaboration, request: Request) async throws -> MembersJSON {
        let id = try c.requireID()
        let partners = try await CollaborationPartner.query(on: request.db).filter(\.$collaborationID == id).all()
        let organisations = try await Organisation.query(on: request.db).filter(\.$id ~~ partners.map(\.organisationID))
            .sort(\.$name).all()
        let roles = try await CollaborationRole.query(on: request.db).filter(\.$collaborationID == id).all()
        var counts: [String: Int] = [:]
        for role in roles { counts[role.role, default: 0] += 1 }
        var people: [MembersJSON.Member] = []
        if CollaborationPolicy.mayViewMemberNames(request.actor) {
            let persons = try await Person.query(on: request.db).filter(\.$id ~~ roles.map(\.personID)).all()
            let names = Dictionary(uniqueKeysWithValues: persons.map { ($0.id!, $0.name) })
            people = roles.compactMap { r in
                names[r.personID].map { MembersJSON.Member(id: r.id!, personID: r.personID, name: $0, role: r.role) }
            }
            .sorted { ($0.role, $0.name) < ($1.role, $1.name) }
        }
        return MembersJSON(
            partners: organisations.map { .init(organisationID: $0.id!, name: $0.name) }, roleCounts: counts,
            people: people)
    }

    /// What the collaboration's page shows.
    struct Summary: Encodable {
        struct Group: Encodable { var label: String; var people: [Link]; var count: String }
        var partners: [Link]
        var groups: [Group]
    }

    static func summary(_ c: Collaboration, request: Request) async throws -> Summary {
        let members = try await load(c, request: request)
        let byRole = Dictionary(grouping: members.people, by: \.role)
        let groups = CollaborationRole.Role.allCases.compactMap { role -> Summary.Group? in
            guard let count = members.roleCounts[role.rawValue], count > 0 else { return nil }
            return Summary.Group(
                label: request.t("member_role.\(role.rawValue)"),
                people: (byRole[role.rawValue] ?? []).map {
                    .init(href: "/people/\($0.personID.uuidString)", label: $0.name)
                },
                count: request.t("members.people_count", [String(count)]))
        }
        return Summary(
            partners: members.partners.map {
                .init(href: "/organisations/\($0.organisationID.uuidString)", label: $0.name)
            }, groups: groups)
    }

    /// The collaboration of the path, for its organisers only.
    static func managed(_ request: Request) async throws -> Collaboration {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return c
    }

    // MARK: Changes (each audited)

    static func addPartner(_ c: Collaboration, organisationID: UUID?, request: Request) async throws {
        guard let organisationID, let organisation = try await Organisation.find(organisationID, on: request.db) else {
            throw SamradError.invalid([FieldError(field: "organisationID", "validation.organisation")])
        }
        if organisationID == c.organiserID {
            throw SamradError.invalid([FieldError(field: "organisationID", "members.partner_is_organiser")])
        }
        let id = try c.requireID()
        if try await CollaborationPartner.query(on: request.db).filter(\.$collaborationID == id).filter(
            \.$organisationID == organisationID
        ).count() > 0 {
            throw SamradError(.conflict, "members.partner_twice", [organisation.name])
        }
        try await refusingTwice(SamradError(.conflict, "members.partner_twice", [organisation.name])) {
            try await request.db.transaction { db in
                let partner = CollaborationPartner()
                partner.collaborationID = id
                partner.organisationID = organisationID
                try await partner.create(on: db)
                try await Audit.record(
                    "collaboration:partner_add", subject: "collaboration", id: id.uuidString,
                    summary: "\(c.slug): \(organisation.name)", by: request, on: db)
            }
        }
    }

    /// The check before an insert can race with an identical insert; the unique index then refuses
    /// the second, which gets the same answer as if the check had seen the first.
    static func refusingTwice(_ conflict: SamradError, _ insert: () async throws -> Void) async throws {
        do { try await insert() } catch let error as any DatabaseError where error.isConstraintFailure {
            throw conflict
        }
    }

    static func removePartner(_ c: Collaboration, organisationID: UUID?, request: Request) async throws {
        let id = try c.requireID()
        guard let organisationID,
            let partner = try await CollaborationPartner.query(on: request.db).filter(\.$collaborationID == id)
                .filter(\.$organisationID == organisationID).first()
        else { throw SamradError.notFound("members.not_found") }
        try await request.db.transaction { db in
            try await partner.delete(on: db)
            try await Audit.record(
                "collaboration:partner_remove", subject: "collaboration", id: id.uuidString,
                summary: "\(c.slug): \(organisationID.uuidString)", by: request, on: db)
        }
    }

    static func addRole(
        _ c: Collaboration, personID: UUID?, role: String?, request: Request
    ) async throws -> CollaborationRole {
        var v = Validation()
        let role = v.oneOf("role", role, as: CollaborationRole.Role.self)
        let found: Person? = if let personID { try await Person.find(personID, on: request.db) } else { nil }
        if found == nil { v.add("personID", "members.person_unknown") }
        try v.check()
        let person = found
        let id = try c.requireID()
        if try await CollaborationRole.query(on: request.db).filter(\.$collaborationID == id).filter(
            \.$personID == personID!
        )
        .filter(\.$role == role!.rawValue).count() > 0 {
            throw SamradError(.conflict, "members.role_twice", [person!.name])
        }
        let record = CollaborationRole()
        record.collaborationID = id
        record.personID = personID!
        record.role = role!.rawValue
        try await refusingTwice(SamradError(.conflict, "members.role_twice", [person!.name])) {
            try await request.db.transaction { db in
                try await record.create(on: db)
                try await Audit.record(
                    "collaboration:role_add", subject: "collaboration", id: id.uuidString,
                    summary: "\(c.slug): \(person!.name), \(role!.rawValue)", by: request, on: db)
            }
        }
        return record
    }

    static func removeRole(_ c: Collaboration, roleID: UUID?, request: Request) async throws {
        let id = try c.requireID()
        guard let roleID, let record = try await CollaborationRole.find(roleID, on: request.db),
            record.collaborationID == id
        else {
            throw SamradError.notFound("members.not_found")
        }
        try await request.db.transaction { db in
            try await record.delete(on: db)
            try await Audit.record(
                "collaboration:role_remove", subject: "collaboration", id: id.uuidString,
                summary: "\(c.slug): \(record.personID.uuidString), \(record.role)", by: request, on: db)
        }
    }

    // MARK: API

    func showAPI(_ request: Request) async throws -> MembersJSON {
        try await Self.load(try await CollaborationAccess.load(request), request: request)
    }

    struct PartnerInput: Content { var organisationID: UUID? }
    struct RoleInput: Content { var personID: UUID?; var role: String? }

    func addPartnerAPI(_ request: Request) async throws -> Response {
        let c = try await Self.managed(request)
        try await Self.addPartner(
            c, organisationID: try request.content.decode(PartnerInput.self).organisationID, request: request)
        return try await Self.load(c, request: request).encodeResponse(status: .created, for: request)
    }

    func removePartnerAPI(_ request: Request) async throws -> HTTPStatus {
        let c = try await Self.managed(request)
        try await Self.removePartner(
            c, organisationID: request.parameterID("organisationID"),
            request: request)
        return .noContent
    }

    func addRoleAPI(_ request: Request) async throws -> Response {
        let c = try await Self.managed(request)
        let input = try request.content.decode(RoleInput.self)
        _ = try await Self.addRole(c, personID: input.personID, role: input.role, request: request)
        return try await Self.load(c, request: request).encodeResponse(status: .created, for: request)
    }

    func removeRoleAPI(_ request: Request) async throws -> HTTPStatus {
        let c = try await Self.managed(request)
        try await Self.removeRole(
            c, roleID: request.parameterID("roleID"), request: request)
        return .noContent
    }

    // MARK: The organiser's page

    struct Row: Encodable { var label: String; var detail: String?; var removeAction: String }
    struct ManageContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var partners: [Row]
        var people: [Row]
        var organisations: [Option]
        var persons: [Option]
        var roles: [Option]
        var partnerAction: String
        var roleAction: String
        var partnerForm: FormState
        var roleForm: FormState
    }

    func manageContext(
        _ request: Request, _ c: Collaboration, partnerForm: FormState = FormState(), roleForm: FormState = FormState()
    ) async throws -> ManageContext {
        let members = try await Self.load(c, request: request)
        let taken = Set(members.partners.map(\.organisationID))
        let allOrganisations = try await Organisation.query(on: request.db).sort(\.$name).all()
        let organisations = allOrganisations.filter { $0.id != c.organiserID && !taken.contains($0.id!) }
        let persons = try await Person.query(on: request.db).sort(\.$name).all()
        let organisationNames = Dictionary(uniqueKeysWithValues: allOrganisations.map { ($0.id!, $0.name) })
        func affiliation(_ p: Person) -> String {
            if let key = p.municipality { return request.municipalities[key]?.name ?? key.description }
            return p.organisationID.flatMap { organisationNames[$0] } ?? ""
        }
        let base = "/collaborations/\(c.slug)"
        return ManageContext(
            page: PageContext(request, titleKey: "members.title"), title: c.title, backHref: base,
            partners: members.partners.map {
                Row(
                    label: $0.name, detail: nil, removeAction: "\(base)/partners/\($0.organisationID.uuidString)/delete"
                )
            },
            people: members.people.map {
                Row(
                    label: $0.name, detail: request.t("member_role.\($0.role)"),
                    removeAction: "\(base)/roles/\($0.id.uuidString)/delete")
            },
            organisations: [
                .init(
                    value: "", label: request.t("members.choose_organisation"),
                    selected: (partnerForm.values["organisationID"] ?? "").isEmpty)
            ]
                + organisations.map {
                    .init(
                        value: $0.id!.uuidString, label: $0.name,
                        selected: partnerForm.values["organisationID"] == $0.id!.uuidString)
                },
            persons: [
                .init(
                    value: "", label: request.t("members.choose_person"),
                    selected: (roleForm.values["personID"] ?? "").isEmpty)
            ]
                + persons.map { p in
                    .init(
                        value: p.id!.uuidString,
                        label: [p.name, request.t("position.\(p.position)"), affiliation(p)].filter { !$0.isEmpty }
                            .joined(separator: " – "),
                        selected: roleForm.values["personID"] == p.id!.uuidString)
                },
            roles: CollaborationRole.Role.allCases.map {
                .init(
                    value: $0.rawValue, label: request.t("member_role.\($0.rawValue)"),
                    selected: roleForm.values["role"] == $0.rawValue)
            },
            partnerAction: "\(base)/partners", roleAction: "\(base)/roles", partnerForm: partnerForm, roleForm: roleForm
        )
    }

    func managePage(_ request: Request) async throws -> View {
        let c = try await Self.managed(request)
        return try await request.view.render("collaborations/members", manageContext(request, c))
    }

    /// Which of the page's two forms a change came from: its message is shown there.
    enum Section { case partner, role }

    /// Runs a change from a form: back to the page with a notice, or the page again with the message
    /// at the form it came from.
    func fromForm(
        _ request: Request, _ section: Section, values: [String: String] = [:], notice: String,
        change: (Collaboration) async throws -> Void
    ) async throws -> Response {
        let c = try await Self.managed(request)
        do {
            try await change(c)
        } catch let error as SamradError where [.invalidInput, .conflict, .notFound].contains(error.kind) {
            let form = FormState(values: values, error: error, request: request)
            let status: HTTPResponseStatus =
                error.kind == .invalidInput ? .unprocessableEntity : error.kind == .conflict ? .conflict : .notFound
            return try await request.view.render(
                "collaborations/members",
                manageContext(
                    request, c, partnerForm: section == .partner ? form : FormState(),
                    roleForm: section == .role ? form : FormState())
            )
            .encodeResponse(status: status, for: request)
        }
        return request.redirect(to: "/collaborations/\(c.slug)/members", notice: notice)
    }

    func addPartnerFromForm(_ request: Request) async throws -> Response {
        let input = try request.content.decode([String: String].self)
        return try await fromForm(request, .partner, values: input, notice: "members.saved") { c in
            try await Self.addPartner(
                c, organisationID: input["organisationID"].flatMap(UUID.init(uuidString:)), request: request)
        }
    }

    func removePartnerFromForm(_ request: Request) async throws -> Response {
        try await fromForm(request, .partner, notice: "members.removed") { c in
            try await Self.removePartner(
                c, organisationID: request.parameterID("organisationID"),
                request: request)
        }
    }

    func addRoleFromForm(_ request: Request) async throws -> Response {
        let input = try request.content.decode([String: String].self)
        return try await fromForm(request, .role, values: input, notice: "members.saved") { c in
            _ = try await Self.addRole(
                c, personID: input["personID"].flatMap(UUID.init(uuidString:)), role: input["role"], request: request)
        }
    }

    func removeRoleFromForm(_ request: Request) async throws -> Response {
        try await fromForm(request, .role, notice: "members.removed") { c in
            try await Self.removeRole(
                c, roleID: request.parameterID("roleID"), request: request)
        }
    }
}
