import Fluent
import Foundation
import SamradCore
import Vapor

/// What an organiser says about a questionnaire, from the builder or a JSON body. Times are local
/// to the collaboration's zone ("2014-05-09T23:59"). One validation for both.
struct QuestionnaireInput: Content {
    var title: String?
    var intro: String?
    var audience: String?
    var clusterID: UUID?
    var people: [UUID]?
    var opensAt: String?
    var closesAt: String?
    var reminderDays: [Int]?
    var threshold: Int?
    var prefill: Bool?
    var form: QuestionnaireForm?
    /// For a survey of many (`QuestionnaireAudience.isSurvey`).
    var anonymity: String?
    var positions: [String]?
    var meetingID: UUID?
    /// "anna@skola.se" or "anna@skola.se;se/0114", one per entry.
    var addresses: [String]?
    var asksSchool: Bool?

    /// Checks everything and copies it onto `q`. Once answers exist the form may only be reworded:
    /// the change is refused otherwise, and a rewording is kept as a revision with the old form.
    /// The pages build a questionnaire step by step (`draft`): it may start without questions; the
    /// API takes it whole.
    func apply(
        to q: Questionnaire, origin: QuestionnaireOrigin, request: Request, on db: any Database, draft: Bool = false
    ) async throws {
        let c = origin.collaboration
        var v = Validation()
        let title = v.required("title", title, maxLength: 200)
        let intro = v.optional("intro", intro, maxLength: 20_000) ?? ""
        let audience: QuestionnaireAudience? =
            (audience ?? "").isEmpty
            ? (c == nil ? .pupils : .registered) : v.oneOf("audience", audience, as: QuestionnaireAudience.self)
        if let audience, !Self.audiences(origin).contains(audience) { v.add("audience", "validation.choice") }
        var clusterID: UUID?
        if audience == .cluster {
            if let id = self.clusterID, let c, let cluster = try await Cluster.find(id, on: db),
                cluster.collaborationID == c.id
            {
                clusterID = id
            } else {
                v.add("clusterID", "questionnaires.error.cluster")
            }
        }
        var survey: SurveySettings?
        if let audience, audience.isSurvey {
            survey = try await surveySettings(q, origin, audience: audience, &v, request: request, on: db)
        }
        var people: [UUID] = []
        if audience == .people {
            let ids = Array(Set(self.people ?? []))
            let found = ids.isEmpty ? [] : try await Person.query(on: db).filter(\.$id ~~ ids).all()
            if ids.isEmpty {
                v.add("people", "questionnaires.error.no_people")
            } else if found.count != ids.count {
                v.add("people", "questionnaires.error.unknown_person")
            }
            people = found.compactMap(\.id).sorted { $0.uuidString < $1.uuidString }
        }
        func moment(_ field: String, _ text: String?, required: Bool) -> Date? {
            guard let text, !text.isEmpty else {
                if required { v.add(field, "validation.required") }
                return nil
            }
            guard let date = DateText.parseLocal(text, zone: origin.timeZone) else {
                v.add(field, "validation.date_time"); return nil
            }
            return date
        }
        let opensAt = moment("opensAt", opensAt, required: false)
        let closesAt = moment("closesAt", closesAt, required: true)
        if let opensAt, let closesAt, opensAt >= closesAt {
            v.add("closesAt", "questionnaires.error.closes_before_opens")
        }
        let days = QuestionnaireWindow.reminderDays(
            (reminderDays ?? []).map(String.init).joined(separator: ","), field: "reminderDays", &v)
        let threshold = threshold ?? (q.id == nil ? 5 : q.threshold)
        if !(3...50).contains(threshold) { v.add("threshold", "validation.range", ["3", "50"]) }
        if q.resultsLockedAt != nil {
            // Published results stay as published: no reopening, no smaller groups.
            if closesAt != q.closesAt || opensAt != q.opensAt {
                v.add("closesAt", "questionnaires.error.results_locked")
            }
            if threshold != q.threshold { v.add("threshold", "questionnaires.error.results_locked") }
        }
        var form = q.id == nil ? QuestionnaireForm() : q.form
        if let given = self.form {
            do { form = try given.validated(requireQuestions: !draft) } catch let error as SamradError {
                for f in error.fieldErrors { v.add("form.\(f.field)", f.messageKey, f.arguments) }
            }
        } else if q.id == nil && !draft {
            v.add("form", "questionnaires.error.no_questions")
        }
        var revision: QuestionnaireRevision?
        if let id = q.id, form != q.form {
            let responses = try await QuestionnaireResponse.query(on: db).filter(\.$questionnaireID == id).count()
            let surveyAnswers = try await SurveySubmission.hasAnswers(id, on: db)
            let answered = responses > 0 || surveyAnswers
            switch q.form.change(to: form) {
            case .structure(let keys) where answered:
                // Named by their wording, as the organiser reads them, not by their keys.
                let texts = keys.map { key in
                    (q.form.questions + form.questions).first { $0.key == key }
                        .map { "“\($0.text.text(request.language))”" } ?? key
                }
                v.add("form", "questionnaires.error.structure_locked", [texts.joined(separator: ", ")])
            case .wording(let keys) where answered:
                let record = QuestionnaireRevision()
                record.questionnaireID = id
                record.revision = q.revision + 1
                record.changed = keys
                record.changedBy = request.currentUser?.name
                record.previousForm = q.form
                revision = record
            default:
                break
            }
        }
        try v.check()
        if q.id == nil { q.revision = 1 } else if form != q.form { q.revision += 1 }
        q.collaborationID = try c?.requireID()
        q.municipalityCountry = origin.municipality?.country.rawValue
        q.municipalityCode = origin.municipality?.code
        q.title = title
        q.intro = intro
        q.audience = (audience ?? .registered).rawValue
        q.clusterID = clusterID
        q.people = people
        q.opensAt = opensAt
        q.closesAt = closesAt!
        q.reminderDays = days
        if q.id == nil {
            q.remindersSent = []
            q.visibility = ResultsVisibility.organisers.rawValue
            q.textsPublished = false
        }
        q.threshold = threshold
        q.prefill = prefill ?? (q.id == nil ? q.previousID != nil : q.prefill)
        q.form = form
        try await q.save(on: db)
        try await revision?.create(on: db)
        if let survey {
            survey.id = try q.requireID()
            if let kept = try await SurveySettings.find(survey.id, on: db) {
                kept.anonymity = survey.anonymity
                kept.positions = survey.positions
                kept.meetingID = survey.meetingID
                kept.asksSchool = survey.asksSchool
                kept.addresses = survey.addresses
                try await kept.save(on: db)
            } else {
                try await survey.create(on: db)
            }
        }
    }

