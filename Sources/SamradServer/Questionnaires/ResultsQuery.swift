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

    /// What a questionnaire's submitted answers are, read from the database: each respondent's
    /// unit and municipality, and the answers in columns.
    struct Answers: Sendable {
        var units: [ResponseUnit]
        var municipalities: [MunicipalityKey?]
        var columns: AnswerColumns
        var texts: [String: [String]]
    }

    /// Once a questionnaire has closed its answers never change, so they are read once and kept
    /// (the latest few): a million answers take a second to read and a tenth to count.
    /// Above this many answer cells the figures are counted on the thread pool: a million take a
    /// fraction of a second of CPU that would otherwise hold every connection of an event loop.
    static let poolThreshold = 50_000

    static func load(
        _ q: Questionnaire, directory: MunicipalityDirectory, cache: AnswerCache, pool: NIOThreadPool? = nil,
        on db: any Database
    ) async throws -> Loaded {
        let sql = db.sql
        let clock = ContinuousClock()
        let started = clock.now
        struct MemberRow: Decodable {
            var cluster_id: UUID; var municipality_country: String; var municipality_code: String
        }
        // One query for all clusters of the collaboration, rather than one per respondent.
        let members = try await sql.raw(
            """
            SELECT m.cluster_id, m.municipality_country, m.municipality_code FROM \(ident: ClusterMember.schema) m
            JOIN \(ident: Cluster.schema) c ON c.id = m.cluster_id WHERE c.collaboration_id = \(bind: q.collaborationID)
            """
        ).all(decoding: MemberRow.self)
        var clusterOf: [MunicipalityKey: String] = [:]
        for m in members {
            if let country = Country(rawValue: m.municipality_country) {
                clusterOf[MunicipalityKey(country, m.municipality_code)] = m.cluster_id.uuidString.lowercased()
            }
        }
        let closed = q.window.hasClosed(at: Date())
        let answers: Answers
        // Reopened by a later deadline and closed again, it is another edition of its answers.
        let edition = "\(q.revision)/\(q.closesAt.timeIntervalSince1970)/\(q.closedAt?.timeIntervalSince1970 ?? 0)"
        if closed, let kept = await cache.answers(q.id!, edition: edition) {
            answers = kept
        } else {
            answers = try await read(q, on: db)
            if closed { await cache.keep(answers, for: q.id!, edition: edition) }
        }
        let read = clock.now
        let respondents = answers.municipalities.map { respondent($0, directory: directory, clusterOf: clusterOf) }
        let (items, columns, threshold) = (ResultItems(q.form), answers.columns, q.threshold)
        let results: QuestionnaireResults
        if let pool, columns.count > Self.poolThreshold {
            results = try await pool.runIfActive {
                QuestionnaireResults(items: items, respondents: respondents, columns: columns, threshold: threshold)
            }
        } else {
            results = QuestionnaireResults(
                items: items, respondents: respondents, columns: columns, threshold: threshold)
        }
        return Loaded(
            results: results, units: answers.units, texts: answers.texts, clusterOf: clusterOf,
            readMilliseconds: (read - started).milliseconds,
            computeMilliseconds: (clock.now - read).milliseconds)
    }

    static func read(_ q: Questionnaire, on db: any Database) async throws -> Answers {
        let sql = db.sql
        let id = try q.requireID()
        // On SQLite answers name their response by its rowid: an integer is read far faster than a
        // UUID's text, a million times over.
        let lite = db.sqlite
        let sqlite = lite != nil
        struct ResponseRow: Decodable {
            var id: UUID; var rowno: Int?; var municipality_country: String?; var municipality_code: String?;
            var person_id: UUID?
        }
        let responses = try await sql.raw(
            """
            SELECT id, \(unsafeRaw: sqlite ? "rowid" : "NULL") AS rowno, municipality_country, municipality_code,
                person_id FROM questionnaire_responses
            WHERE questionnaire_id = \(bind: id) AND status = \(bind: ResponseStatus.submitted.rawValue) ORDER BY id
            """
        ).all(decoding: ResponseRow.self)
        // Named people count in their municipality's groups.
        let personIDs = responses.compactMap(\.person_id)
        var personMunicipality: [UUID: MunicipalityKey] = [:]
        if !personIDs.isEmpty {
            struct PersonRow: Decodable {
                var id: UUID; var municipality_country: String?; var municipality_code: String?
            }
            let rows = try await sql.select().columns("id", "municipality_country", "municipality_code").from(
                Person.schema
            )
            .where("id", .in, personIDs).all(decoding: PersonRow.self)
            for row in rows {
                if let country = row.municipality_country.flatMap(Country.init(rawValue:)),
                    let code = row.municipality_code
                {
                    personMunicipality[row.id] = MunicipalityKey(country, code)
                }
            }
        }
        var units: [ResponseUnit] = []
        var municipalities: [MunicipalityKey?] = []
        var index: [UUID: Int32] = [:]
        var rowIndex: [Int64: Int32] = [:]
        for row in responses {
            let unit: ResponseUnit
            let key: MunicipalityKey?
            if let person = row.person_id {
                unit = .person(person)
                key = personMunicipality[person]
            } else if let country = row.municipality_country.flatMap(Country.init(rawValue:)),
                let code = row.municipality_code
            {
                key = MunicipalityKey(country, code)
                unit = .municipality(key!)
            } else {
                continue
            }
            index[row.id] = Int32(units.count)
            if let rowno = row.rowno { rowIndex[Int64(rowno)] = Int32(units.count) }
            units.append(unit)
            municipalities.append(key)
        }
        let items = ResultItems(q.form)
        let reader = AnswerReader(items: items, index: index, rowIndex: rowIndex)
        // Streamed, and on SQLite read from its own rows: a whole programme's answers are a
        // million rows, and SQLKit's row decoding costs more than all the counting.
        if let lite {
            let query = """
                SELECT r.rowid AS response, a.question, a.statement, a.option, a.number, a.text FROM
                    questionnaire_answers a
                JOIN questionnaire_responses r ON r.id = a.response_id WHERE r.questionnaire_id = ?1 AND r.status = ?2
                """
            let binds: [SQLiteData] = [.text(id.uuidString), .text(ResponseStatus.submitted.rawValue)]
            // The connection's own async query hands each row over on its thread; the database-level
            // one makes a future per row on the event loop.
            try await lite.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.query(query, binds) { row in reader.read(row) }
                }
            }.get()
        } else {
            try await sql.raw(
                """
                SELECT a.response_id AS response, a.question, a.statement, a.option, a.number, a.text FROM
                    questionnaire_answers a
                JOIN questionnaire_responses r ON r.id = a.response_id
                WHERE r.questionnaire_id = \(bind: id) AND r.status = \(bind: ResponseStatus.submitted.rawValue)
                """
            ).run { row in reader.read(row) }
        }
        if let error = reader.error { throw error }
        var texts = reader.texts
        let columns = reader.columns
        for key in texts.keys { texts[key]?.sort() }
        return Answers(units: units, municipalities: municipalities, columns: columns, texts: texts)
    }

    /// Turns answer rows into columns as they arrive (on one event loop, one row after another).
    final class AnswerReader: @unchecked Sendable {
        let items: ResultItems
        /// Response → respondent, by id (PostgreSQL) or by rowid (SQLite).
        let index: [UUID: Int32]
        let rowIndex: [Int64: Int32]
        var columns = AnswerColumns()
        var texts: [String: [String]] = [:]
        var error: (any Error)?

        init(items: ResultItems, index: [UUID: Int32], rowIndex: [Int64: Int32]) {
            self.items = items
            self.index = index
            self.rowIndex = rowIndex
        }

        func read(_ row: SQLiteRow) {
            add(
                respondent: row.column("response")?.integer.flatMap { rowIndex[Int64($0)] },
                question: row.column("question")?.string,
                statement: row.column("statement")?.string, option: row.column("option")?.string,
                number: row.column("number")?.double,
                text: row.column("text")?.string)
        }

        func read(_ row: any SQLRow) {
            do {
                add(
                    respondent: index[try row.decode(column: "response", as: UUID.self)],
                    question: try row.decode(column: "question", as: String.self),
                    statement: try row.decode(column: "statement", as: String?.self),
                    option: try row.decode(column: "option", as: String?.self),
                    number: try row.decode(column: "number", as: Double?.self),
                    text: try row.decode(column: "text", as: String?.self))
            } catch {
                self.error = error
            }
        }

        func add(
            respondent: Int32?, question: String?, statement: String?, option: String?, number: Double?, text: String?
        ) {
            guard let respondent, let question else { return }
            if let text, !text.isEmpty { texts[question, default: []].append(text) }
            columns.append(
                respondent: Int(respondent),
                AnswerCell(question: question, statement: statement, option: option, number: number), items: items)
        }
    }

    static func respondent(
        _ key: MunicipalityKey?, directory: MunicipalityDirectory, clusterOf: [MunicipalityKey: String]
    ) -> Respondent {
        guard let key, let m = directory[key] else {
            return Respondent(municipality: key, cluster: key.flatMap { clusterOf[$0] })
        }
        return Respondent(
            municipality: key, region: "\(m.country.rawValue)/\(m.regionCode)",
            similar: m.groupCode.map { "\(m.country.rawValue)/\($0)" },
            cluster: clusterOf[key])
    }
}

/// The answers of recently read closed questionnaires, per server process.
actor AnswerCache {
    private var entries: [UUID: (edition: String, answers: ResultsQuery.Answers, used: Int)] = [:]
    private var uses = 0
    let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    func answers(_ id: UUID, edition: String) -> ResultsQuery.Answers? {
        guard let entry = entries[id], entry.edition == edition else { return nil }
        uses += 1
        entries[id]?.used = uses
        return entry.answers
    }

    func keep(_ answers: ResultsQuery.Answers, for id: UUID, edition: String) {
        uses += 1
        entries[id] = (edition, answers, uses)
        while entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
    }
}

struct AnswerCacheKey: StorageKey { typealias Value = AnswerCache }

extension Application {
    /// Set up with the application (storage is not written to while requests run).
    var answerCache: AnswerCache { storage[AnswerCacheKey.self]! }
}
