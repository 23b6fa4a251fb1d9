import Fluent
import Foundation
import NIOConcurrencyHelpers
import SamradCore
import SQLKit
import Vapor

/// Loads the directory files into the database. The version is the SHA-256 of the files; a version
/// already imported is skipped, and an import runs in one transaction, so running it twice changes
/// nothing and a failed import leaves the previous data whole.
enum DirectoryImport {
    struct Outcome: Sendable, Equatable {
        var version: String
        var imported: Bool
        var municipalities: Int
    }

    @discardableResult
    static func run(on db: any Database, files resources: ResourceFolder, logger: Logger) async throws -> Outcome {
        try await run(on: db, dataset: resources.directoryDataset(), logger: logger)
    }

    static func run(on db: any Database, dataset: DirectoryDataset, logger: Logger) async throws -> Outcome {
        var hasher = SHA256()
        for name in DirectoryDataset.fileNames {
            hasher.update(data: Data(name.utf8))
            hasher.update(data: Data((dataset.files[name] ?? "").utf8))
        }
        let version = hasher.finalize().hex
        let sql = db.sql
        let seen = try await sql.select().column("version").from("directory_versions").where("version", .equal, version)
            .first()
        if seen != nil {
            return Outcome(version: version, imported: false, municipalities: 0)
        }
        let municipalities = try dataset.municipalities()
        try await db.transaction { tx in
            let sql = tx.sql
            for chunk in municipalities.chunked(100) {
                var insert = sql.insert(into: "municipalities").columns(
                    "country", "code", "name", "region_code", "region_name", "population", "population_date",
                    "area_km2", "latitude", "longitude", "group_code", "group_name")
                for m in chunk {
                    insert = insert.values(
                        SQLBind(m.country.rawValue), SQLBind(m.code), SQLBind(m.name), SQLBind(m.regionCode),
                        SQLBind(m.regionName), SQLBind(m.population), SQLBind(m.populationDate), SQLBind(m.areaKm2),
                        SQLBind(m.latitude), SQLBind(m.longitude), SQLBind(m.groupCode), SQLBind(m.groupName))
                }
                try await insert.onConflict(with: ["country", "code"]) { conflict in
                    conflict.set(excludedValueOf: "name").set(excludedValueOf: "region_code").set(
                        excludedValueOf: "region_name"
                    )
                    .set(excludedValueOf: "population").set(excludedValueOf: "population_date").set(
                        excludedValueOf: "area_km2"
                    )
                    .set(excludedValueOf: "latitude").set(excludedValueOf: "longitude").set(
                        excludedValueOf: "group_code"
                    )
                    .set(excludedValueOf: "group_name")
                }.run()
            }
            try await sql.delete(from: "municipality_links").run()
            var links: [(Municipality, String, String, Int)] = []
            for m in municipalities {
                for (rank, other) in m.neighbours.enumerated() { links.append((m, "neighbour", other, rank)) }
                for (rank, other) in m.similar.enumerated() { links.append((m, "similar", other, rank)) }
            }
            for chunk in links.chunked(200) {
                var insert = sql.insert(into: "municipality_links").columns(
                    "country", "code", "relation", "other_code", "rank")
                for (m, relation, other, rank) in chunk {
                    insert = insert.values(
                        SQLBind(m.country.rawValue), SQLBind(m.code), SQLBind(relation), SQLBind(other), SQLBind(rank))
                }
                try await insert.run()
            }
            try await sql.insert(into: "directory_versions").columns("version", "imported_at", "municipality_count")
                .values(SQLBind(version), SQLBind(Date()), SQLBind(municipalities.count)).run()
        }
        logger.info(
            "Imported the directory of municipalities",
            metadata: [
                "version": .string(String(version.prefix(12))), "count": .stringConvertible(municipalities.count),
            ])
        return Outcome(version: version, imported: true, municipalities: municipalities.count)
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// The directory in memory, read from the database at start and after each import.
enum DirectoryStore {
    struct Key: StorageKey { typealias Value = NIOLockedValueBox<Snapshot> }

    /// The directory and each municipality's API JSON, encoded once per import so that a list
    /// answer is a concatenation of ready bytes.
    struct Snapshot: Sendable {
        var directory: MunicipalityDirectory
        var json: [MunicipalityKey: ByteBuffer]
    }

    private struct Row: Decodable {
        var country: String
        var code: String
        var name: String
        var region_code: String
        var region_name: String
        var population: Int
        var population_date: String
        var area_km2: Double
        var latitude: Double
        var longitude: Double
        var group_code: String?
        var group_name: String?
    }

    private struct LinkRow: Decodable {
        var country: String
        var code: String
        var relation: String
        var other_code: String
        var rank: Int
    }

    static func reload(_ app: Application) async throws {
        let sql = app.db.sql
        let rows = try await sql.select().column("*").from("municipalities").all(decoding: Row.self)
        let links = try await sql.select().column("*").from("municipality_links").orderBy("rank").all(
            decoding: LinkRow.self)
        var neighbours: [String: [String]] = [:], similar: [String: [String]] = [:]
        for link in links {
            let key = "\(link.country)/\(link.code)"
            if link.relation == "neighbour" {
                neighbours[key, default: []].append(link.other_code)
            } else {
                similar[key, default: []].append(link.other_code)
            }
        }
        let municipalities = rows.compactMap { row -> Municipality? in
            guard let country = Country(rawValue: row.country) else { return nil }
            let key = "\(row.country)/\(row.code)"
            return Municipality(
                country: country, code: row.code, name: row.name, regionCode: row.region_code,
                regionName: row.region_name,
                population: row.population, populationDate: row.population_date, areaKm2: row.area_km2,
                latitude: row.latitude, longitude: row.longitude, groupCode: row.group_code, groupName: row.group_name,
                neighbours: neighbours[key] ?? [], similar: similar[key] ?? [])
        }
        let directory = MunicipalityDirectory(municipalities)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var json: [MunicipalityKey: ByteBuffer] = [:]
        for m in municipalities {
            json[m.key] = ByteBuffer(data: try encoder.encode(DirectoryPages.MunicipalityJSON(m)))
        }
        let snapshot = Snapshot(directory: directory, json: json)
        if let box = app.storage[Key.self] {
            box.withLockedValue { $0 = snapshot }
        } else {
            app.storage[Key.self] = NIOLockedValueBox(snapshot)
        }
    }
}

extension Application {
    var municipalities: MunicipalityDirectory { storage[DirectoryStore.Key.self]!.withLockedValue { $0.directory } }
    var directorySnapshot: DirectoryStore.Snapshot { storage[DirectoryStore.Key.self]!.withLockedValue { $0 } }
}

extension Request {
    var municipalities: MunicipalityDirectory { application.municipalities }
}
