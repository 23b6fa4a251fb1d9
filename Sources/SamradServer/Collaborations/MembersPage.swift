import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationMembers: the organiser's page.
extension CollaborationMembers {
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
        let persons = try await Person.current(on: request.db).sort(\.$name).all()
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
