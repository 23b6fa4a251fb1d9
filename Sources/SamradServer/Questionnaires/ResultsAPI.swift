import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireAPI: results.
extension QuestionnaireAPI {
    struct PublicationInput: Content { var published: Bool; var visibility: String?; var textsPublished: Bool? }

    func publish(_ request: Request) async throws -> QuestionnaireJSON {
        let access = try await QuestionnaireAccess.build(request)
        let input = try request.content.decode(PublicationInput.self)
        try await QuestionnaireLifecycle.publish(
            access, published: input.published, visibility: input.visibility, textsPublished: input.textsPublished,
            request: request)
        return Self.json(access.questionnaire, access.origin)
    }

    func results(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.load(request)
        let report = try await ResultsReport.make(
            access, viewpoint: request.query[String.self, at: "municipality"], request: request)
        let response = try await report.encodeResponse(for: request)
        if let timing = request.storage[ResultsTiming.self] {
            response.headers.replaceOrAdd(name: "Server-Timing", value: timing.header)
        }
        return response
    }
}