    /// Whom a questionnaire of `origin` may ask: a municipality's own survey asks its pupils, its
    /// staff or a list of addresses, never municipalities or a collaboration's meeting.
    static func audiences(_ origin: QuestionnaireOrigin) -> [QuestionnaireAudience] {
        origin.collaboration == nil ? [.pupils, .staff, .addresses] : QuestionnaireAudience.allCases
    }

    /// What a survey of many promises and whom it asks, checked; nothing is saved here. Once sent,
    /// its audience and its promise stay as those asked were told.
    func surveySettings(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, audience: QuestionnaireAudience,
        _ v: inout SamradCore.Validation, request: Request, on db: any Database
    ) async throws -> SurveySettings {
        let kept = q.id == nil ? nil : try await SurveySettings.find(q.id, on: db)
        let anonymity: SurveyAnonymity
        if audience == .pupils {
            anonymity = .anonymous
        } else if let text = self.anonymity, !text.isEmpty {
            anonymity = v.oneOf("anonymity", text, as: SurveyAnonymity.self) ?? .anonymous
        } else {
            anonymity = kept?.anonymityValue ?? .anonymous
        }
        if q.sentAt != nil {
            if q.audienceValue != audience { v.add("audience", "surveys.error.sent_audience") }
            if let kept, kept.anonymityValue != anonymity { v.add("anonymity", "surveys.error.sent_anonymity") }
        }
        let settings = SurveySettings(questionnaireID: q.id ?? UUID(), anonymity: anonymity)
        settings.evaluation = kept?.evaluation ?? false
        switch audience {
        case .staff:
            let positions = Array(Set(self.positions ?? kept?.positions ?? []))
            if positions.isEmpty { v.add("positions", "surveys.error.no_positions") }
            if positions.contains(where: { Position(rawValue: $0) == nil }) { v.add("positions", "validation.choice") }
            settings.positions = Position.allCases.map(\.rawValue).filter(positions.contains)
            settings.asksSchool = asksSchool ?? kept?.asksSchool ?? false
        case .meeting:
            let id = meetingID ?? kept?.meetingID
            if let id, let c = origin.collaboration, let meeting = try await Meeting.find(id, on: db),
                meeting.collaborationID == c.id
            {
                settings.meetingID = id
            } else {
                v.add("meetingID", "surveys.error.meeting")
            }
        case .addresses:
            let lines = addresses ?? kept?.addresses ?? []
            do {
                let directory = request.municipalities
                let list = try SurveyAddressList.parse(
                    lines.joined(separator: "\n"), field: "addresses", own: origin.municipality,
                    known: { directory[$0] != nil })
                if list.entries.isEmpty { v.add("addresses", "surveys.error.no_addresses") }
                settings.addresses = list.entries.map(\.line)
            } catch let error as SamradError {
                for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) }
            }
        default:
            break
        }
        return settings
    }
}
