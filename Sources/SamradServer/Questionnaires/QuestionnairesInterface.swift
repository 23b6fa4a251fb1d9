import Fluent
import SamradCore
import Vapor

/// What Questionnaires offers other features: where a municipality answers (the start page links
/// there), and a questionnaire's results as a meeting's agenda shows them.
enum QuestionnaireLinks {
    static func answer(_ questionnaire: Questionnaire, _ unit: ResponseUnit) -> String {
        AnswerPages.href(questionnaire, unit)
    }
}

enum ResultsSummary {
    typealias Question = ResultsPages.QuestionView

    /// The results the reader may see as they would on the results page, with ids under `scope`
    /// so several can share a page; throws `forbidden` while they are not published to the reader.
    static func questions(_ access: QuestionnaireAccess, scope: String, request: Request) async throws -> [Question] {
        let report = try await ResultsReport.make(access, viewpoint: nil, request: request)
        return ResultsPages.views(report, form: access.questionnaire.form, request: request, scope: scope)
    }
}

/// How many of those a questionnaire asks have submitted, as its response-rate page counts them.
enum ResponseCount {
    static func of(_ q: Questionnaire, request: Request) async throws -> (asked: Int, submitted: Int) {
        let progress = try await QuestionnaireProgress.of(q, request: request)
        return (progress.asked, progress.submitted)
    }
}
