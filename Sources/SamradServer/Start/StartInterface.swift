import Foundation
import SamradCore
import Vapor

/// What Start offers other features: a municipality's open tasks (invitations, questionnaires,
/// meetings) as the start page lists them, for the municipality's own page.
enum MunicipalityTasks {
    typealias View = StartPage.Municipality

    static func of(_ municipality: Municipality, now: Date, request: Request) async throws -> View {
        try await StartPage().tasks(of: municipality, now: now, request: request)
    }
}
