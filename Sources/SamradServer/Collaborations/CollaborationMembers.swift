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
        // Plain rows, one query each: every visitor of a collaboration's page asks this.
        let sql = request.db.sql
        struct PartnerRow: Decodable { var id: UUID; var name: String }
        let partners = try await sql.raw("""
            SELECT o.id, o.name FROM collaboration_partners p JOIN organisations o ON o.id = p.organisation_id
            WHERE p.collaboration_id = \(bind: id) ORDER BY o.name
            """).all(decoding: PartnerRow.self)
        struct RoleRow: Decodable { var id: UUID; var person_id: UUID; var role: String; var name: String? }
        let roles = try await sql.raw("""
            SELECT r.id, r.person_id, r.role, pe.name FROM collaboration_roles r
            LEFT JOIN people pe ON pe.id = r.person_id WHERE r.collaboration_id = \(bind: id)
            """).all(decoding: RoleRow.self)
        var counts: [String: Int] = [:]
        for role in roles { counts[role.role, default: 0] += 1 }
        var people: [MembersJSON.Member] = []
        if CollaborationPolicy.mayViewMemberNames(request.actor) {
            people = roles.compactMap { r in
                r.name.map { MembersJSON.Member(id: r.id, personID: r.person_id, name: $0, role: r.role) }
            }
            .sorted { ($0.role, $0.name) < ($1.role, $1.name) }
        }
        return MembersJSON(
            partners: partners.map { .init(organisationID: $0.id, name: $0.name) }, roleCounts: counts,
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
}
