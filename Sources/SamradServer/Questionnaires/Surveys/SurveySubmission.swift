import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Storing one answer of a survey: its counted answers as one compact record under its unit, its
/// texts apart, and nothing else: no time, no person, no link. The caller's transaction holds the
/// use of the class code or the removal of the one-time links with it, so an answer is stored
/// exactly when its right to answer is used up.
enum SurveySubmission {
    /// The survey's answers as submitted: what the form shows, required ones answered.
    static func sheet(_ raw: [String: RawAnswer], form: QuestionnaireForm) throws -> AnswerSheet {
        let parsed = try AnswerSheet.parse(raw, in: form)
        return try AnswerSheet(parsed.compactMapValues { $0 }).submitted(in: form)
    }

    /// Whether any answer is stored: from then on the form keeps its structure.
    static func hasAnswers(_ id: UUID, on db: any Database) async throws -> Bool {
        try await db.sql.select().column("seq").from("survey_answers").where("questionnaire_id", .equal, id).limit(1)
            .all().isEmpty == false
    }

    static func store(
        _ sheet: AnswerSheet, of q: Questionnaire, unit: Int, grade: Int?, on db: any Database
    ) async throws {
        let id = try q.requireID()
        let record = SurveyAnswerLayout(q.form).encode(sheet)
        try await db.sql.insert(into: "survey_answers").columns("questionnaire_id", "unit", "grade", "record")
            .values(SQLBind(id), SQLBind(unit), SQLBind(grade), SQLBind(Data(record))).run()
        for (key, value) in sheet.answers.sorted(by: { $0.key < $1.key }) {
            guard case .text(let text) = value, !text.isEmpty else { continue }
            try await db.sql.insert(into: "survey_texts").columns("id", "questionnaire_id", "unit", "question", "text")
                .values(SQLBind(UUID()), SQLBind(id), SQLBind(unit), SQLBind(key), SQLBind(text)).run()
        }
    }
}

/// A survey's units: each school answers are given for, and each municipality's respondents who
/// named no school, numbered from 0 in the order they first answered. Numbers never change, so
/// each instance keeps those it has seen.
actor SurveyUnits {
    struct Key: StorageKey { typealias Value = SurveyUnits }

    /// A municipality's school, or its respondents outside its schools, or (no municipality) those
    /// of none: stored as "" in the place's columns.
    struct Place: Hashable, Sendable {
        var questionnaire: UUID
        var municipality: MunicipalityKey?
        var school: String?
    }

    private var known: [Place: Int] = [:]

    func unit(_ place: Place, on db: any Database) async throws -> Int {
        if let unit = known[place] { return unit }
        let unit = try await Self.find(place, on: db)
        if known.count > 200_000 { known.removeAll() }
        known[place] = unit
        return unit
    }

    struct Row: Decodable { var unit: Int }

    /// Made on first use. Two instances may take the same next number at once: the later insert is
    /// ignored and it reads the number the other made, or tries the next one.
    static func find(_ place: Place, on db: any Database) async throws -> Int {
        let sql = db.sql
        let school = place.school ?? ""
        let country = place.municipality?.country.rawValue ?? "", code = place.municipality?.code ?? ""
        func existing() async throws -> Int? {
            try await sql.select().column("unit").from("survey_units")
                .where("questionnaire_id", .equal, place.questionnaire)
                .where("municipality_country", .equal, country).where("municipality_code", .equal, code)
                .where("school_code", .equal, school).first(decoding: Row.self)?.unit
        }
        for _ in 0..<20 {
            if let unit = try await existing() { return unit }
            let next = try await sql.raw(
                """
                SELECT COALESCE(MAX(unit) + 1, 0) AS unit FROM survey_units
                WHERE questionnaire_id = \(bind: place.questionnaire)
                """
            ).first(decoding: Row.self)?.unit ?? 0
            try await sql.insert(into: "survey_units")
                .columns("id", "questionnaire_id", "unit", "municipality_country", "municipality_code", "school_code")
                .values(
                    SQLBind(UUID()), SQLBind(place.questionnaire), SQLBind(next), SQLBind(country), SQLBind(code),
                    SQLBind(school))
                .ignoringConflicts().run()
        }
        throw SamradError(.conflict, "surveys.error.busy")
    }

    struct Listed: Decodable, Sendable {
        var unit: Int
        var municipality_country: String
        var municipality_code: String
        var school_code: String

        var municipality: MunicipalityKey? {
            Country(rawValue: municipality_country).map { MunicipalityKey($0, municipality_code) }
        }
    }

    /// Every unit of a survey, by number.
    static func all(_ questionnaire: UUID, on db: any Database) async throws -> [Listed] {
        try await db.sql.select().columns("unit", "municipality_country", "municipality_code", "school_code")
            .from("survey_units").where("questionnaire_id", .equal, questionnaire).orderBy("unit")
            .all(decoding: Listed.self)
    }
}

extension Application {
    var surveyUnits: SurveyUnits { storage[SurveyUnits.Key.self]! }
}
