import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireAPI: response rate.
extension QuestionnaireAPI {
    struct ProgressJSON: Content {
        struct Unit: Content {
            var unit: String; var name: String; var status: String; var updatedBy: String?; var updatedAt: Date?;
            var submittedAt: Date?
        }
        var asked: Int
        var submitted: Int
        var drafting: Int
        var notStarted: Int
        var units: [Unit]
    }

    func progress(_ request: Request) async throws -> ProgressJSON {
        let access = try await QuestionnaireAccess.build(request)
        return try await QuestionnaireProgress.of(access.questionnaire, request: request)
    }
}
