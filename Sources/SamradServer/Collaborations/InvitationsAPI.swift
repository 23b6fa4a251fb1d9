import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// CollaborationAPI: invitations.
extension CollaborationAPI {
    struct InvitationInput: Content {
        var scope: String?
        var country: String?
        var code: String?
        var list: String?
        var positions: [String]?
        /// The invitation letter's document number in the organiser's records (journal reference).
        var documentNumber: String?
    }

    /// What an invitation form or body chose, checked.
    struct InvitationChoice {
        var municipalities: [Municipality]
        var positions: [Position]
        var documentNumber: String?
    }

    static func invite(
        _ collaboration: Collaboration, _ input: InvitationInput, request: Request
    ) async throws -> Invitations.Sent {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        let choice = try invitationChoice(input, request: request)
        // The e-mails go out at once with links to the registration page: only while it is open.
        guard collaboration.statusValue == .open else {
            throw SamradError(.conflict, "invitation.not_open")
        }
        return try await Invitations.send([collaboration], programme: nil, choice, request: request)
    }

    /// The municipalities, positions and document number an invitation form or body chose, checked.
    static func invitationChoice(_ input: InvitationInput, request: Request) throws -> InvitationChoice {
        var v = Validation()
        var positions: [Position] = []
        for text in input.positions ?? [] {
            if let p = Position(rawValue: text) { positions.append(p) } else { v.add("positions", "validation.choice") }
        }
        if positions.isEmpty { v.add("positions", "invitation.positions") }
        var target: InvitationTarget? = nil
        do {
            target = try InvitationTarget.parse(
                scope: input.scope, country: input.country, code: input.code, list: input.list,
                directory: request.municipalities)
        } catch let error as SamradError { for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) } }
        let documentNumber = v.optional("documentNumber", input.documentNumber, maxLength: 100)
        try v.check()
        return InvitationChoice(
            municipalities: try request.municipalities.municipalities(for: target!), positions: positions,
            documentNumber: documentNumber)
    }

    func invite(_ request: Request) async throws -> Invitations.Sent {
        let collaboration = try await CollaborationAccess.load(request)
        return try await Self.invite(collaboration, try request.content.decode(InvitationInput.self), request: request)
    }
}
