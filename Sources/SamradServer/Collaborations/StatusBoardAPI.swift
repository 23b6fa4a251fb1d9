import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// CollaborationAPI: status board.
extension CollaborationAPI {
    func board(_ request: Request) async throws -> StatusBoard.JSON {
        let collaboration = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: collaboration.organiserID))
        let board = try await StatusBoard.load(collaboration, request: request)
        return board.json(request: request)
    }
}
