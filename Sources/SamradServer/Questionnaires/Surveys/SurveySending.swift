import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Sends a survey of many by one-time link: each person asked (staff of the chosen positions in the
/// registered municipalities, a meeting's participants, or the addresses given) gets an invitation
/// and a link by e-mail that answers once without an account. Reminders go to those who still hold a
/// link, each with a fresh one; nobody sees to whom (in an anonymous survey not even the organiser).
enum SurveySending {
    struct Recipient: Sendable {
        var personID: UUID?
        var email: String
        var name: String?
        var municipality: MunicipalityKey?
    }

    static func recipients(
        _ q: Questionnaire, _ survey: SurveySettings, on db: any Database
    ) async throws -> [Recipient] {
        func recipient(_ p: Person, municipality: MunicipalityKey? = nil) -> Recipient? {
            p.email.map {
                Recipient(
                    personID: p.id, email: $0.lowercased(), name: p.name, municipality: municipality ?? p.municipality)
            }
        }
        switch q.audienceValue {
        case .staff:
            let registered = Set(try await QuestionnaireAccess.surveyed(q, on: db))
            return try await Person.current(on: db).filter(\.$position ~~ survey.positions).filter(\.$email != nil)
                .sort(\.$name).all()
                .filter { $0.municipality.map(registered.contains) ?? false }.compactMap { recipient($0) }
        case .meeting:
            guard let meetingID = survey.meetingID else { return [] }
            var query = Attendance.query(on: db).filter(\.$meetingID == meetingID)
                .filter(\.$status == AttendanceStatus.registered.rawValue)
            // A meeting's evaluation asks those who came.
            if survey.evaluation { query = query.filter(\.$checkedInAt != nil) }
            let attendances = try await query.all()
            let people = try await Person.current(on: db).filter(\.$id ~~ attendances.map(\.personID)).all()
            let byID = Dictionary(people.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
            return attendances.compactMap { a in
                let municipality = a.municipalityCountry.flatMap(Country.init(rawValue:)).flatMap { country in
                    a.municipalityCode.map { MunicipalityKey(country, $0) }
                }
                return byID[a.personID].flatMap { recipient($0, municipality: municipality) }
            }
        case .addresses:
            let entries = SurveyAddressList(lines: survey.addresses).entries
            let people = try await Person.current(on: db).filter(\.$email ~~ entries.map(\.email)).all()
            return entries.map { entry in
                let person = people.first { $0.email?.lowercased() == entry.email }
                return Recipient(
                    personID: person?.id, email: entry.email, name: person?.name,
                    municipality: entry.municipality ?? person?.municipality)
            }
        default:
            return []
        }
    }

    /// Invites everyone asked who has no invitation yet (all of them when it is sent; later, those
    /// who joined since); returns how many were invited.
    @discardableResult
    static func invite(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, _ survey: SurveySettings, context: MailContext,
        on db: any Database
    ) async throws -> Int {
        let id = try q.requireID()
        let invited = Set(try await SurveyInvitation.query(on: db).filter(\.$questionnaireID == id).all().map(\.email))
        var count = 0
        for recipient in try await recipients(q, survey, on: db) where !invited.contains(recipient.email) {
            let invitation = SurveyInvitation()
            invitation.questionnaireID = id
            invitation.personID = recipient.personID
            invitation.email = recipient.email
            invitation.municipalityCountry = recipient.municipality?.country.rawValue
            invitation.municipalityCode = recipient.municipality?.code
            try await invitation.create(on: db)
            try await mail(
                q, origin, survey, invitation, name: recipient.name, kind: "invitation", context: context, on: db)
            count += 1
        }
        return count
    }

    /// Reminds everyone who still holds a link, with a fresh one; returns how many.
    static func remind(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, _ survey: SurveySettings, context: MailContext,
        on db: any Database
    ) async throws -> Int {
        let waiting = try await unanswered(q, on: db)
        let names = try await Person.query(on: db).filter(\.$id ~~ waiting.compactMap(\.personID)).all()
        for invitation in waiting {
            let name = names.first { $0.id == invitation.personID }?.name
            try await mail(q, origin, survey, invitation, name: name, kind: "reminder", context: context, on: db)
        }
        return waiting.count
    }

    /// The invitations whose links are not used: those who have not answered.
    static func unanswered(_ q: Questionnaire, on db: any Database) async throws -> [SurveyInvitation] {
        let id = try q.requireID()
        struct Row: Decodable { var invitation_id: UUID }
        let holding = Set(
            try await db.sql.raw(
                """
                SELECT DISTINCT t.invitation_id FROM survey_tokens t
                JOIN survey_invitations i ON i.id = t.invitation_id WHERE i.questionnaire_id = \(bind: id)
                """
            ).all(decoding: Row.self).map(\.invitation_id))
        return try await SurveyInvitation.query(on: db).filter(\.$questionnaireID == id).sort(\.$email).all()
            .filter { holding.contains($0.id!) }
    }

    static func mail(
        _ q: Questionnaire, _ origin: QuestionnaireOrigin, _ survey: SurveySettings, _ invitation: SurveyInvitation,
        name: String?, kind: String, context: MailContext, on db: any Database
    ) async throws {
        let secret = Secret.make()
        let token = SurveyToken()
        token.tokenHash = Secret.hash(secret)
        token.invitationID = try invitation.requireID()
        try await token.create(on: db)
        // Without a municipality, in the language of the collaboration's country.
        let zone = origin.timeZone
        let language =
            invitation.municipality.map { Language(writingTo: $0.country) }
            ?? (zone == "Europe/Stockholm" || zone == "Europe/Helsinki" ? .sv : .da)
        let deadline = DateText.dateTime(q.closesAt, language, zone: zone)
        let sender = try await origin.sender(on: db)
        let promise = context.catalog.text(
            "surveys.promise.\(survey.anonymity)", language, [String(q.threshold)])
        let greeting = name ?? context.catalog.text("surveys.mail_greeting", language)
        let link = "\(context.settings.publicBaseURL)/survey/\(secret)"
        try await Outbox.enqueue(
            to: invitation.email,
            subject: context.catalog.text("mail.survey_\(kind).subject", language, [q.title, deadline]),
            body: context.catalog.text(
                "mail.survey_\(kind).body", language,
                [greeting, q.title, origin.title, deadline, promise, link, sender]),
            settings: context.settings, on: db)
    }
}
