import Fluent
import Foundation
import SamradCore
import SQLKit

/// Answers: a person's own answers and those they gave for a municipality are exported; on
/// erasure the answers stay (the results hold) under the pseudonym, the person's links go.
extension QuestionnairesFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "questionnaires", purpose: "questionnaires",
            categories: [.identity, .contributions], retention: .afterCollaboration)]
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
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        guard let id = erasure.subject.personID else { return }
        try await db.sql.raw("""
            DELETE FROM questionnaire_links WHERE respondent_id = \(bind: id) OR person_id = \(bind: id)
            """).run()
    }

    /// Past a concluded collaboration's months the answers stay, with no one's name or person.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let ids = run.expiredCollaborations
        guard !ids.isEmpty else { return [:] }
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
        return ["questionnaire_links": links, "questionnaire_responses.names": responses,
            "questionnaire_revisions.names": revisions]
    }
}
