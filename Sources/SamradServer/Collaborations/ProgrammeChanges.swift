import Fluent
import Foundation
import SamradCore
import Vapor

/// Programmes: changes.
extension Programmes {
    static func create(_ input: ProgrammeInput, request: Request) async throws -> Programme {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        if let organiserID = input.organiserID, try await Organisation.find(organiserID, on: request.db) != nil {
            try request.require(CollaborationPolicy.mayCreate(request.actor, organiserID: organiserID))
        }
        let programme = Programme()
        programme.isExample = false
        try await input.apply(to: programme, request: request)
        programme.slug = try await Slug.unique(programme.title, fallback: "programme") {
            try await Programme.query(on: request.db).filter(\.$slug == $0).count() > 0
        }
        try await programme.create(on: request.db)
        return programme
    }

    static func update(_ programme: Programme, with input: ProgrammeInput, request: Request) async throws {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: programme.organiserID))
        try await input.apply(to: programme, request: request)
        try await programme.save(on: request.db)
    }
}
