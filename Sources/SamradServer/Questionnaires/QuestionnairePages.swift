import Fluent
import Foundation
import SamradCore
import Vapor

/// Questionnaires in the browser: a collaboration's list, the settings form, the overview page with
/// what the viewer may do next (send, close, copy to next year, publish, answer), the response rate
/// with the reminder button, and the raw answers as CSV. The questions are built on
/// `QuestionnaireBuilder`'s pages, answered on `AnswerPages`, read on `ResultsPages`.
struct QuestionnairePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("collaborations", ":slug", "questionnaires")
        c.get(use: list)
        c.get("new", use: newForm)
        c.post("new", use: create)
        let q = routes.grouped("questionnaires", ":questionnaire")
        q.get(use: show)
        q.get("settings", use: editForm)
        q.post("settings", use: update)
        q.post("send", use: send)
        q.post("close", use: close)
        q.post("copy", use: copy)
        q.post("publication", use: publish)
        q.get("progress", use: progress)
        q.post("reminders", use: remind)
        q.get("answers.csv", use: answersCSV)
    }

    // MARK: Shared texts

    /// "Draft", "Opens …", "Open until …", "Closed …".
    static func state(_ q: Questionnaire, _ c: Collaboration, request: Request) -> (key: String, text: String) {
        let now = Date()
        let deadline = DateText.dateTime(q.closesAt, request.language, zone: c.timeZone)
        if q.sentAt == nil { return ("draft", request.t("questionnaires.state_draft", [deadline])) }
        if q.window.hasClosed(at: now) {
            return (
                "closed",
                request.t(
                    "questionnaires.state_closed",
                    [
                        DateText.dateTime(
                            q.closedAt.map { min($0, q.closesAt) } ?? q.closesAt, request.language, zone: c.timeZone)
                    ])
            )
        }
        if let opens = q.opensAt, opens > now {
            return (
                "scheduled",
                request.t(
                    "questionnaires.state_scheduled",
                    [DateText.dateTime(opens, request.language, zone: c.timeZone), deadline])
            )
        }
        return ("open", request.t("questionnaires.state_open", [deadline]))
    }

    static func statusLabel(_ status: String, request: Request) -> String { request.t("response_status.\(status)") }

    // MARK: The list

    struct Row: Encodable {
        var href: String; var title: String; var state: String; var stateKey: String; var audience: String
    }
    struct ListContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var mayBuild: Bool
        var rows: [Row]
    }

    func list(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        let all = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$closesAt, .descending
        ).all()
        let rows = try await QuestionnaireLifecycle.visible(all, in: c, request: request).map { q in
            let state = Self.state(q, c, request: request)
            return Row(
                href: q.href, title: q.title, state: state.text, stateKey: state.key,
                audience: request.t("questionnaire_audience.\(q.audience)"))
        }
        return try await request.view.render(
            "questionnaires/list",
            ListContext(
                page: PageContext(request, titleKey: "questionnaires.title"), title: c.title, slug: c.slug,
                mayBuild: QuestionnairePolicy.mayBuild(request.actor, organiserID: c.organiserID), rows: rows))
    }

    // MARK: Settings

    struct SettingsContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var action: String
        var isNew: Bool
        var form: FormState
        var audiences: [Option]
        var clusters: [Option]
        var starts: [Option]
        var hasPrevious: Bool
        var timeZone: String
    }

    static let settingsFields = [
        "title", "intro", "audience", "clusterID", "people", "opensAt", "closesAt", "reminderDays", "threshold",
        "prefill", "startFrom",
    ]

    func settingsContext(
        _ request: Request, _ c: Collaboration, form: FormState, questionnaire: Questionnaire?
    ) async throws -> SettingsContext {
        let v = form.values
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        var starts: [Option] = []
        if questionnaire == nil {
            // Questions may start from any questionnaire the organiser builds, e.g. last year's in another
            // collaboration.
            let others = try await Questionnaire.query(on: request.db).sort(\.$closesAt, .descending).limit(200).all()
            let owners = try await Collaboration.query(on: request.db).filter(
                \.$id ~~ Array(Set(others.map(\.collaborationID)))
            ).all()
            let collaborations = Dictionary(uniqueKeysWithValues: owners.map { ($0.id!, $0) })
            starts =
                [
                    Option(
                        value: "", label: request.t("questionnaires.start_empty"),
                        selected: (v["startFrom"] ?? "").isEmpty)
                ]
                + others.compactMap { q in
                    guard let owner = collaborations[q.collaborationID],
                        QuestionnairePolicy.mayBuild(request.actor, organiserID: owner.organiserID)
                    else { return nil }
                    return Option(
                        value: q.id!.uuidString, label: "\(q.title) (\(owner.title))",
                        selected: v["startFrom"] == q.id!.uuidString)
                }
        }
        return SettingsContext(
            page: PageContext(
                request, titleKey: questionnaire == nil ? "questionnaires.new_title" : "questionnaires.settings_title"),
            title: questionnaire?.title ?? c.title,
            backHref: questionnaire?.href ?? "/collaborations/\(c.slug)/questionnaires",
            action: questionnaire.map { $0.href + "/settings" } ?? "/collaborations/\(c.slug)/questionnaires/new",
            isNew: questionnaire == nil, form: form,
            audiences: QuestionnaireAudience.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("questionnaire_audience.\($0.rawValue)"),
                    selected: (v["audience"] ?? "registered") == $0.rawValue)
            },
            clusters: [
                Option(
                    value: "", label: request.t("questionnaires.no_cluster"), selected: (v["clusterID"] ?? "").isEmpty)
            ]
                + clusters.map {
                    Option(value: $0.id!.uuidString, label: $0.name, selected: v["clusterID"] == $0.id!.uuidString)
                },
            starts: starts, hasPrevious: questionnaire?.previousID != nil, timeZone: c.timeZone)
    }

    static func values(_ q: Questionnaire, people: [Person], zone: String) -> [String: String] {
        [
            "title": q.title, "intro": q.intro, "audience": q.audience, "clusterID": q.clusterID?.uuidString ?? "",
            "people": people.compactMap(\.email).joined(separator: "\n"),
            "opensAt": q.opensAt.map { DateText.local($0, zone: zone) } ?? "",
            "closesAt": DateText.local(q.closesAt, zone: zone),
            "reminderDays": q.reminderDays.map(String.init).joined(separator: ", "),
            "threshold": String(q.threshold), "prefill": q.prefill ? "on" : "",
        ]
    }

    /// The settings form as the input the API takes; named people are given by e-mail address, one
    /// per line, and each unknown address is named.
    static func settingsInput(
        _ values: [String: String], form: QuestionnaireForm?, on db: any Database
    ) async throws -> QuestionnaireInput {
        var v = Validation()
        let days = QuestionnaireWindow.reminderDays(values["reminderDays"] ?? "", field: "reminderDays", &v)
        // Only whether it is a number; its range is checked with the other fields in `QuestionnaireInput`.
        let thresholdText = (values["threshold"] ?? "").trimmingCharacters(in: .whitespaces)
        let threshold = thresholdText.isEmpty ? nil : Int(thresholdText)
        if !thresholdText.isEmpty && threshold == nil { v.add("threshold", "validation.whole_number") }
        var people: [UUID] = []
        if values["audience"] == QuestionnaireAudience.people.rawValue {
            let emails = (values["people"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," || $0 == ";" })
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            let found = emails.isEmpty ? [] : try await Person.query(on: db).filter(\.$email ~~ emails).all()
            for email in emails {
                if let person = found.first(where: { $0.email?.lowercased() == email }) {
                    people.append(person.id!)
                } else {
                    v.add("people", "questionnaires.error.unknown_email", [email])
                }
            }
        }
        try v.check()
        return QuestionnaireInput(
            title: values["title"], intro: values["intro"], audience: values["audience"],
            clusterID: values["clusterID"].flatMap(UUID.init(uuidString:)), people: people, opensAt: values["opensAt"],
            closesAt: values["closesAt"], reminderDays: days, threshold: threshold, prefill: values["prefill"] == "on",
            form: form)
    }

    func newForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(QuestionnairePolicy.mayBuild(request.actor, organiserID: c.organiserID))
        let values = ["audience": "registered", "threshold": "5", "reminderDays": "7, 2"]
        return try await request.view.render(
            "questionnaires/settings", settingsContext(request, c, form: FormState(values: values), questionnaire: nil))
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(QuestionnairePolicy.mayBuild(request.actor, organiserID: c.organiserID))
        let values = try request.content.decode([String: String].self).filter { Self.settingsFields.contains($0.key) }
        do {
            var form = QuestionnaireForm(sections: [QuestionnaireBuilder.firstSection(request)])
            var previous: Questionnaire?
            if let id = values["startFrom"].flatMap(UUID.init(uuidString:)) {
                guard let source = try await Questionnaire.find(id, on: request.db),
                    let owner = try await Collaboration.find(source.collaborationID, on: request.db),
                    QuestionnairePolicy.mayBuild(request.actor, organiserID: owner.organiserID)
                else {
                    throw SamradError.invalid([FieldError(field: "startFrom", "validation.choice")])
                }
                form = source.form
                previous = source
            }
            let input = try await Self.settingsInput(values, form: form, on: request.db)
            let q = Questionnaire()
            // Starting from an earlier questionnaire makes this its next edition: answers may pre-fill.
            q.previousID = previous?.id
            try await request.db.transaction { db in
                try await input.apply(to: q, collaboration: c, request: request, on: db, draft: true)
                try await Audit.record(
                    "questionnaire:create", subject: "questionnaire", id: q.id!.uuidString, summary: q.title,
                    by: request, on: db)
            }
            return request.redirect(to: q.href + "/questions", notice: "questionnaires.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/settings",
                settingsContext(
                    request, c, form: FormState(values: values, error: error, request: request), questionnaire: nil))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire
        let people =
            q.people.isEmpty ? [] : try await Person.query(on: request.db).filter(\.$id ~~ q.people).sort(\.$name).all()
        return try await request.view.render(
            "questionnaires/settings",
            settingsContext(
                request, access.collaboration,
                form: FormState(values: Self.values(q, people: people, zone: access.collaboration.timeZone)),
                questionnaire: q))
    }

    func update(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire
        let values = try request.content.decode([String: String].self).filter { Self.settingsFields.contains($0.key) }
        do {
            let input = try await Self.settingsInput(values, form: nil, on: request.db)
            try await request.db.transaction { db in
                try await input.apply(to: q, collaboration: access.collaboration, request: request, on: db, draft: true)
                try await Audit.record(
                    "questionnaire:update", subject: "questionnaire", id: q.id!.uuidString, summary: q.title,
                    by: request, on: db)
            }
            return request.redirect(to: q.href, notice: "questionnaires.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/settings",
                settingsContext(
                    request, access.collaboration,
                    form: FormState(values: values, error: error, request: request), questionnaire: q))
        }
    }

    // MARK: The overview

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
    }

    func show(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.load(request)
        return try await request.view.render("questionnaires/show", showContext(request, access))
    }

    func showContext(
        _ request: Request, _ access: QuestionnaireAccess, copy: FormState? = nil
    ) async throws -> ShowContext {
        let q = access.questionnaire, c = access.collaboration
        let now = Date()
        let state = Self.state(q, c, request: request)
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
                            DateText.dateTime($0.createdAt ?? now, request.language, zone: c.timeZone),
                        ])
                } : []
        let nextYear = Calendar(identifier: .gregorian).date(byAdding: .year, value: 1, to: q.closesAt) ?? q.closesAt
        return ShowContext(
            page: PageContext(request, titleKey: "questionnaires.title", title: q.title),
            id: q.id!.uuidString.lowercased(), href: q.href, title: q.title,
            collaboration: Link(href: "/collaborations/\(c.slug)/questionnaires", label: c.title), intro: q.intro,
            state: state.text, stateKey: state.key,
            audience: request.t("questionnaire_audience.\(q.audience)"), questionCount: q.form.questions.count,
            threshold: q.threshold,
            mayBuild: access.mayBuild, sent: q.sentAt != nil, open: q.sentAt != nil && q.window.isOpen(at: now),
            closed: q.window.hasClosed(at: now),
            answerable: answerable,
            mayViewResults: QuestionnairePolicy.mayViewResults(
                request.actor, organiserID: c.organiserID, visibility: q.visibilityValue,
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
                    "title": Self.nextTitle(q.title), "closesAt": DateText.local(nextYear, zone: c.timeZone),
                    "prefill": "on",
                ]),
            revisions: revisions)
    }

    /// "Status 2014" → "Status 2015": a year in the title moves on by one.
    static func nextTitle(_ title: String) -> String {
        guard let range = title.range(of: #"(19|20)\d\d"#, options: [.regularExpression, .backwards]),
            let year = Int(title[range])
        else { return title }
        return title.replacingCharacters(in: range, with: String(year + 1))
    }

    // MARK: Actions

    func send(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        do {
            let sent = try await QuestionnaireSending.send(access, request: request)
            request.setNotice(
                sent.withoutRecipient.isEmpty ? "questionnaires.sent" : "questionnaires.sent_without",
                [String(sent.units), String(sent.recipients), sent.withoutRecipient.joined(separator: ", ")])
        } catch let error as SamradError where error.kind == .conflict {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href)
    }

    func close(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        if try await QuestionnaireLifecycle.close(access, request: request) {
            request.setNotice("questionnaires.closed_now")
        }
        return request.redirect(to: access.questionnaire.href)
    }

    func copy(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let values = try request.content.decode([String: String].self).filter {
            ["title", "opensAt", "closesAt", "prefill"].contains($0.key)
        }
        do {
            let q = try await QuestionnaireLifecycle.nextEdition(
                of: access, title: values["title"], opensAt: values["opensAt"], closesAt: values["closesAt"],
                prefill: values["prefill"] == "on", request: request)
            return request.redirect(to: q.href, notice: "questionnaires.copied")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/show",
                showContext(request, access, copy: FormState(values: values, error: error, request: request)))
        }
    }

    struct PublicationForm: Content { var published: String?; var visibility: String?; var textsPublished: String? }

    func publish(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let form = try request.content.decode(PublicationForm.self)
        let published = form.published == "on"
        do {
            try await QuestionnaireLifecycle.publish(
                access, published: published, visibility: form.visibility, textsPublished: form.textsPublished == "on",
                request: request)
            request.setNotice(published ? "questionnaires.published" : "questionnaires.unpublished")
        } catch let error as SamradError where error.kind == .conflict || error.kind == .invalidInput {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href)
    }

    // MARK: Response rate

    struct ProgressRow: Encodable {
        var name: String
        var status: String
        var statusLabel: String
        var updated: String?
        var submitted: String?
        var href: String
    }
    struct ProgressContext: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var asked: Int
        var submitted: Int
        var drafting: Int
        var notStarted: Int
        var rate: String
        var open: Bool
        var rows: [ProgressRow]
        var filters: [Option]
    }

    func progress(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire, zone = access.collaboration.timeZone
        let p = try await QuestionnaireProgress.of(q, request: request)
        let filter = request.query[String.self, at: "status"] ?? ""
        let rows = p.units.filter { filter.isEmpty || $0.status == filter }.map { u in
            ProgressRow(
                name: u.name, status: u.status, statusLabel: Self.statusLabel(u.status, request: request),
                updated: u.updatedAt.map {
                    request.t(
                        "questionnaires.updated_by",
                        [DateText.dateTime($0, request.language, zone: zone), u.updatedBy ?? "–"])
                },
                submitted: u.submittedAt.map { DateText.dateTime($0, request.language, zone: zone) },
                href: ResponseUnit(path: u.unit).map { AnswerPages.href(q, $0) } ?? q.href)
        }
        let rate =
            p.asked == 0
            ? "–"
            : NumberText.decimal(Double(p.submitted) / Double(p.asked) * 100, request.language, fractionDigits: 0)
                + " %"
        return try await request.view.render(
            "questionnaires/progress",
            ProgressContext(
                page: PageContext(request, titleKey: "questionnaires.progress_title"), title: q.title, href: q.href,
                asked: p.asked, submitted: p.submitted,
                drafting: p.drafting, notStarted: p.notStarted, rate: rate,
                open: q.sentAt != nil && q.window.isOpen(at: Date()), rows: rows,
                filters: [Option(value: "", label: request.t("questionnaires.all_statuses"), selected: filter.isEmpty)]
                    + ResponseStatus.allCases.map {
                        Option(
                            value: $0.rawValue, label: Self.statusLabel($0.rawValue, request: request),
                            selected: filter == $0.rawValue)
                    }))
    }

    func remind(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        do {
            let reminded = try await QuestionnaireLifecycle.remind(access, request: request)
            request.setNotice("questionnaires.reminded", [String(reminded)])
        } catch let error as SamradError where error.kind == .conflict {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href + "/progress")
    }

    // MARK: Raw answers

    /// Every response, one row per municipality (or person): status, who submitted, then one column
    /// per question (per statement for a matrix). Organisers only; names of drafters are not in it.
    func answersCSV(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire
        var columns: [(question: Question, statement: String?)] = []
        for question in q.form.questions {
            if question.kind == .matrix {
                columns += question.statements.map { (question, $0.key) }
            } else {
                columns.append((question, nil))
            }
        }
        var csv = CSVWriter(
            header: ["unit", "name", "status", "submitted_at", "submitted_by"]
                + columns.map { column in column.statement.map { "\(column.question.key).\($0)" } ?? column.question.key
                })
        let responses = try await QuestionnaireResponse.query(on: request.db).filter(
            \.$questionnaireID == q.requireID()
        ).all()
        let ids = responses.compactMap(\.id)
        let records = ids.isEmpty ? [] : try await AnswerRecord.query(on: request.db).filter(\.$responseID ~~ ids).all()
        let byResponse = Dictionary(grouping: records, by: \.responseID)
        let people = Dictionary(
            uniqueKeysWithValues: try await Person.query(on: request.db).filter(
                \.$id ~~ responses.compactMap(\.personID)
            ).all().map { ($0.id!, $0.name) })
        let rows = responses.compactMap { r in r.unit.map { (unit: $0, response: r) } }.sorted {
            $0.unit.path < $1.unit.path
        }
        for (unit, r) in rows {
            let sheet = AnswerSheet(cells: (byResponse[r.id!] ?? []).map(\.cell), form: q.form)
            var fields = [
                unit.path, QuestionnaireSending.unitName(unit, directory: request.municipalities, people: people),
                r.status,
                r.submittedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "", r.submittedBy ?? "",
            ]
            for column in columns {
                fields.append(Self.csvValue(sheet.answers[column.question.key], statement: column.statement))
            }
            csv.append(fields)
        }
        return csv.response(filename: "\(Self.fileName(q))-answers.csv")
    }

    static func fileName(_ q: Questionnaire) -> String {
        Slug.make(q.title).isEmpty ? "questionnaire" : Slug.make(q.title)
    }

    static func csvValue(_ value: AnswerValue?, statement: String?) -> String {
        switch value {
        case nil: ""
        case .option(let o): o
        case .options(let os): os.joined(separator: ";")
        case .scale(let p): String(p)
        case .number(let n): NumberText.plain(n)
        case .yesNo(let y): y ? "yes" : "no"
        case .text(let t): t
        case .matrix(let points): statement.flatMap { points[$0] }.map(String.init) ?? ""
        }
    }
}
