import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Answering: one authoritative response per municipality (or named person), drafted by several
/// people and saved as they go, submitted once by someone who may submit, reopened until the
/// deadline. Every change checks the window and the right first and writes nothing when any answer
/// is wrong.
enum ResponseDesk {
    static func find(
        _ q: Questionnaire, _ unit: ResponseUnit, on db: any Database
    ) async throws -> QuestionnaireResponse? {
        let query = QuestionnaireResponse.query(on: db).filter(\.$questionnaireID == (try q.requireID()))
        switch unit {
        case .municipality(let key):
            return try await query.filter(\.$municipalityCountry == key.country.rawValue).filter(
                \.$municipalityCode == key.code
            ).first()
        case .person(let id):
            return try await query.filter(\.$personID == id).first()
        }
    }

    static func sheet(
        _ response: QuestionnaireResponse?, form: QuestionnaireForm, on db: any Database
    ) async throws -> AnswerSheet {
        guard let id = response?.id else { return AnswerSheet() }
        let records = try await AnswerRecord.query(on: db).filter(\.$responseID == id).all()
        return AnswerSheet(cells: records.map(\.cell), form: form)
    }

    /// Checks that the unit is asked and the actor may draft for it.
    static func requireDraft(_ access: QuestionnaireAccess, _ unit: ResponseUnit, request: Request) async throws {
        guard access.right(unit).mayDraft else {
            throw request.actor.isSignedIn || access.link != nil ? SamradError.forbidden : SamradError.unauthenticated
        }
        guard access.questionnaire.sentAt != nil else { throw SamradError(.conflict, "questionnaires.error.not_sent") }
        guard try await QuestionnaireAccess.audience(access.questionnaire, on: request.db).contains(unit) else {
            throw SamradError.notFound("questionnaires.error.not_asked")
        }
    }

