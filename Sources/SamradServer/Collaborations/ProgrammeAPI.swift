import Fluent
import Foundation
import SamradCore
import Vapor

/// Programmes: API.
extension Programmes {
    struct ListJSON: Content { var items: [ProgrammeJSON] }

    func listAPI(_ request: Request) async throws -> ListJSON {
        ListJSON(items: try await Self.visible(request).map { ProgrammeJSON($0.0, tracks: $0.1) })
    }

    func showAPI(_ request: Request) async throws -> ProgrammeJSON {
        let (programme, tracks) = try await Self.find(request)
        return ProgrammeJSON(programme, tracks: tracks)
    }

    func createAPI(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let programme = try await Self.create(try request.content.decode(ProgrammeInput.self), request: request)
        return try await ProgrammeJSON(programme, tracks: []).encodeResponse(status: .created, for: request)
    }

    func updateAPI(_ request: Request) async throws -> ProgrammeJSON {
        let (programme, _) = try await Self.find(request)
        try await Self.update(programme, with: try request.content.decode(ProgrammeInput.self), request: request)
        return ProgrammeJSON(programme, tracks: try await Self.tracks(of: programme, request: request))
    }
}
