import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: the overview.
extension QuestionnairePages {
    struct UnitLink: Encodable { var href: String; var name: String; var status: String; var statusLabel: String }
    struct ShowContext: Encodable {
        var page: PageContext
        var id: String
        var href: String
        var title: String
        var collaboration: Link
        var intro: String
        var state: String
        var stateKey: String
        var audience: String
        var questionCount: Int
        var threshold: Int
        var mayBuild: Bool
        var sent: Bool
        /// The raw answers, for those who build it once it is sent.
        var downloads: [DownloadLinks]
        var open: Bool
        var closed: Bool
        var answerable: [UnitLink]
        var mayViewResults: Bool
        var published: Bool
        var visibilities: [Option]
        var textsPublished: Bool
        var progress: String?
        var copy: FormState
        var revisions: [String]
        /// A pupil survey: where class codes are made.
        var classCodesHref: String?
        /// A survey of many: nobody's answers pre-fill another's, and pupils answer by class code.
        var isSurvey: Bool
        var pupils: Bool
    }

    func show(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.load(request)
        return try await request.view.render("questionnaires/show", showContext(request, access))
    }

    func showContext(
        _ request: Request, _ access: QuestionnaireAccess, copy: FormState? = nil
    ) async throws -> ShowContext {
        let q = access.questionnaire, zone = access.timeZone
        let now = Date()
        let state = Self.state(q, zone: zone, request: request)
        var answerable: [UnitLink] = []
        var participant = false
        if q.sentAt != nil {
            participant = try await access.isParticipant(on: request.db)
            let units = try await access.answerable(on: request.db)
            let responses = try await QuestionnaireResponse.query(on: request.db).filter(
                \.$questionnaireID == q.requireID()
            ).all()
            let people = Dictionary(
                uniqueKeysWithValues: try await Person.query(on: request.db).filter(
                    \.$id
                        ~~ units.compactMap {
                            if case .person(let id) = $0 { id } else { nil }
                        }
                ).all().map { ($0.id!, $0.name) })
            for unit in units {
                let status = responses.first { $0.unit == unit }?.status ?? ResponseStatus.notStarted.rawValue
                answerable.append(
                    UnitLink(
                        href: AnswerPages.href(q, unit),
                        name: QuestionnaireSending.unitName(unit, directory: request.municipalities, people: people),
                        status: status, statusLabel: Self.statusLabel(status, request: request)))
            }
        }
        var progress: String?
        if access.mayBuild && q.sentAt != nil {
            let p = try await QuestionnaireProgress.of(q, request: request)
            progress = request.t(
                "questionnaires.progress_line", [String(p.submitted), String(p.asked), String(p.drafting)])
        }
        let revisions =
            access.mayBuild
            ? try await QuestionnaireRevision.query(on: request.db).filter(\.$questionnaireID == q.requireID()).sort(
                \.$revision
            ).all()
                .map {
                    request.t(
                        "questionnaires.revision_line",
                        [
                            String($0.revision), $0.changed.joined(separator: ", "), $0.changedBy ?? "–",
                            DateText.dateTime($0.createdAt ?? now, request.language, zone: zone),
                        ])
                } : []
        let nextYear = Calendar(identifier: .gregorian).date(byAdding: .year, value: 1, to: q.closesAt) ?? q.closesAt
        return ShowContext(
            page: PageContext(request, titleKey: "questionnaires.title", title: q.title),
            id: q.id!.uuidString.lowercased(), href: q.href, title: q.title,
            collaboration: Link(href: access.origin.listHref, label: access.origin.title), intro: q.intro,
            state: state.text, stateKey: state.key,
            audience: access.origin.audienceLabel(q.audience, request), questionCount: q.form.questions.count,
            threshold: q.threshold,
            mayBuild: access.mayBuild, sent: q.sentAt != nil,
            downloads: access.mayBuild && q.sentAt != nil
                ? [DownloadLinks(base: q.href + "/answers", label: request.t("questionnaires.answers_csv"))] : [],
            open: q.sentAt != nil && q.window.isOpen(at: now),
            closed: q.window.hasClosed(at: now),
            answerable: answerable,
            mayViewResults: QuestionnairePolicy.mayViewResults(
                request.actor, owner: access.owner, visibility: q.visibilityValue,
                published: q.publishedAt != nil, isParticipant: participant),
            published: q.publishedAt != nil,
            visibilities: ResultsVisibility.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("results_visibility.\($0.rawValue)"),
                    selected: q.visibility == $0.rawValue)
            },
            textsPublished: q.textsPublished, progress: progress,
            copy: copy
                ?? FormState(values: [
                    "title": Self.nextTitle(q.title), "closesAt": DateText.local(nextYear, zone: zone),
                    "prefill": "on",
                ]),
            revisions: revisions,
            classCodesHref: q.audienceValue == .pupils && (access.mayBuild || participant)
                ? q.href + "/class-codes" : nil,
            isSurvey: q.audienceValue.isSurvey, pupils: q.audienceValue == .pupils)
    }

    /// "Status 2014" → "Status 2015": a year in the title moves on by one.
    static func nextTitle(_ title: String) -> String {
        guard let range = title.range(of: #"(19|20)\d\d"#, options: [.regularExpression, .backwards]),
            let year = Int(title[range])
        else { return title }
        return title.replacingCharacters(in: range, with: String(year + 1))
    }
}
