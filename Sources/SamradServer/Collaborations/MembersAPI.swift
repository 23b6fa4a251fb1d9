import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationMembers: API.
extension CollaborationMembers {
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
}
