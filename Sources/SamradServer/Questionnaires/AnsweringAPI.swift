import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnaireAPI: answering.
extension QuestionnaireAPI {
    struct ResponseJSON: Content {
        var unit: String
        var status: String
        var updatedBy: String?
        var updatedAt: Date?
        var submittedAt: Date?
        var submittedBy: String?
        var answers: [String: AnswerJSON]
        /// Required questions that show and are not answered yet.
        var missing: [String]
        var mayDraft: Bool
        var maySubmit: Bool
    }

    static func unit(_ request: Request) throws -> ResponseUnit {
        if let country = request.parameters.get("country") {
            guard let c = Country(rawValue: country), let code = request.parameters.get("code") else {
                throw SamradError.notFound("questionnaires.error.not_asked")
            }
            return .municipality(MunicipalityKey(c, code))
        }
        guard request.actor.isSignedIn else { throw SamradError.unauthenticated }
        guard let person = request.actor.personID else { throw SamradError(.conflict, "attendance.no_person") }
        return .person(person)
    }

    static func responseJSON(
        _ access: QuestionnaireAccess, _ unit: ResponseUnit, request: Request
    ) async throws -> ResponseJSON {
        let response = try await ResponseDesk.find(access.questionnaire, unit, on: request.db)
        let sheet = try await ResponseDesk.sheet(response, form: access.questionnaire.form, on: request.db)
        let right = access.right(unit)
        return ResponseJSON(
            unit: unit.path, status: response?.status ?? ResponseStatus.notStarted.rawValue,
            updatedBy: response?.updatedBy,
            updatedAt: response?.updatedAt, submittedAt: response?.submittedAt, submittedBy: response?.submittedBy,
            answers: sheet.answers.mapValues(AnswerJSON.init), missing: sheet.missing(in: access.questionnaire.form),
            mayDraft: right.mayDraft, maySubmit: right.maySubmit)
    }

    func response(_ request: Request) async throws -> ResponseJSON {
        let access = try await QuestionnaireAccess.load(request)
        let unit = try Self.unit(request)
        // Organisers read every response; a municipality only its own.
        if !access.mayBuild { try await ResponseDesk.requireDraft(access, unit, request: request) }
        return try await Self.responseJSON(access, unit, request: request)
    }

    struct AnswersInput: Content { var answers: [String: AnswerJSON] }

    func saveAnswers(_ request: Request) async throws -> ResponseJSON {
        let access = try await QuestionnaireAccess.load(request)
        let unit = try Self.unit(request)
        let input = try request.content.decode(AnswersInput.self)
        try await ResponseDesk.save(
            input.answers.mapValues(\.raw), access, unit, by: request.currentUser?.name, request: request)
        return try await Self.responseJSON(access, unit, request: request)
    }

    func submit(_ request: Request) async throws -> ResponseJSON {
        let access = try await QuestionnaireAccess.load(request)
        let unit = try Self.unit(request)
        try await ResponseDesk.submit(access, unit, by: request.currentUser?.name, request: request)
        return try await Self.responseJSON(access, unit, request: request)
    }

    func reopen(_ request: Request) async throws -> ResponseJSON {
        let access = try await QuestionnaireAccess.load(request)
        let unit = try Self.unit(request)
        try await ResponseDesk.reopen(access, unit, request: request)
        return try await Self.responseJSON(access, unit, request: request)
    }
}
