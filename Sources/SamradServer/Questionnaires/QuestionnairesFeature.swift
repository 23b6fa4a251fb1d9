import Fluent
import Vapor

/// Questionnaires: built, sent, answered per municipality or person, results with suppression.
struct QuestionnairesFeature: Feature {
    var routes: [any RouteCollection] {
        [
            QuestionnaireAPI(), QuestionnairePages(), QuestionnaireBuilder(), AnswerPages(), ResultsPages(),
            ClassCodePages(), ClassCodeDesk(), SurveyLinkPages(), MunicipalSurveys(), MeetingEvaluationChoices(),
        ]
    }
    var migrations: [any Migration] {
        [
            M010Questionnaires(), M040Surveys(), M041SurveyLinks(), M042MunicipalSurveys(),
            M043MeetingEvaluationChoices(),
        ]
    }
    var scheduled: [ScheduledTask] {
        [
            ScheduledTask(under: .reminders) { app in try await QuestionnaireSending.sendDue(application: app) },
            ScheduledTask(under: .reminders) { app in try await MeetingEvaluations.sendDue(application: app) },
        ]
    }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await QuestionnaireExport.add(to: export, on: db)
    }
}
