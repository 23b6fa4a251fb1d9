import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: raw answers.
extension QuestionnairePages {
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
        return try csv.download(request, name: "\(Self.fileName(q))-answers")
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
