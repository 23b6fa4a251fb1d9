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

/// A meeting's evaluation as the meeting page shows it, to its organisers and its host's
/// coordinators: whom it went to, and once it has closed, the results of all who answered. Before
/// it goes out, its organisers read whether it will and may decline it.
enum EvaluationSummary {
    struct View: Encodable {
        var href: String?
        var line: String
        var questions: [ResultsPages.QuestionView]
        /// Before the meeting ends, for its organisers: the button that turns the evaluation off or on.
        var choice: Choice?
    }

    struct Choice: Encodable {
        var action: String
        /// The value the button sends: "no" while it will be sent, "yes" once declined.
        var value: String
        var label: String
    }

    static func of(_ meeting: Meeting, zone: String, request: Request) async throws -> View? {
        guard let summary = try await MeetingEvaluations.summary(meeting, request: request) else {
            return try await planned(meeting, request: request)
        }
        // The page changes when the evaluation closes and its results show.
        request.keepUntil(summary.closesAt)
        let line =
            summary.closed
            ? request.t("surveys.evaluation_answered", count: summary.asked, [String(summary.answered)])
            : request.t(
                "surveys.evaluation_open", count: summary.asked,
                [DateText.dateTime(summary.closesAt, request.language, zone: zone)])
        return View(href: summary.href, line: line, questions: summary.questions)
    }

    /// None sent yet: organisers of a meeting that has not ended read whether it will be, and choose.
    static func planned(_ meeting: Meeting, request: Request) async throws -> View? {
        guard meeting.endsAt > Date(), meeting.statusValue != .cancelled,
            let c = try await Collaboration.find(meeting.collaborationID, on: request.db),
            SurveyPolicy.mayChooseEvaluation(request.actor, organiserID: c.organiserID)
        else { return nil }
        let sends = try await MeetingEvaluationChoices.sends(meeting.requireID(), on: request.db)
        return View(
            href: nil,
            line: sends
                ? request.t("surveys.evaluation_planned", count: MeetingEvaluation.openDays, [])
                : request.t("surveys.evaluation_declined"),
            questions: [],
            choice: Choice(
                action: meeting.href + "/evaluation", value: sends ? "no" : "yes",
                label: request.t(sends ? "surveys.evaluation_decline" : "surveys.evaluation_send")))
    }
}

/// Pupil surveys beside a municipality's or a school's indicators (its dashboard and its dialogue
/// report): for each published pupil survey of a collaboration it is registered in, or of its own, as
/// far as the reader may see its results, the mean of each scale question and the share answering yes
/// to each yes/no question, the place's own beside the wider group's (its country's; in a
/// municipality's own survey, a school's municipality), small groups hidden as on the results page.
enum PupilSurveyFigures {
    struct Row: Encodable {
        var question: String
        var own: String
        /// None where nothing is wider: a municipality's own survey read for the municipality.
        var wider: String?
    }

    struct Survey: Encodable {
        var title: String
        var href: String
        var ownLabel: String
        var widerLabel: String?
        var rows: [Row]
    }

    static func of(
        _ municipality: MunicipalityKey, school: String? = nil, request: Request
    ) async throws -> [Survey] {
        let collaborations = try await Registration.query(on: request.db)
            .filter(\.$municipalityCountry == municipality.country.rawValue)
            .filter(\.$municipalityCode == municipality.code)
            .filter(\.$status == RegistrationStatus.registered.rawValue).all().map(\.collaborationID)
        let surveys = try await Questionnaire.query(on: request.db)
            .group(.or) { either in
                either.filter(\.$collaborationID ~~ collaborations.map(Optional.some))
                either.group(.and) {
                    $0.filter(\.$municipalityCountry == municipality.country.rawValue)
                        .filter(\.$municipalityCode == municipality.code)
                }
            }
            .filter(\.$audience == QuestionnaireAudience.pupils.rawValue).filter(\.$publishedAt != nil)
            .sort(\.$closesAt, .descending).all()
        var shown: [Survey] = []
        for q in surveys {
            guard let origin = try await QuestionnaireOrigin.of(q, directory: request.municipalities, on: request.db)
            else { continue }
            let access = QuestionnaireAccess(questionnaire: q, origin: origin, actor: request.actor, link: nil)
            let participant = request.actor.belongs(to: municipality)
            guard access.mayBuild || participant,
                QuestionnairePolicy.mayViewResults(
                    request.actor, owner: origin.owner, visibility: q.visibilityValue, published: true,
                    isParticipant: participant)
            else { continue }
            let place = municipality.description + (school.map { "/\($0)" } ?? "")
            let report = try await SurveyReport.make(access, viewpoint: place, participant: true, request: request)
            guard let own = report.groups.first else { continue }
            let wider = report.groups.count > 1 ? report.groups.last : nil
            let hidden = request.t("questionnaires.hidden_group", [String(q.surveyThreshold)])
            var rows: [Row] = []
            for result in report.questions {
                guard let item = result.items.first, result.kind == "likert" || result.kind == "yes_no" else {
                    continue
                }
                func value(_ figures: ResultsReport.Figures?) -> String {
                    guard let figures else { return hidden }
                    if result.kind == "yes_no" {
                        let share = (figures.shares.first ?? 0) * 100
                        return NumberText.decimal(share, request.language, fractionDigits: 0) + " %"
                    }
                    return figures.mean.map { NumberText.decimal($0, request.language) } ?? "–"
                }
                rows.append(
                    Row(
                        question: result.text, own: value(item.groups.first ?? nil),
                        wider: wider == nil ? nil : value(item.groups.last ?? nil)))
            }
            shown.append(
                Survey(
                    title: q.title, href: q.href + "/results?municipality=" + place, ownLabel: own.label,
                    widerLabel: wider?.label, rows: rows))
        }
        return shown
    }
}
