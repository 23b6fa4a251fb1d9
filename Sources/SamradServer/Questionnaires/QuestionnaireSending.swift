import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Sends a questionnaire out and reminds those who have not submitted: each asked municipality's
/// administration (education director, school chief, administration) or each named person gets a
/// personal link by e-mail that answers without an account and may submit.
enum QuestionnaireSending {
    static let administration: [Position] = [.educationDirector, .schoolChief, .administration]

    struct Sent: Content { var units: Int; var recipients: Int; var withoutRecipient: [String] }

    /// The people a unit's e-mails go to.
    static func recipients(_ unit: ResponseUnit, on db: any Database) async throws -> [Person] {
        switch unit {
        case .municipality(let key):
            return try await Person.current(on: db).filter(\.$municipalityCountry == key.country.rawValue).filter(
                \.$municipalityCode == key.code
            )
            .filter(\.$position ~~ administration.map(\.rawValue)).filter(\.$email != nil).sort(\.$name).all()
        case .person(let id):
            return try await Person.query(on: db).filter(\.$id == id).filter(\.$email != nil).all()
        }
    }

    /// A new personal link for `person` to answer for `unit`; only the key's SHA-256 is kept.
    static func link(
        _ q: Questionnaire, _ unit: ResponseUnit, for person: Person, maySubmit: Bool, settings: Settings,
        on db: any Database
    ) async throws -> String {
        let secret = Secret.make()
        let record = QuestionnaireLink()
        record.tokenHash = Secret.hash(secret)
        record.questionnaireID = try q.requireID()
        switch unit {
        case .municipality(let key):
            record.municipalityCountry = key.country.rawValue
            record.municipalityCode = key.code
        case .person(let id):
            record.respondentID = id
        }
        record.personID = try person.requireID()
        record.maySubmit = maySubmit
        try await record.create(on: db)
        return "\(settings.publicBaseURL)/answer/\(secret)"
    }

    static func language(_ unit: ResponseUnit, _ person: Person) -> Language {
        if case .municipality(let key) = unit { return Language(writingTo: key.country) }
        return person.municipality.map { Language(writingTo: $0.country) } ?? .en
    }

    /// `kind`: "invitation" or "reminder" (links that may submit), or "draft" (a colleague asked to
    /// help draft, whose link may not submit).
    static func mail(
        _ q: Questionnaire, _ c: Collaboration, unit: ResponseUnit, to person: Person, kind: String,
        context: MailContext, on db: any Database
    ) async throws {
        guard let email = person.email else { return }
        let language = language(unit, person)
        let href = try await link(q, unit, for: person, maySubmit: kind != "draft", settings: context.settings, on: db)
        let deadline = DateText.dateTime(q.closesAt, language, zone: c.timeZone)
        // Signed by the organisation that runs the collaboration, not the collaboration.
        let sender = try await Organisation.find(c.organiserID, on: db)?.name ?? "Samrad"
        let body = context.catalog.text(
            "mail.questionnaire_\(kind).body", language,
            [person.name, q.title, c.title, deadline, href, sender])
        try await Outbox.enqueue(
            to: email,
            subject: context.catalog.text("mail.questionnaire_\(kind).subject", language, [q.title, deadline]),
            body: body, settings: context.settings, on: db)
    }

    static func unitName(_ unit: ResponseUnit, directory: MunicipalityDirectory, people: [UUID: String] = [:]) -> String
    {
        switch unit {
        case .municipality(let key): directory[key]?.name ?? key.description
        case .person(let id): people[id] ?? id.uuidString
        }
    }

    /// Opens the questionnaire and mails every asked unit. The form is fixed from here in its
    /// structure once answers arrive.
    static func send(_ access: QuestionnaireAccess, request: Request) async throws -> Sent {
        let q = access.questionnaire
        guard q.sentAt == nil else { throw SamradError(.conflict, "questionnaires.error.already_sent") }
        guard !q.form.questions.isEmpty else { throw SamradError(.conflict, "questionnaires.error.no_questions") }
        guard !q.window.hasClosed(at: Date()) else { throw SamradError(.conflict, "questionnaires.error.closed") }
        if q.audienceValue.usesLinks { return try await sendSurvey(access, request: request) }
        // A pupil survey goes to the surveyed municipalities' administrations, whose schools hand out class codes.
        let units: [ResponseUnit] =
            q.audienceValue == .pupils
            ? try await QuestionnaireAccess.surveyed(q, on: request.db).sorted().map { .municipality($0) }
            : try await QuestionnaireAccess.audience(q, on: request.db)
        guard !units.isEmpty else { throw SamradError(.conflict, "questionnaires.error.empty_audience") }
        let context = MailContext(request)
        let origin = access.origin
        return try await request.db.transaction { db in
            // Claimed in the transaction: of two clicks (or two organisers, or two instances) at
            // once, one sends and the other is told it went.
            let now = Date()
            let claimed = try await db.sql.raw(
                """
                UPDATE questionnaires SET sent_at = \(bind: now)
                WHERE id = \(bind: q.requireID()) AND sent_at IS NULL RETURNING id
                """
            ).all()
            guard !claimed.isEmpty else { throw SamradError(.conflict, "questionnaires.error.already_sent") }
            q.sentAt = now
            var recipients = 0
            var without: [String] = []
            for unit in units {
                let people = try await Self.recipients(unit, on: db)
                if people.isEmpty { without.append(unitName(unit, directory: context.directory)) }
                for person in people {
                    if q.audienceValue == .pupils {
                        try await mailPupilSurvey(q, origin, unit: unit, to: person, context: context, on: db)
                    } else if let c = origin.collaboration {
                        try await mail(q, c, unit: unit, to: person, kind: "invitation", context: context, on: db)
                    }
                }
                recipients += people.count
            }
            try await q.save(on: db)
            try await Audit.record(
                "questionnaire:send", subject: "questionnaire", id: q.id!.uuidString,
                summary: "\(q.title): \(units.count)", by: request, on: db)
            return Sent(units: units.count, recipients: recipients, withoutRecipient: without)
        }
    }

