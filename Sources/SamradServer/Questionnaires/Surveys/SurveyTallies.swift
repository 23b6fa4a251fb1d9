import Fluent
import Foundation
import SamradCore
import SQLiteKit
import SQLKit
import Vapor

/// Each instance's tallies of the surveys it was asked about, kept up to date from the records that
/// arrived since it last read (by their sequence number): a result after a burst of answers reads
/// only the new ones, and memory stays units × (items + codes) per survey, whatever the answers.
///
/// On PostgreSQL two instances take sequence numbers and commit in either order, so a lower number
/// may become visible after a higher one was read; the numbers skipped are kept as gaps and asked
/// for again until they arrive or a minute has passed (a rolled-back answer leaves its number unused).
actor SurveyTallies {
    struct Key: StorageKey { typealias Value = SurveyTallies }

    struct Entry: Sendable {
        var tally: SurveyTally
        var items: [ResultItem]
        var seen: Int64 = 0
        var gaps: [Int64: Date] = [:]
        var used = Date()
    }

    private var entries: [UUID: Entry] = [:]
    private var reading: [UUID: Task<Entry, any Error>] = [:]
    let capacity: Int

    init(capacity: Int = 16) { self.capacity = capacity }

    /// The survey's tally with every answer committed before the call.
    func current(_ q: Questionnaire, on db: any Database) async throws -> SurveyTally {
        let id = try q.requireID()
        if let task = reading[id] { return try await task.value.tally }
        let layout = SurveyAnswerLayout(q.form)
        var start = entries[id]
        // A form changed in structure (only possible before the first answer) starts afresh.
        if start?.items != layout.items.items { start = nil }
        let from = start ?? Entry(tally: SurveyTally(layout: layout), items: layout.items.items)
        let task = Task { try await Self.catchUp(id, from, on: db) }
        reading[id] = task
        defer { reading[id] = nil }
        var entry = try await task.value
        entry.used = Date()
        entries[id] = entry
        while entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
        return entry.tally
    }

    /// Forgets a survey's tally (its answers were removed).
    func forget(_ id: UUID) { entries[id] = nil }

    static let gapLife: TimeInterval = 60
    static let maxGaps = 10_000

    static func catchUp(_ id: UUID, _ start: Entry, on db: any Database) async throws -> Entry {
        let now = Date()
        let reader = RecordReader(start, now: now)
        reader.entry.gaps = start.gaps.filter { now.timeIntervalSince($0.value) < gapLife }
        let gaps = reader.entry.gaps.keys.sorted().prefix(1_000).map { $0 }
        let wanted = gaps.isEmpty ? "" : " OR seq IN (" + gaps.map(String.init).joined(separator: ",") + ")"
        if let lite = db.sqlite {
            let query = """
                SELECT seq, unit, record FROM survey_answers WHERE questionnaire_id = ?1 AND (seq > ?2\(wanted))
                ORDER BY seq
                """
            let binds: [SQLiteData] = [.text(id.uuidString), .integer(Int(start.seen))]
            // Each row handed over on the connection's thread: a national survey is half a million rows.
            try await lite.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.query(query, binds) { row in
                        guard let seq = row.column("seq")?.integer, let unit = row.column("unit")?.integer,
                            case .blob(let record)? = row.column("record")
                        else { return }
                        record.withUnsafeReadableBytes { reader.add(seq: Int64(seq), unit: unit, record: $0) }
                    }
                }
            }.get()
        } else {
            try await db.sql.raw(
                """
                SELECT seq, unit, record FROM survey_answers WHERE questionnaire_id = \(bind: id)
                AND (seq > \(bind: start.seen)\(unsafeRaw: wanted)) ORDER BY seq
                """
            ).run { row in
                do {
                    let record = try row.decode(column: "record", as: Data.self)
                    reader.add(
                        seq: try row.decode(column: "seq", as: Int64.self),
                        unit: try row.decode(column: "unit", as: Int.self), record: record)
                } catch {
                    reader.error = error
                }
            }
        }
        if let error = reader.error { throw error }
        return reader.entry
    }

    /// Counts rows as they arrive (one after another on one connection).
    final class RecordReader: @unchecked Sendable {
        var entry: Entry
        let now: Date
        var error: (any Error)?

        init(_ entry: Entry, now: Date) {
            self.entry = entry
            self.now = now
        }

        func add(seq: Int64, unit: Int, record: some ContiguousBytes) {
            if entry.gaps.removeValue(forKey: seq) == nil {
                guard seq > entry.seen else { return }
                var missing = entry.seen + 1
                while missing < seq && entry.gaps.count < SurveyTallies.maxGaps {
                    entry.gaps[missing] = now
                    missing += 1
                }
                entry.seen = seq
            }
            entry.tally.add(record, unit: unit)
        }
    }
}

extension Application {
    var surveyTallies: SurveyTallies { storage[SurveyTallies.Key.self]! }
}
