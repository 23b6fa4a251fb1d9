import Fluent
import Foundation
import SamradCore
import SQLKit

/// Answers: a person's own answers and those they gave for a municipality are exported; on
/// erasure the answers stay (the results hold) under the pseudonym, the person's links go. Of a
/// survey of many only who was asked is personal (its answers carry nobody): exported, and on
/// erasure or past its time the address is replaced and the links go, so the counts still hold.
extension QuestionnairesFeature {
    /// Who a municipality's own survey asked is kept this long after it closes.
    static let ownSurveyDays = 365

    var processing: [ProcessingActivity] {
        [
            ProcessingActivity(
                feature: "questionnaires", purpose: "questionnaires", categories: [.identity, .contributions],
                retention: .afterCollaboration),
            ProcessingActivity(
                feature: "questionnaires", purpose: "surveys", categories: [.identity, .contact],
                retention: .afterCollaboration),
            ProcessingActivity(
                feature: "questionnaires", purpose: "own_surveys", categories: [.identity, .contact],
                retention: .days(Self.ownSurveyDays)),
        ]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        let names = export.subject.names
        let person = export.subject.personID
        try await export.table(
            "questionnaire_answers",
            "Answers you gave: your own, and those you saved or submitted for a municipality.",
            query: """
                SELECT q.title AS questionnaire, r.municipality_country, r.municipality_code, r.status,
                    r.submitted_at, a.question, a.statement, a.option, a.number, a.text
                FROM questionnaire_responses r JOIN questionnaires q ON q.id = r.questionnaire_id
                JOIN questionnaire_answers a ON a.response_id = r.id
                WHERE r.person_id = \(bind: person) OR r.submitted_by IN (\(binds: names))
                    OR r.updated_by IN (\(binds: names))
                ORDER BY q.title, a.question
                """, on: db)
        try await export.table(
            "survey_invitations",
            "Surveys you were asked to answer by link. What you answered is stored without you and cannot be found.",
            query: """
                SELECT q.title AS survey, i.email, i.municipality_country, i.municipality_code, i.created_at
                FROM survey_invitations i JOIN questionnaires q ON q.id = i.questionnaire_id
                WHERE i.person_id = \(bind: person) OR lower(i.email) IN (\(binds: export.subject.lowercasedEmails))
                ORDER BY i.created_at
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let emails = erasure.subject.lowercasedEmails
        if let id = erasure.subject.personID {
            try await db.sql.raw("""
                DELETE FROM questionnaire_links WHERE respondent_id = \(bind: id) OR person_id = \(bind: id)
                """).run()
        }
        let person = erasure.subject.personID ?? UUID()
        try await Self.forget(
            SQLQueryString("""
                SELECT id FROM survey_invitations
                WHERE person_id = \(bind: person) OR lower(email) IN (\(binds: emails))
                """), emails: Set(emails), on: db)
    }

    /// The invitations `ids` selects no longer name anyone: their links go, the address becomes a
    /// stand-in (the invitation still counts as asked and, once its link is gone, as answered), and
    /// `emails` leave the surveys' address lists. Returns how many invitations.
    @discardableResult
    static func forget(_ ids: SQLQueryString, emails: Set<String>, on db: any Database) async throws -> Int {
        let sql = db.sql
        struct Row: Decodable { var id: UUID; var questionnaire_id: UUID; var email: String }
        let invitations = try await sql.raw(
            "SELECT id, questionnaire_id, email FROM survey_invitations WHERE id IN (\(ids))"
        ).all(decoding: Row.self)
        guard !invitations.isEmpty || !emails.isEmpty else { return 0 }
        try await sql.raw("DELETE FROM survey_tokens WHERE invitation_id IN (\(ids))").run()
        for invitation in invitations {
            try await sql.raw("""
                UPDATE survey_invitations SET email = \(bind: "erased-\(UUID().uuidString.lowercased())"),
                    person_id = NULL WHERE id = \(bind: invitation.id)
                """).run()
        }
        // The lists they came from, so that no later round asks the address again.
        let gone = emails.union(invitations.map { $0.email.lowercased() })
        let lists = try await SurveySettings.query(on: db).all().filter { !$0.addresses.isEmpty }
        for settings in lists {
            let kept = settings.addresses.filter { line in
                !gone.contains(line.split(separator: ";").first.map { String($0).lowercased() } ?? "")
            }
            if kept.count != settings.addresses.count {
                settings.addresses = kept
                try await settings.save(on: db)
            }
        }
        return invitations.count
    }

    /// Past a concluded collaboration's months the answers stay, with no one's name or person; so do
    /// a municipality's own surveys a year after they close.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let cutoff = run.now.addingTimeInterval(-Double(Self.ownSurveyDays) * 86_400)
        let own = try await Self.forget(
            SQLQueryString("""
                SELECT i.id FROM survey_invitations i JOIN questionnaires q ON q.id = i.questionnaire_id
                WHERE q.collaboration_id IS NULL AND q.closes_at < \(bind: cutoff)
                    AND i.email NOT LIKE 'erased-%'
                """), emails: [], on: db)
        let ownLists = try await Self.clearAddresses(
            SQLQueryString("""
                SELECT id FROM questionnaires WHERE collaboration_id IS NULL AND closes_at < \(bind: cutoff)
                """), on: db)
        let ids = run.expiredCollaborations
        guard !ids.isEmpty else {
            return own + ownLists == 0 ? [:] : ["survey_invitations": own, "surveys.addresses": ownLists]
        }
        let sql = db.sql
        let questionnaires = SQLQueryString("SELECT id FROM questionnaires WHERE collaboration_id IN (\(binds: ids))")
        let links = try await sql.raw(
            "DELETE FROM questionnaire_links WHERE questionnaire_id IN (\(questionnaires)) RETURNING id").all().count
        let responses = try await sql.raw("""
            UPDATE questionnaire_responses SET person_id = NULL, submitted_by = NULL, updated_by = NULL
            WHERE questionnaire_id IN (\(questionnaires))
                AND (person_id IS NOT NULL OR submitted_by IS NOT NULL OR updated_by IS NOT NULL)
            RETURNING id
            """).all().count
        let revisions = try await sql.raw("""
            UPDATE questionnaire_revisions SET changed_by = NULL
            WHERE questionnaire_id IN (\(questionnaires)) AND changed_by IS NOT NULL RETURNING id
            """).all().count
        let invitations = try await Self.forget(
            SQLQueryString("""
                SELECT id FROM survey_invitations WHERE questionnaire_id IN (\(questionnaires))
                    AND email NOT LIKE 'erased-%'
                """), emails: [], on: db)
        let lists = try await Self.clearAddresses(questionnaires, on: db)
        return ["questionnaire_links": links, "questionnaire_responses.names": responses,
            "questionnaire_revisions.names": revisions, "survey_invitations": own + invitations,
            "surveys.addresses": ownLists + lists]
    }

    /// Empties the address lists of the surveys `questionnaires` selects; returns how many.
    static func clearAddresses(_ questionnaires: SQLQueryString, on db: any Database) async throws -> Int {
        struct Row: Decodable { var id: UUID }
        let ids = try await db.sql.raw("\(questionnaires)").all(decoding: Row.self).map(\.id)
        guard !ids.isEmpty else { return 0 }
        let lists = try await SurveySettings.query(on: db).filter(\.$id ~~ ids).all().filter { !$0.addresses.isEmpty }
        for settings in lists {
            settings.addresses = []
            try await settings.save(on: db)
        }
        return lists.count
    }
}
