import Fluent
import Foundation
import SamradCore
import Vapor

/// Programmes: inviting the whole programme.
extension Programmes {
    /// Invites to every open track the actor runs, in one e-mail per recipient naming them all.
    static func invite(
        _ programme: Programme, _ tracks: [Collaboration], _ input: CollaborationAPI.InvitationInput,
        request: Request
    ) async throws -> Invitations.Sent {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let choice = try CollaborationAPI.invitationChoice(input, request: request)
        let open = tracks.filter {
            $0.statusValue == .open && CollaborationPolicy.mayManage(request.actor, organiserID: $0.organiserID)
        }
        guard !open.isEmpty else { throw SamradError(.conflict, "invitation.programme_not_open") }
        return try await Invitations.send(open, programme: programme.title, choice, request: request)
    }

    func inviteAPI(_ request: Request) async throws -> Invitations.Sent {
        let (programme, tracks) = try await Self.find(request)
        return try await Self.invite(
            programme, tracks, try request.content.decode(CollaborationAPI.InvitationInput.self),
            request: request)
    }

    func inviteForm(_ request: Request) async throws -> View {
        let (programme, _) = try await Self.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let previous = try await NextSeason.previous(of: programme, on: request.db)
        return try await request.view.render(
            "collaborations/invite",
            CollaborationPages.inviteContext(
                request, title: programme.title, base: "/programmes/\(programme.slug)",
                form: FormState(values: CollaborationPages.firstValues(request, previous: previous)),
                previous: previous))
    }

    func invite(_ request: Request) async throws -> Response {
        let (programme, tracks) = try await Self.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        let (input, values) = try CollaborationPages.invitationForm(request)
        let base = "/programmes/\(programme.slug)"
        do {
            let sent = try await Self.invite(programme, tracks, input, request: request)
            // The board of the first track: every track of the programme was invited alike.
            let board = tracks.first { $0.statusValue == .open }.map { "/collaborations/\($0.slug)/board" } ?? base
            let result = CollaborationPages.inviteResult(sent, boardHref: board, request: request)
            return try await request.view.render(
                "collaborations/invite",
                CollaborationPages.inviteContext(
                    request, title: programme.title, base: base, form: FormState(values: values), result: result)
            )
            .encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .conflict {
            return try await request.renderForm(
                "collaborations/invite",
                CollaborationPages.inviteContext(
                    request, title: programme.title, base: base,
                    form: FormState(values: values, error: error, request: request)), refusing: error)
        }
    }
}
