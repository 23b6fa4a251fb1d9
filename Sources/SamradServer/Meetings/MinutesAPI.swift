import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAPI: minutes and commitments.
extension MeetingAPI {
    func saveMinutes(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingMinutes.saveMinutes(
            access, try request.content.decode(MeetingMinutes.MinutesInput.self), request: request)
        return try await Self.json(access, request: request)
    }

    struct CommitmentsJSON: Content { var commitments: [CommitmentJSON]; var openBefore: [CommitmentJSON] }

    func commitments(_ request: Request) async throws -> CommitmentsJSON {
        let access = try await MeetingAccess.load(request)
        guard access.mayViewContent else {
            throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
        }
        let made = try await Commitment.query(on: request.db).filter(\.$meetingID == access.meeting.requireID()).sort(
            \.$createdAt
        ).all()
        return CommitmentsJSON(
            commitments: made.map(Self.commitmentJSON),
            openBefore: try await MeetingMinutes.openCommitments(before: access.meeting, on: request.db).commitments
                .map(Self.commitmentJSON))
    }

    func addCommitment(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let commitment = try await MeetingMinutes.addCommitment(
            access, try request.content.decode(MeetingMinutes.CommitmentInput.self), request: request)
        return try await Self.commitmentJSON(commitment).encodeResponse(status: .created, for: request)
    }

    func markCommitment(_ request: Request) async throws -> CommitmentJSON {
        guard let id = request.parameterID("commitment"),
            let commitment = try await Commitment.find(id, on: request.db),
            let meeting = try await Meeting.find(commitment.meetingID, on: request.db)
        else { throw SamradError.notFound() }
        let access = try await MeetingAccess.of(meeting, request: request)
        guard MeetingPolicy.mayView(request.actor, access.scope, attending: access.attending) else {
            throw SamradError.notFound()
        }
        try await MeetingMinutes.requireMayMark(commitment, request: request)
        var v = Validation()
        let status = v.oneOf("status", try request.content.decode(StatusInput.self).status, as: CommitmentState.self)
        try v.check()
        try await MeetingMinutes.mark(commitment, done: status == .done, request: request)
        return Self.commitmentJSON(commitment)
    }

    enum CommitmentState: String { case open, done }
}
