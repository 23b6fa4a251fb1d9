import Fluent
import Foundation
import SamradCore
import SQLiteKit
import SQLKit
import Vapor

/// A school or a day-care unit as the dashboards know it.
struct SchoolInfo: Sendable, Equatable {
    var country: Country
    var code: String
    var name: String
    var municipality: MunicipalityKey
    var organiserType: String?
    /// `.school` or `.dayCare`: the level of the indicators it is measured by.
    var kind: IndicatorLevel = .school

    var unit: UnitKey { UnitKey(kind, country, code) }
    var href: String { "/schools/\(country.rawValue)/\(code)" }
}

actor IndicatorStore {
    struct Key: StorageKey { typealias Value = IndicatorStore }

    private var snapshot = IndicatorSnapshot.empty
    private var loading: Task<IndicatorSnapshot, any Error>?

    /// The current snapshot: one count query, and a reload only when the data changed.
    func current(on db: any Database) async throws -> IndicatorSnapshot {
        let version = try await Self.version(on: db)
        if version == snapshot.version { return snapshot }
        if let loading { return try await loading.value }
        let task = Task { try await Self.load(version: version, on: db) }
        loading = task
        defer { loading = nil }
        let loaded = try await task.value
        snapshot = loaded
        return loaded
    }

    static func version(on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT count(*) AS n FROM indicator_datasets").first(
            decoding: Row.self)?.n ?? 0
    }

    /// Marks the data changed, inside the transaction that changed it.
    static func bump(on db: any Database) async throws {
        try await db.sql.insert(into: "indicator_datasets").columns("version", "imported_at")
            .values(SQLBind("change-" + UUID().uuidString), SQLBind(Date())).run()
    }

    final class Collector: @unchecked Sendable {
        var byTable: [String: [Observation]] = [:]
        var privates: [String: [String: [Observation]]] = [:]
        var count = 0
        var error: (any Error)?

        func add(
            indicator: String, level: String, country: String, unit: String, year: Int, scope: String, value: Double?,
            status: String, pupils: Int?
        ) {
            guard let level = IndicatorLevel(rawValue: level), let country = Country(rawValue: country) else { return }
            let o = Observation(
                indicator: indicator, unit: UnitKey(level, country, unit), year: year, value: value,
                status: ObservationStatus(rawValue: status) ?? .missing, pupils: pupils)
            count += 1
            if scope.isEmpty {
                byTable["\(indicator)|\(country.rawValue)", default: []].append(o)
            } else {
                privates[scope, default: [:]][indicator, default: []].append(o)
            }
        }

        func read(_ row: SQLiteRow) {
            add(
                indicator: row.column("indicator")?.string ?? "", level: row.column("level")?.string ?? "",
                country: row.column("country")?.string ?? "",
                unit: row.column("unit_code")?.string ?? "", year: row.column("year")?.integer ?? 0,
                scope: row.column("scope")?.string ?? "",
                value: row.column("value")?.double, status: row.column("status")?.string ?? "",
                pupils: row.column("pupils")?.integer)
        }

        func read(_ row: any SQLRow) {
            do {
                add(
                    indicator: try row.decode(column: "indicator", as: String.self),
                    level: try row.decode(column: "level", as: String.self),
                    country: try row.decode(column: "country", as: String.self),
                    unit: try row.decode(column: "unit_code", as: String.self),
                    year: try row.decode(column: "year", as: Int.self),
                    scope: try row.decode(column: "scope", as: String.self),
                    value: try row.decode(column: "value", as: Double?.self),
                    status: try row.decode(column: "status", as: String.self),
                    pupils: try row.decode(column: "pupils", as: Int?.self))
            } catch { self.error = error }
        }
    }

    static func load(version: Int, on db: any Database) async throws -> IndicatorSnapshot {
        let records = try await IndicatorRecord.query(on: db).all()
        let order = IndicatorCategory.allCases
        let catalogue = records.compactMap(\.indicator).sorted {
            ($0.country?.rawValue ?? "", order.firstIndex(of: $0.category)!, $0.code) < (
                $1.country?.rawValue ?? "", order.firstIndex(of: $1.category)!, $1.code
            )
        }
        let collector = Collector()
        let query = "SELECT indicator, level, country, unit_code, year, scope, value, status, pupils FROM observations"
        // On SQLite rows are read on the connection's thread, not decoded one future at a time.
        if let lite = db.sqlite {
            try await lite.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.query(query, []) { row in collector.read(row) }
                }
            }.get()
        } else {
            try await db.sql.raw(SQLQueryString(query)).run { row in collector.read(row) }
        }
        if let error = collector.error { throw error }
        var tables: [String: IndicatorTable] = [:]
        for (key, observations) in collector.byTable {
            tables[key] = IndicatorTable(indicator: String(key.split(separator: "|")[0]), observations: observations)
        }
        var schools: [String: SchoolInfo] = [:]
        var schoolsOf: [MunicipalityKey: [SchoolInfo]] = [:]
        for s in try await School.query(on: db).all() {
            guard let country = Country(rawValue: s.country) else { continue }
            let info = SchoolInfo(
                country: country, code: s.code, name: s.name,
                municipality: MunicipalityKey(country, s.municipalityCode), organiserType: s.organiserType,
                kind: s.level)
            schools["\(s.country)/\(s.code)"] = info
            schoolsOf[info.municipality, default: []].append(info)
        }
        for key in schoolsOf.keys { schoolsOf[key]!.sort { NordicCollation.ordered($0.name, $1.name, key.country) } }
        return IndicatorSnapshot(
            version: version, catalogue: catalogue,
            byCode: Dictionary(uniqueKeysWithValues: catalogue.map { ($0.code, $0) }),
            tables: tables, privates: collector.privates, schools: schools, schoolsOf: schoolsOf,
            observationCount: collector.count)
    }
}

extension Request {
    var indicatorStore: IndicatorStore { application.storage[IndicatorStore.Key.self]! }
    func indicators() async throws -> IndicatorSnapshot { try await indicatorStore.current(on: db) }
}
