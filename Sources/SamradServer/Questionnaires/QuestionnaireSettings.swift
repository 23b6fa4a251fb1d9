import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: settings.
extension QuestionnairePages {
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
        var anonymities: [AnonymityChoice]
        /// Checkboxes named `position_<position>`.
        var positions: [Option]
        var meetings: [Option]
        /// A collaboration's questionnaire; a municipality's own survey has no clusters, people or meetings.
        var ofCollaboration: Bool
    }

    /// What a survey may promise, with what it means for those asked.
    struct AnonymityChoice: Encodable {
        var value: String
        var label: String
        var hint: String
        var selected: Bool
    }

    static let settingsFields = [
        "title", "intro", "audience", "clusterID", "people", "opensAt", "closesAt", "reminderDays", "threshold",
        "prefill", "startFrom", "anonymity", "meetingID", "addresses", "asksSchool",
    ]

    /// The form's own fields, and a checkbox per position.
    static func settingsValues(_ request: Request) throws -> [String: String] {
        try request.content.decode([String: String].self).filter {
            settingsFields.contains($0.key) || $0.key.hasPrefix("position_")
        }
    }

    func settingsContext(
        _ request: Request, _ origin: QuestionnaireOrigin, form: FormState, questionnaire: Questionnaire?
    ) async throws -> SettingsContext {
        let v = form.values
        let c = origin.collaboration
        var clusters: [Cluster] = [], meetings: [Meeting] = []
        if let id = c?.id {
            clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == id).sort(\.$position).all()
            meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == id).sort(\.$startsAt).all()
        }
        var starts: [Option] = []
        if questionnaire == nil {
            // Questions may start from any questionnaire the organiser builds, e.g. last year's in another
            // collaboration.
            let others = try await Questionnaire.query(on: request.db).sort(\.$closesAt, .descending).limit(200).all()
            // Their collaborations in one query; a municipality's own survey names its municipality.
            let collaborations = Dictionary(
                uniqueKeysWithValues: try await Collaboration.query(on: request.db)
                    .filter(\.$id ~~ Array(Set(others.compactMap(\.collaborationID)))).all().map { ($0.id!, $0) })
            var origins: [UUID: QuestionnaireOrigin] = [:]
            for q in others {
                if let id = q.collaborationID {
                    origins[q.id!] = collaborations[id].map(QuestionnaireOrigin.collaboration)
                } else {
                    origins[q.id!] = q.ownMunicipality.flatMap { request.municipalities[$0] }
                        .map(QuestionnaireOrigin.municipality)
                }
            }
            starts =
                [
                    Option(
                        value: "", label: request.t("questionnaires.start_empty"),
                        selected: (v["startFrom"] ?? "").isEmpty)
                ]
                + others.compactMap { q in
                    guard let owner = origins[q.id!], QuestionnairePolicy.mayBuild(request.actor, owner: owner.owner)
                    else { return nil }
                    return Option(
                        value: q.id!.uuidString, label: "\(q.title) (\(owner.title))",
                        selected: v["startFrom"] == q.id!.uuidString)
                }
        }
        return SettingsContext(
            page: PageContext(
                request, titleKey: questionnaire == nil ? "questionnaires.new_title" : "questionnaires.settings_title"),
            title: questionnaire?.title ?? origin.title,
            backHref: questionnaire?.href ?? origin.listHref,
            action: questionnaire.map { $0.href + "/settings" } ?? origin.listHref + "/new",
            isNew: questionnaire == nil, form: form,
            audiences: QuestionnaireInput.audiences(origin).map {
                Option(
                    value: $0.rawValue, label: origin.audienceLabel($0.rawValue, request),
                    selected: (v["audience"] ?? "registered") == $0.rawValue)
            },
            clusters: [
                Option(
                    value: "", label: request.t("questionnaires.no_cluster"), selected: (v["clusterID"] ?? "").isEmpty)
            ]
                + clusters.map {
                    Option(value: $0.id!.uuidString, label: $0.name, selected: v["clusterID"] == $0.id!.uuidString)
                },
            starts: starts, hasPrevious: questionnaire?.previousID != nil, timeZone: origin.timeZone,
            anonymities: SurveyAnonymity.allCases.map {
                AnonymityChoice(
                    value: $0.rawValue, label: request.t("survey_anonymity.\($0.rawValue)"),
                    hint: request.t("survey_anonymity.\($0.rawValue).hint"),
                    selected: (v["anonymity"] ?? "anonymous") == $0.rawValue)
            },
            positions: Position.allCases.map {
                Option(
                    value: "position_\($0.rawValue)", label: request.t("position.\($0.rawValue)"),
                    selected: v["position_\($0.rawValue)"] == "on")
            },
            meetings: [
                Option(value: "", label: request.t("surveys.no_meeting"), selected: (v["meetingID"] ?? "").isEmpty)
            ]
                + meetings.map {
                    Option(
                        value: $0.id!.uuidString,
                        label: "\($0.title) (\(DateText.date($0.startsAt, request.language, zone: $0.timeZone)))",
                        selected: v["meetingID"] == $0.id!.uuidString)
                },
            ofCollaboration: c != nil)
    }

    static func values(
        _ q: Questionnaire, people: [Person], survey: SurveySettings?, zone: String
    ) -> [String: String] {
        var values = [
            "title": q.title, "intro": q.intro, "audience": q.audience, "clusterID": q.clusterID?.uuidString ?? "",
            "people": people.compactMap(\.email).joined(separator: "\n"),
            "opensAt": q.opensAt.map { DateText.local($0, zone: zone) } ?? "",
            "closesAt": DateText.local(q.closesAt, zone: zone),
            "reminderDays": q.reminderDays.map(String.init).joined(separator: ", "),
            "threshold": String(q.threshold), "prefill": q.prefill ? "on" : "",
        ]
        if let survey {
            values["anonymity"] = survey.anonymity
            for position in survey.positions { values["position_\(position)"] = "on" }
            values["meetingID"] = survey.meetingID?.uuidString ?? ""
            values["addresses"] = survey.addresses.map { $0.replacingOccurrences(of: ";", with: "; ") }
                .joined(separator: "\n")
            values["asksSchool"] = survey.asksSchool ? "on" : ""
        }
        return values
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
        let positions = values.compactMap { key, value in
            key.hasPrefix("position_") && value == "on" ? String(key.dropFirst(9)) : nil
        }
        return QuestionnaireInput(
            title: values["title"], intro: values["intro"], audience: values["audience"],
            clusterID: values["clusterID"].flatMap(UUID.init(uuidString:)), people: people, opensAt: values["opensAt"],
            closesAt: values["closesAt"], reminderDays: days, threshold: threshold, prefill: values["prefill"] == "on",
            form: form, anonymity: values["anonymity"], positions: positions,
            meetingID: values["meetingID"].flatMap(UUID.init(uuidString:)),
            addresses: (values["addresses"] ?? "").split(whereSeparator: \.isNewline).map(String.init),
            asksSchool: values["asksSchool"] == "on")
    }

    func newForm(_ request: Request) async throws -> View {
        try await newForm(request, origin: .collaboration(try await CollaborationAccess.load(request)))
    }

    func create(_ request: Request) async throws -> Response {
        try await create(request, origin: .collaboration(try await CollaborationAccess.load(request)))
    }

    /// A new questionnaire of a collaboration, or a municipality's own survey.
    func newForm(_ request: Request, origin: QuestionnaireOrigin) async throws -> View {
        try request.require(QuestionnairePolicy.mayBuild(request.actor, owner: origin.owner))
        let audience: QuestionnaireAudience = origin.collaboration == nil ? .pupils : .registered
        let values = ["audience": audience.rawValue, "threshold": "5", "reminderDays": "7, 2"]
        return try await request.view.render(
            "questionnaires/settings",
            settingsContext(request, origin, form: FormState(values: values), questionnaire: nil))
    }

    func create(_ request: Request, origin: QuestionnaireOrigin) async throws -> Response {
        try request.require(QuestionnairePolicy.mayBuild(request.actor, owner: origin.owner))
        let values = try Self.settingsValues(request)
        do {
            var form = QuestionnaireForm(sections: [QuestionnaireBuilder.firstSection(request)])
            var previous: Questionnaire?
            if let id = values["startFrom"].flatMap(UUID.init(uuidString:)) {
                guard let source = try await Questionnaire.find(id, on: request.db),
                    let owner = try await QuestionnaireOrigin.of(
                        source, directory: request.municipalities, on: request.db),
                    QuestionnairePolicy.mayBuild(request.actor, owner: owner.owner)
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
                try await input.apply(to: q, origin: origin, request: request, on: db, draft: true)
                try await Audit.record(
                    "questionnaire:create", subject: "questionnaire", id: q.id!.uuidString, summary: q.title,
                    by: request, on: db)
            }
            return request.redirect(to: q.href + "/questions", notice: "questionnaires.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/settings",
                settingsContext(
                    request, origin, form: FormState(values: values, error: error, request: request),
                    questionnaire: nil))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire
        let people =
            q.people.isEmpty ? [] : try await Person.query(on: request.db).filter(\.$id ~~ q.people).sort(\.$name).all()
        let survey = try await SurveySettings.find(q.id, on: request.db)
        let values = Self.values(q, people: people, survey: survey, zone: access.timeZone)
        return try await request.view.render(
            "questionnaires/settings",
            settingsContext(request, access.origin, form: FormState(values: values), questionnaire: q))
    }

    func update(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire
        let values = try Self.settingsValues(request)
        do {
            let input = try await Self.settingsInput(values, form: nil, on: request.db)
            try await request.db.transaction { db in
                try await input.apply(to: q, origin: access.origin, request: request, on: db, draft: true)
                try await Audit.record(
                    "questionnaire:update", subject: "questionnaire", id: q.id!.uuidString, summary: q.title,
                    by: request, on: db)
            }
            return request.redirect(to: q.href, notice: "questionnaires.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "questionnaires/settings",
                settingsContext(
                    request, access.origin,
                    form: FormState(values: values, error: error, request: request), questionnaire: q))
        }
    }
}
