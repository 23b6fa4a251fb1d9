import SamradCore
import Vapor

/// What Guides offers other features: the goals agreed in a municipality's local dialogues, which
/// the goals page shows beside the goals set against an indicator.
enum AgreedGoals {
    typealias Goal = LocalDialoguePages.AgreedGoal

    /// Those the reader may see, newest first.
    static func of(_ municipality: MunicipalityKey, request: Request) async throws -> [Goal] {
        try await LocalDialoguePages.agreedGoals(of: municipality, request: request)
    }
}
