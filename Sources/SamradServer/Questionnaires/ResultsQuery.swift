import Fluent
import Foundation
import SamradCore
import SQLiteKit
import SQLKit
import Vapor

/// Reads a questionnaire's submitted answers straight into `QuestionnaireResults`' columns (plain
/// rows through SQLKit: the answers of a whole programme are many), with each respondent's
/// comparison groups from the directory and the collaboration's clusters.
enum ResultsQuery {
    struct Loaded {
        var results: QuestionnaireResults
        /// Per respondent index.
        var units: [ResponseUnit]
        /// Question key → text answers, in a stable order without names.
        var texts: [String: [String]]
        /// Municipality → its cluster in the collaboration, for viewers who did not answer too.
        var clusterOf: [MunicipalityKey: String]
        /// Milliseconds reading from the database and computing every group's figures.
        var readMilliseconds: Double = 0
        var computeMilliseconds: Double = 0

        func respondent(_ unit: ResponseUnit) -> Int? { units.firstIndex(of: unit) }
    }

    static func load(_ q: Questionnaire, directory: MunicipalityDirectory, on db: any Database) async throws -> Loaded {
        let sql = db as! any SQLDatabase
        let id = try q.requireID()
        let clock = ContinuousClock()
        let started = clock.now
        struct ResponseRow: Decodable { var id: UUID; var municipality_country: String?; var municipality_code: String?; var person_id: UUID? }
        let responses = try await sql.select().columns("id", "municipality_country", "municipality_code", "person_id").from(QuestionnaireResponse.schema)
            .where("questionnaire_id", .equal, id).where("status", .equal, ResponseStatus.submitted.rawValue).orderBy("id").all(decoding: ResponseRow.self)
        // Named people count in their municipality's groups.
        let personIDs = responses.compactMap(\.person_id)
        var personMunicipality: [UUID: MunicipalityKey] = [:]
        if !personIDs.isEmpty {
            for person in try await Person.query(on: db).filter(\.$id ~~ personIDs).all() { if let key = person.municipality { personMunicipality[person.id!] = key } }
        }
        struct MemberRow: Decodable { var cluster_id: UUID; var municipality_country: String; var municipality_code: String }
        // One query for all clusters of the collaboration, rather than one per respondent.
        let members = try await sql.raw("""
            SELECT m.cluster_id, m.municipality_country, m.municipality_code FROM \(ident: ClusterMember.schema) m
            JOIN \(ident: Cluster.schema) c ON c.id = m.cluster_id WHERE c.collaboration_id = \(bind: q.collaborationID)
            """).all(decoding: MemberRow.self)
        var clusterOf: [MunicipalityKey: String] = [:]
        for m in members { if let country = Country(rawValue: m.municipality_country) { clusterOf[MunicipalityKey(country, m.municipality_code)] = m.cluster_id.uuidString.lowercased() } }

        var units: [ResponseUnit] = []
        var respondents: [Respondent] = []
        var index: [UUID: Int32] = [:]
        for row in responses {
            let unit: ResponseUnit
            let key: MunicipalityKey?
            if let person = row.person_id {
                unit = .person(person)
                key = personMunicipality[person]
            } else if let country = row.municipality_country.flatMap(Country.init(rawValue:)), let code = row.municipality_code {
                key = MunicipalityKey(country, code)
                unit = .municipality(key!)
            } else { continue }
            index[row.id] = Int32(units.count)
            units.append(unit)
            respondents.append(respondent(key, directory: directory, clusterOf: clusterOf))
        }
        let items = ResultItems(q.form)
        let reader = AnswerReader(items: items, index: Dictionary(uniqueKeysWithValues: index.map { ($0.key.uuidString, $0.value) }))
        // Streamed, and read straight from SQLite's values where it is SQLite: a whole programme's
        // answers are a million rows, and decoding each through Codable costs more than all the counting.
        try await sql.raw("""
            SELECT a.response_id, a.question, a.statement, a.option, a.number, a.text FROM questionnaire_answers a
            JOIN questionnaire_responses r ON r.id = a.response_id
            WHERE r.questionnaire_id = \(bind: id) AND r.status = \(bind: ResponseStatus.submitted.rawValue)
            """).run { row in reader.read(row) }
        if let error = reader.error { throw error }
        var texts = reader.texts
        let columns = reader.columns
        for key in texts.keys { texts[key]?.sort() }
        let read = clock.now
        let results = QuestionnaireResults(items: items, respondents: respondents, columns: columns, threshold: q.threshold)
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
        return Loaded(results: results, units: units, texts: texts, clusterOf: clusterOf, readMilliseconds: ms(read - started), computeMilliseconds: ms(clock.now - read))
    }

    /// Turns answer rows into columns as they arrive (on one event loop, one row after another).
    final class AnswerReader: @unchecked Sendable {
        let items: ResultItems
        /// Response id as text → respondent.
        let index: [String: Int32]
        var columns = AnswerColumns()
        var texts: [String: [String]] = [:]
        var error: (any Error)?

        init(items: ResultItems, index: [String: Int32]) {
            self.items = items
            self.index = index
        }

        func read(_ row: any SQLRow) {
            let response: String?, question: String?, statement: String?, option: String?, number: Double?, text: String?
            if let row = row as? SQLiteRow {
                response = row.column("response_id")?.string
                question = row.column("question")?.string
                statement = row.column("statement")?.string
                option = row.column("option")?.string
                number = row.column("number")?.double
                text = row.column("text")?.string
            } else {
                do {
                    response = try row.decode(column: "response_id", as: UUID.self).uuidString
                    question = try row.decode(column: "question", as: String.self)
                    statement = try row.decode(column: "statement", as: String?.self)
                    option = try row.decode(column: "option", as: String?.self)
                    number = try row.decode(column: "number", as: Double?.self)
                    text = try row.decode(column: "text", as: String?.self)
                } catch {
                    self.error = error
                    return
                }
            }
            guard let response, let question, let r = index[response] ?? index[response.uppercased()] else { return }
            if let text, !text.isEmpty { texts[question, default: []].append(text) }
            columns.append(respondent: Int(r), AnswerCell(question: question, statement: statement, option: option, number: number), items: items)
        }
    }

    static func respondent(_ key: MunicipalityKey?, directory: MunicipalityDirectory, clusterOf: [MunicipalityKey: String]) -> Respondent {
        guard let key, let m = directory[key] else { return Respondent(municipality: key, cluster: key.flatMap { clusterOf[$0] }) }
        return Respondent(municipality: key, region: "\(m.country.rawValue)/\(m.regionCode)", similar: m.groupCode.map { "\(m.country.rawValue)/\($0)" },
                          cluster: clusterOf[key])
    }
}
