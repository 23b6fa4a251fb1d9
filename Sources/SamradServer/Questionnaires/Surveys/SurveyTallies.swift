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
/// A record is counted once: one whose number was read already is not read again.
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
    /// Per survey, the figures of its groups worked out last, and what they were worked out from.
    private var figures: [UUID: (edition: Int, results: SurveyResults)] = [:]
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
            figures[oldest] = nil
        }
        return entry.tally
    }

    /// The figures of every group, worked out again only when an answer arrived or what they are
    /// worked out from changed (the form, a unit, a cluster, the threshold): every viewer of a
    /// survey reads the same ones.
    func results(
        _ id: UUID, revision: Int, tally: SurveyTally, grouping: SurveyGrouping, threshold: Int
    ) -> SurveyResults {
        var hasher = Hasher()
        hasher.combine(revision)
        hasher.combine(tally.records)
        hasher.combine(tally.unitCount)
        hasher.combine(threshold)
        hasher.combine(grouping.schools)
        hasher.combine(grouping.places)
        let edition = hasher.finalize()
        if let kept = figures[id], kept.edition == edition { return kept.results }
        let results = SurveyResults(tally: tally, grouping: grouping, threshold: threshold)
        if entries[id] != nil { figures[id] = (edition, results) }
        return results
    }

    static let gapLife: TimeInterval = 60
    static let maxGaps = 10_000

    static func catchUp(_ id: UUID, _ start: Entry, on db: any Database) async throws -> Entry {
        let now = Date()
        let reader = RecordReader(start, now: now)
        let gaps = reader.entry.gaps.keys.sorted().prefix(1_000).map { $0 }
        let wanted = gaps.isEmpty ? "" : " OR seq IN (" + gaps.map(String.init).joined(separator: ",") + ")"
        if let lite = db.sqlite {
            let query = """
                SELECT seq, unit, record FROM survey_answers WHERE questionnaire_id = ?1 AND (seq > ?2\(wanted))
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
            // One row per unit, its records joined end to end by PostgreSQL: decoding half a million
            // rows one by one took two seconds, 2,400 rows take a few milliseconds.
            try await db.sql.raw(
                """
                SELECT unit, string_agg(record, ''::bytea ORDER BY seq) AS records,
                    array_agg(seq ORDER BY seq) AS seqs FROM survey_answers WHERE questionnaire_id = \(bind: id)
                AND (seq > \(bind: start.seen)\(unsafeRaw: wanted)) GROUP BY unit
                """
            ).run { row in
                do {
                    let unit = try row.decode(column: "unit", as: Int.self)
                    let records = try row.decode(column: "records", as: Data.self)
                    let seqs = try row.decode(column: "seqs", as: [Int64].self)
                    reader.add(unit: unit, records: records, seqs: seqs)
                } catch {
                    reader.error = error
                }
            }
        }
        if let error = reader.error { throw error }
        return reader.finish()
    }

    /// Counts records as they arrive, in any order, and works out afterwards which numbers below the
    /// highest one read are missing (not yet committed, or rolled back).
    final class RecordReader: @unchecked Sendable {
        var entry: Entry
        let now: Date
        var error: (any Error)?
        private var read: [Int64] = []

        init(_ entry: Entry, now: Date) {
            self.entry = entry
            self.now = now
            self.entry.gaps = entry.gaps.filter { now.timeIntervalSince($0.value) < SurveyTallies.gapLife }
        }

        func add(seq: Int64, unit: Int, record: some ContiguousBytes) {
            guard seq > entry.seen || entry.gaps[seq] != nil else { return }
            if entry.tally.add(record, unit: unit) { read.append(seq) }
        }

        /// A unit's records end to end, with their numbers in the same order.
        func add(unit: Int, records: Data, seqs: [Int64]) {
            let size = entry.tally.layout.size
            guard size > 0, records.count == seqs.count * size else { return }
            records.withUnsafeBytes { bytes in
                for (i, seq) in seqs.enumerated() {
                    let record = UnsafeRawBufferPointer(rebasing: bytes[i * size..<(i + 1) * size])
                    add(seq: seq, unit: unit, record: record)
                }
            }
        }

        func finish() -> Entry {
            for seq in read { entry.gaps[seq] = nil }
            let top = read.max() ?? entry.seen
            if top > entry.seen {
                // One flag per number since the last read: half a million numbers are half a megabyte.
                let base = entry.seen + 1
                var arrived = [Bool](repeating: false, count: Int(top - base) + 1)
                for seq in read where seq >= base { arrived[Int(seq - base)] = true }
                for (offset, came) in arrived.enumerated() where !came {
                    if entry.gaps.count >= SurveyTallies.maxGaps { break }
                    entry.gaps[base + Int64(offset)] = now
                }
                entry.seen = top
            }
            return entry
        }
    }
}

extension Application {
    var surveyTallies: SurveyTallies { storage[SurveyTallies.Key.self]! }
}