    /// The unit's response, made at the first save; last year's submitted answers fill it when the
    /// questionnaire says so (only those that still fit this year's questions). It is locked for the
    /// rest of the transaction: two people of a municipality saving at the same moment (on two
    /// instances, say) take turns instead of both making the response or both writing the same
    /// answers. The first statement writes, so SQLite takes its write lock before reading anything.
    static func open(
        _ access: QuestionnaireAccess, _ unit: ResponseUnit, request: Request, on db: any Database
    ) async throws -> QuestionnaireResponse {
        let q = access.questionnaire
        let sql = db.sql
        let now = Date()
        let (country, code, person): (String?, String?, UUID?) =
            switch unit {
            case .municipality(let key): (key.country.rawValue, key.code, nil)
            case .person(let id): (nil, nil, id)
            }
        struct Made: Decodable { var id: UUID }
        let made = try await sql.raw(
            """
            INSERT INTO questionnaire_responses (id, questionnaire_id, municipality_country, municipality_code,
                person_id, status, updated_by, reopened, created_at, updated_at)
            VALUES (\(bind: UUID()), \(bind: q.requireID()), \(bind: country), \(bind: code), \(bind: person),
                \(bind: ResponseStatus.draft.rawValue),
                    \(bind: request.currentUser?.name), 0, \(bind: now), \(bind: now))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ).all(decoding: Made.self)
        // The row lock (PostgreSQL) until the transaction ends, taken before the row is read, so what
        // is read is what the last one to hold the lock left. SQLite holds its write lock already.
        try await sql.raw(
            """
            UPDATE questionnaire_responses SET updated_at = updated_at WHERE questionnaire_id = \(bind: q.requireID())
              AND ((municipality_country = \(bind: country) AND municipality_code = \(bind: code)) OR person_id =
                  \(bind: person))
            """
        ).run()
        guard let response = try await find(q, unit, on: db) else { throw SamradError.notFound() }
        if !made.isEmpty, q.prefill, let previousID = q.previousID,
            let previous = try await Questionnaire.find(previousID, on: db),
            let earlier = try await find(previous, unit, on: db), earlier.statusValue == .submitted
        {
            let old = try await sheet(earlier, form: previous.form, on: db)
            var kept: [AnswerCell] = []
            for (key, value) in old.answers {
                guard let question = q.form.question(key),
                    let parsed = try? AnswerSheet.parse(AnswerSheet.raw(value), for: question, field: key)
                else { continue }
                kept += AnswerSheet.cells(key, parsed)
            }
            for cell in kept { try await AnswerRecord(responseID: response.requireID(), cell).create(on: db) }
        }
        return response
    }

    /// Saves the given answers (others stay as they are); an empty answer clears one.
    @discardableResult
    static func save(
        _ raw: [String: RawAnswer], _ access: QuestionnaireAccess, _ unit: ResponseUnit, by name: String?,
        request: Request
    ) async throws -> QuestionnaireResponse {
        try await requireDraft(access, unit, request: request)
        let q = access.questionnaire
        try q.window.checkOpen(at: Date())
        let parsed = try AnswerSheet.parse(raw, in: q.form)
        let answers = parsed
        return try await request.db.transaction { db in
            let response = try await open(access, unit, request: request, on: db)
            if response.statusValue == .submitted { throw SamradError(.conflict, "questionnaires.error.submitted") }
            let id = try response.requireID()
            if !answers.isEmpty {
                try await AnswerRecord.query(on: db).filter(\.$responseID == id).filter(
                    \.$question ~~ Array(answers.keys)
                ).delete()
                for (key, value) in answers.sorted(by: { $0.key < $1.key }) {
                    guard let value else { continue }
                    for cell in AnswerSheet.cells(key, value) {
                        try await AnswerRecord(responseID: id, cell).create(on: db)
                    }
                }
            }
            response.updatedBy = name ?? response.updatedBy
            // The save time is the response's: touch it even when only answers changed.
            response.updatedAt = Date()
            try await response.save(on: db)
            return response
        }
    }

    /// Submits the unit's response: every required question that shows must be answered; answers to
    /// questions that no longer show are removed. A second submission is refused.
    @discardableResult
    static func submit(
        _ access: QuestionnaireAccess, _ unit: ResponseUnit, by name: String?, request: Request
    ) async throws -> QuestionnaireResponse {
        try await requireDraft(access, unit, request: request)
        guard access.right(unit).maySubmit else { throw SamradError(.forbidden, "questionnaires.error.may_not_submit") }
        let q = access.questionnaire
        try q.window.checkOpen(at: Date())
        return try await request.db.transaction { db in
            let response = try await open(access, unit, request: request, on: db)
            if response.statusValue == .submitted {
                throw SamradError(.conflict, "questionnaires.error.already_submitted")
            }
            let sheet = try await sheet(response, form: q.form, on: db)
            let kept = try sheet.submitted(in: q.form)
            let id = try response.requireID()
            let dropped = Set(sheet.answers.keys).subtracting(kept.answers.keys)
            if !dropped.isEmpty {
                try await AnswerRecord.query(on: db).filter(\.$responseID == id).filter(\.$question ~~ Array(dropped))
                    .delete()
            }
            // Only a draft becomes submitted: of two submissions at once, the second finds none.
            let now = Date()
            let rows = try await db.sql.raw(
                """
                UPDATE questionnaire_responses SET status = \(bind: ResponseStatus.submitted.rawValue), submitted_at =
                    \(bind: now),
                submitted_by = \(bind: name), updated_at = \(bind: now) WHERE id = \(bind: id) AND status <>
                    \(bind: ResponseStatus.submitted.rawValue) RETURNING id
                """
            ).all()
            if rows.isEmpty { throw SamradError(.conflict, "questionnaires.error.already_submitted") }
            response.status = ResponseStatus.submitted.rawValue
            response.submittedAt = now
            response.submittedBy = name
            return response
        }
    }

    /// Takes a submitted response back to a draft, until the deadline.
    @discardableResult
    static func reopen(
        _ access: QuestionnaireAccess, _ unit: ResponseUnit, request: Request
    ) async throws -> QuestionnaireResponse {
        try await requireDraft(access, unit, request: request)
        guard access.right(unit).maySubmit else { throw SamradError(.forbidden, "questionnaires.error.may_not_submit") }
        try access.questionnaire.window.checkOpen(at: Date())
        guard let response = try await find(access.questionnaire, unit, on: request.db),
            response.statusValue == .submitted
        else {
            throw SamradError(.conflict, "questionnaires.error.not_submitted")
        }
        response.status = ResponseStatus.draft.rawValue
        response.submittedAt = nil
        response.reopened += 1
        try await response.save(on: request.db)
        return response
    }
}