    /// Opens a survey by link and invites everyone it asks.
    static func sendSurvey(_ access: QuestionnaireAccess, request: Request) async throws -> Sent {
        let q = access.questionnaire
        guard let survey = try await SurveySettings.find(q.id, on: request.db) else {
            throw SamradError(.conflict, "questionnaires.error.empty_audience")
        }
        let asked = try await SurveySending.recipients(q, survey, on: request.db)
        guard !asked.isEmpty else { throw SamradError(.conflict, "surveys.error.nobody_asked") }
        let context = MailContext(request)
        return try await request.db.transaction { db in
            let now = Date()
            let claimed = try await db.sql.raw(
                """
                UPDATE questionnaires SET sent_at = \(bind: now)
                WHERE id = \(bind: q.requireID()) AND sent_at IS NULL RETURNING id
                """
            ).all()
            guard !claimed.isEmpty else { throw SamradError(.conflict, "questionnaires.error.already_sent") }
            q.sentAt = now
            let invited = try await SurveySending.invite(q, access.origin, survey, context: context, on: db)
            try await Audit.record(
                "questionnaire:send", subject: "questionnaire", id: q.id!.uuidString, summary: "\(q.title): \(invited)",
                by: request, on: db)
            return Sent(units: invited, recipients: invited, withoutRecipient: [])
        }
    }

    /// Tells a registered municipality's administration that a pupil survey is open, and where its
    /// teachers make class codes; the mail carries no link that answers.
    static func mailPupilSurvey(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, unit: ResponseUnit, to person: Person,
        context: MailContext, on db: any Database
    ) async throws {
        guard let email = person.email else { return }
        let language = language(unit, person)
        let deadline = DateText.dateTime(q.closesAt, language, zone: origin.timeZone)
        let sender = try await origin.sender(on: db)
        let base = context.settings.publicBaseURL
        let body = context.catalog.text(
            "mail.pupil_survey.body", language,
            [person.name, q.title, origin.title, deadline, base + q.href + "/class-codes", base + "/class", sender])
        try await Outbox.enqueue(
            to: email, subject: context.catalog.text("mail.pupil_survey.subject", language, [q.title, deadline]),
            body: body, settings: context.settings, on: db)
    }

    /// Reminds the units that have not submitted; returns how many were reminded.
    static func remind(
        _ q: Questionnaire, _ c: Collaboration, context: MailContext, on db: any Database
    ) async throws -> Int {
        let units = try await QuestionnaireAccess.audience(q, on: db)
        let submitted = Set(
            try await QuestionnaireResponse.query(on: db).filter(\.$questionnaireID == q.requireID())
                .filter(\.$status == ResponseStatus.submitted.rawValue).all().compactMap(\.unit))
        var reminded = 0
        for unit in units where !submitted.contains(unit) {
            let people = try await recipients(unit, on: db)
            for person in people {
                try await mail(q, c, unit: unit, to: person, kind: "reminder", context: context, on: db)
            }
            if !people.isEmpty { reminded += 1 }
        }
        return reminded
    }

    /// The outbox worker's round: each open questionnaire's reminder offsets, each once.
    static func sendDue(application: Application, now: Date = Date()) async throws {
        let db = application.db
        let open = try await Questionnaire.query(on: db).filter(\.$sentAt != nil).filter(\.$closedAt == nil).filter(
            \.$closesAt > now
        ).all()
        let context = MailContext(application)
        for q in open where !q.reminderDays.isEmpty {
            guard let day = q.window.dueReminder(days: q.reminderDays, sent: Set(q.remindersSent), now: now),
                let origin = try await QuestionnaireOrigin.of(q, directory: context.directory, on: db)
            else { continue }
            try await db.transaction { db in
                if q.audienceValue.usesLinks, let survey = try await SurveySettings.find(q.id, on: db) {
                    // Those who joined since are invited; the others who hold a link are reminded.
                    _ = try await SurveySending.remind(q, origin, survey, context: context, on: db)
                    try await SurveySending.invite(q, origin, survey, context: context, on: db)
                } else if let c = origin.collaboration {
                    _ = try await remind(q, c, context: context, on: db)
                }
                q.remindersSent.append(day)
                try await q.save(on: db)
            }
        }
    }
}
