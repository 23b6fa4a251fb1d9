import Fluent
import Foundation
import SamradCore
import Vapor

/// How many of those asked have submitted, are drafting or have not started, unit by unit.
enum QuestionnaireProgress {
    static func of(_ q: Questionnaire, request: Request) async throws -> QuestionnaireAPI.ProgressJSON {
        if q.audienceValue.isSurvey { return try await SurveyProgress.of(q, request: request) }
        let units = try await QuestionnaireAccess.audience(q, on: request.db)
        let responses = try await QuestionnaireResponse.query(on: request.db).filter(
            \.$questionnaireID == q.requireID()
        ).all()
        let byUnit = Dictionary(responses.compactMap { r in r.unit.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        let people = Dictionary(
            uniqueKeysWithValues: try await Person.query(on: request.db).filter(\.$id ~~ q.people).all().map {
                ($0.id!, $0.name)
            })
        var rows: [QuestionnaireAPI.ProgressJSON.Unit] = []
        for unit in units {
            let r = byUnit[unit]
            rows.append(
                .init(
                    unit: unit.path,
                    name: QuestionnaireSending.unitName(unit, directory: request.municipalities, people: people),
                    status: r?.status ?? ResponseStatus.notStarted.rawValue, updatedBy: r?.updatedBy,
                    updatedAt: r?.updatedAt, submittedAt: r?.submittedAt))
        }
        let submitted = rows.filter { $0.status == ResponseStatus.submitted.rawValue }.count
        let drafting = rows.filter { $0.status == ResponseStatus.draft.rawValue }.count
        return .init(
            asked: rows.count, submitted: submitted, drafting: drafting, notStarted: rows.count - submitted - drafting,
            units: rows)
    }
}

/// The results one viewer may see: organisers everything (or what one municipality sees, to check
/// it); a participant their own answer beside their cluster, similar municipalities, region and all
/// respondents, with small groups hidden; the public all respondents together.
struct ResultsReport: Content {
    struct Group: Content { var kind: String; var key: String; var label: String }
    struct Figures: Content {
        var n: Int
        var counts: [Int]
        var shares: [Double]
        var mean: Double?
        var standardDeviation: Double?

        init(_ f: QuestionnaireResults.Figures) {
            n = f.n
            counts = f.counts
            shares = f.shares
            mean = f.mean
            standardDeviation = f.standardDeviation
        }
    }
    struct Code: Content { var key: String; var label: String }
    struct Item: Content {
        var statement: String?
        var label: String?
        var codes: [Code]
        var own: Figures?
        /// Aligned with the report's groups; null where hidden.
        var groups: [Figures?]
    }
    struct QuestionResult: Content {
        var key: String
        var kind: String
        var text: String
        var unit: String?
        var items: [Item]
        /// Text answers, without names, where the viewer may read them.
        var texts: [String]?
    }

    var questionnaire: UUID
    var title: String
    var respondents: Int
    var threshold: Int
    /// The municipality (or person) whose view this is; nil for organisers' and the public's.
    var viewpoint: String?
    var viewpointName: String?
    var groups: [Group]
    var questions: [QuestionResult]

    static func make(
        _ access: QuestionnaireAccess, viewpoint requested: String?, request: Request
    ) async throws -> ResultsReport {
        let q = access.questionnaire
        let participant = try await access.isParticipant(on: request.db)
        guard
            QuestionnairePolicy.mayViewResults(
                request.actor, owner: access.owner, visibility: q.visibilityValue,
                published: q.publishedAt != nil, isParticipant: participant)
        else {
            throw SamradError(.forbidden, "questionnaires.error.results_not_published")
        }
        if q.audienceValue.isSurvey {
            return try await SurveyReport.make(access, viewpoint: requested, participant: participant, request: request)
        }
        let loaded = try await ResultsQuery.load(
            q, directory: request.municipalities, cache: request.application.answerCache,
            pool: request.application.threadPool, on: request.db)
        request.storage[ResultsTiming.self] = ResultsTiming(
            read: loaded.readMilliseconds, compute: loaded.computeMilliseconds)
        let results = loaded.results
        let language = request.language
        // Whose view: organisers choose any asked unit; a participant sees their own.
        var unit: ResponseUnit?
        var mine: [ResponseUnit] = []
        if access.mayBuild {
            if let requested, !requested.isEmpty {
                guard let u = ResponseUnit(path: requested) else {
                    throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
                }
                unit = u
                mine = [u]
            }
        } else if participant {
            mine = try await access.answerable(on: request.db)
            unit = requested.flatMap(ResponseUnit.init(path:)).flatMap { mine.contains($0) ? $0 : nil } ?? mine.first
        }
        let organiserOverview = access.mayBuild && unit == nil
        // A person is grouped by the municipality on their record, as their answers are.
        let recorded = try await request.recordedMunicipality()
        func view(of unit: ResponseUnit) -> QuestionnaireResults.Viewpoint {
            if let r = loaded.respondent(unit) { return .of(r, in: results) }
            // Asked but not answered: the same groups, without an own answer to subtract.
            let key: MunicipalityKey? = if case .municipality(let k) = unit { k } else { recorded }
            let respondent = ResultsQuery.respondent(
                key, directory: request.municipalities, clusterOf: loaded.clusterOf)
            return .init(respondent: nil, groups: QuestionnaireResults.Viewpoint.groups(of: respondent))
        }
        // Everything the viewer may see counts at once: a coordinator of two municipalities
        // cannot put the two views side by side to isolate a few others.
        let viewpoint: QuestionnaireResults.Viewpoint =
            if let unit, let primary = mine.firstIndex(of: unit) {
                .combining(mine.map(view(of:)), primary: primary)
            } else { .everyone }
        let clusterNames = Dictionary(
            uniqueKeysWithValues: try await Cluster.query(on: request.db).filter(
                \.$collaborationID == access.requireCollaboration().requireID()
            ).all()
                .map { ($0.id!.uuidString.lowercased(), $0.name) })
        let groups = viewpoint.groups.map { g in
            Group(kind: g.kind.rawValue, key: g.key, label: label(g, request: request, clusterNames: clusterNames))
        }
        let mayReadTexts = QuestionnairePolicy.mayReadTexts(
            request.actor, owner: access.owner, visibility: q.visibilityValue,
            textsPublished: q.textsPublished, isParticipant: participant)
        var questions: [QuestionResult] = []
        for question in q.form.questions {
            var items: [Item] = []
            for (i, item) in results.items.items.enumerated() where item.question == question.key {
                let codes = item.codes.map {
                    Code(key: $0, label: codeLabel(question, $0, language: language, request: request))
                }
                let label = item.statement.flatMap { s in
                    question.statements.first { $0.key == s }?.label.text(language)
                }
                if organiserOverview {
                    items.append(
                        Item(
                            statement: item.statement, label: label, codes: codes, own: nil,
                            groups: [Figures(results.figures(group: 0, item: i))]))
                } else {
                    let seen = results.view(item: i, for: viewpoint)
                    items.append(
                        Item(
                            statement: item.statement, label: label, codes: codes,
                            own: seen.own.flatMap { $0.n > 0 ? Figures($0) : nil },
                            groups: seen.groups.map { $0.figures.map(Figures.init) }))
                }
            }
            // Texts without names, and only where enough others wrote (organisers read them all).
            let written = loaded.texts[question.key] ?? []
            let texts =
                question.kind.isText && mayReadTexts
                ? (access.mayBuild || results.mayListTexts(count: written.count, for: viewpoint) ? written : []) : nil
            questions.append(
                QuestionResult(
                    key: question.key, kind: question.kind.rawValue, text: question.text.text(language),
                    unit: question.number?.unit.text(language), items: items, texts: texts))
        }
        var people: [UUID: String] = [:]
        if case .person(let id)? = unit, let person = try await Person.find(id, on: request.db) {
            people[id] = person.name
        }
        return ResultsReport(
            questionnaire: q.id!, title: q.title, respondents: results.respondents.count, threshold: q.threshold,
            viewpoint: unit?.path,
            viewpointName: unit.map {
                QuestionnaireSending.unitName($0, directory: request.municipalities, people: people)
            },
            groups: groups, questions: questions)
    }

    static func codeLabel(_ q: Question, _ code: String, language: Language, request: Request) -> String {
        switch q.kind {
        case .singleChoice, .multipleChoice: q.options.first { $0.key == code }?.label.text(language) ?? code
        case .yesNo: request.t("questionnaires.\(code)")
        default: code
        }
    }

    static func label(_ g: ComparisonGroup, request: Request, clusterNames: [String: String]) -> String {
        switch g.kind {
        case .all: return request.t("questionnaires.group_all")
        case .own: return g.key
        case .cluster: return clusterNames[g.key] ?? request.t("questionnaires.group_cluster")
        case .region, .similar:
            let parts = g.key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let country = Country(rawValue: parts[0]) else { return g.key }
            let m = request.municipalities.all.first {
                $0.country == country && (g.kind == .region ? $0.regionCode == parts[1] : $0.groupCode == parts[1])
            }
            return (g.kind == .region ? m?.regionName : m?.groupName) ?? g.key
        }
    }
}

/// How long a results request spent reading answers and computing figures, sent back as a
/// Server-Timing header (W3C) so operators and bench/questionnaires can see where time goes.
struct ResultsTiming: StorageKey {
    typealias Value = ResultsTiming
    var read: Double
    var compute: Double

    var header: String { String(format: "read;dur=%.1f, compute;dur=%.1f", read, compute) }
}
