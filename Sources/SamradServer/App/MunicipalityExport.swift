import Fluent
import Foundation
import SamradCore
import ZIPFoundation

/// Everything Samrad holds about one municipality, for its own quality report: each feature adds its
/// files (`Feature.export`): its people, registrations and invitations, clusters, the meetings it
/// took part in with minutes, attendance and commitments, questionnaire answers, goals, next steps
/// and indicator values (public and its own private ones), local dialogues and published materials.
/// CSV for tables, JSON for documents, in one ZIP with a manifest. Another municipality's private
/// data is never in it.
final class MunicipalityExport {
    let municipality: MunicipalityKey
    let directory: MunicipalityDirectory

    struct File {
        var name: String
        var description: String
        var rows: Int
        var data: Data
    }

    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601)
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The files so far, in the order the features added them.
    private(set) var files: [File] = []
    private var kept: [String: Any] = [:]

    init(municipality: MunicipalityKey, directory: MunicipalityDirectory) {
        self.municipality = municipality
        self.directory = directory
    }

    /// Every feature's files, in the order the features are listed.
    static func files(
        of municipality: MunicipalityKey, directory: MunicipalityDirectory, features: [any Feature],
        on db: any Database
    ) async throws -> (MunicipalityExport, [File]) {
        let export = MunicipalityExport(municipality: municipality, directory: directory)
        for feature in features { try await feature.export(into: export, on: db) }
        return (export, export.files)
    }

    func csv(_ name: String, _ description: String, _ header: [String], _ rows: [[String]]) {
        var writer = CSVWriter(header: header)
        for row in rows { writer.append(row) }
        files.append(File(name: name, description: description, rows: rows.count, data: Data(writer.text.utf8)))
    }

    func json<T: Encodable>(_ name: String, _ description: String, _ items: [T]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        files.append(File(name: name, description: description, rows: items.count, data: try encoder.encode(items)))
    }

    /// A value several features' parts need (the collaborations by id, the municipality's people),
    /// made by the first that asks and kept for the rest of this export.
    func shared<T>(_ key: String, _ make: () async throws -> T) async rethrows -> T {
        if let kept = kept[key] as? T { return kept }
        let value = try await make()
        kept[key] = value
        return value
    }

    /// samrad-dk-751-2026-11-25.zip
    func fileName(at date: Date) -> String {
        let day = date.formatted(.iso8601.year().month().day())
        return "samrad-\(municipality.country.rawValue)-\(municipality.code)-\(day).zip"
    }

    /// The files in one ZIP, with manifest.json first: what each file holds and how many rows.
    func zip(_ files: [File], generatedAt: Date = Date()) throws -> Data {
        struct Manifest: Encodable {
            struct Entry: Encodable { var file: String; var rows: Int; var holds: String }
            var municipality: String; var name: String; var generatedAt: String; var files: [Entry]
        }
        let manifest = Manifest(
            municipality: municipality.description, name: directory[municipality]?.name ?? "",
            generatedAt: Self.timestamp(generatedAt),
            files: files.map { .init(file: $0.name, rows: $0.rows, holds: $0.description) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let all = [File(name: "manifest.json", description: "", rows: 0, data: try encoder.encode(manifest))] + files
        let archive = try Archive(accessMode: .create)
        for file in all {
            try archive.addEntry(
                with: file.name, type: .file, uncompressedSize: Int64(file.data.count), modificationDate: generatedAt,
                compressionMethod: .deflate
            ) { position, size in
                file.data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        // An archive made in memory always has its data; without it this is a server error, logged.
        guard let data = archive.data else { throw Archive.ArchiveError.unwritableArchive }
        return data
    }
}
