import Fluent
import Foundation
import SamradCore
import Vapor

/// A fact administrators keep about each municipality, one row per municipality: its official
/// mailbox, its invoice address. Written the same way whether typed on a page, sent to the API or
/// read from a spreadsheet.
protocol MunicipalityRecord: Model, Sendable where IDValue == UUID {
    associatedtype Value: Equatable & Sendable
    var municipalityCountry: String { get set }
    var municipalityCode: String { get set }
    var value: Value { get set }
    init()
}

extension MunicipalityRecord {
    var municipality: MunicipalityKey? {
        Country(rawValue: municipalityCountry).map { MunicipalityKey($0, municipalityCode) }
    }
}

enum MunicipalityRecords {
    /// What a write did, line by line.
    struct Outcome: Content, Equatable { var created: Int; var updated: Int; var removed: Int; var unchanged: Int }

    /// Writes `rows` in one transaction (nil removes a municipality's row), audited as `action`;
    /// returns what changed.
    static func write<Row: MunicipalityRecord>(
        _ type: Row.Type, _ rows: [(MunicipalityKey, Row.Value?)], action: String, request: Request
    ) async throws -> Outcome {
        let countries = Set(rows.map(\.0.country.rawValue))
        // At most one row per municipality: reading them all and keeping the countries' is cheap.
        let stored = try await Row.query(on: request.db).all().filter { countries.contains($0.municipalityCountry) }
        let byKey = Dictionary(
            stored.compactMap { row in row.municipality.map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
        // Decided before the transaction: what each line does to the stored row.
        var outcome = Outcome(created: 0, updated: 0, removed: 0, unchanged: 0)
        var removals: [Row] = [], saves: [Row] = []
        for (key, value) in rows {
            switch (byKey[key], value) {
            case (nil, nil): outcome.unchanged += 1
            case (let row?, nil):
                removals.append(row)
                outcome.removed += 1
            case (let row?, let value?) where row.value == value: outcome.unchanged += 1
            case (let found, let value?):
                let row = found ?? Row()
                if found == nil { outcome.created += 1 } else { outcome.updated += 1 }
                row.municipalityCountry = key.country.rawValue
                row.municipalityCode = key.code
                row.value = value
                saves.append(row)
            }
        }
        let summary = "created \(outcome.created), updated \(outcome.updated), removed \(outcome.removed)"
        try await request.db.transaction { [removals, saves] db in
            for row in removals { try await row.delete(on: db) }
            for row in saves { try await row.save(on: db) }
            try await Audit.record(
                action, subject: Row.schema, id: countries.sorted().joined(separator: ","), summary: summary,
                by: request, on: db)
        }
        return outcome
    }
}
