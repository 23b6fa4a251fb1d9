import Fluent
import Foundation
import SamradCore
import SQLKit
import ZIPFoundation

/// The person a data export or an erasure is about (GDPR articles 15, 17 and 20): their person
/// record and their account, either of which may be missing.
struct DataSubject: Sendable {
    var name: String { names.first ?? "" }

    var personID: UUID?
    var userID: UUID?
    /// The record's name first, then the account's when it differs.
    var names: [String]
    /// Every address the person is known by (record and account), as stored.
    var emails: [String]
    var municipality: MunicipalityKey?

    /// The addresses in lower case, for `IN (…)`: never empty, so the list is valid SQL.
    var lowercasedEmails: [String] {
        let emails = emails.map { $0.lowercased() }
        return emails.isEmpty ? [""] : emails
    }
}

extension Feature {
    var processing: [ProcessingActivity] { [] }
    func exportPerson(into export: PersonExport, on db: any Database) async throws {}
    func erase(_ erasure: PersonErasure, on db: any Database) async throws {}
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] { [:] }
}

/// One run of the retention job: the installation's terms, and the collaborations whose own time
/// for keeping personal data ran out since the last run.
struct RetentionRun: Sendable {
    var terms: RetentionTerms
    var now: Date
    /// Concluded collaborations past their months, not cleared before.
    var expiredCollaborations: [UUID]
}

/// A person's data as tables, written as one ZIP: each table as CSV, all of them together as
/// `data.json`, and `manifest.json` saying what each file holds.
final class PersonExport {
    let subject: DataSubject

    struct Table {
        var name: String
        var description: String
        var header: [String]
        var rows: [[String]]
    }

    private(set) var tables: [Table] = []

    init(subject: DataSubject) { self.subject = subject }

    func table(_ name: String, _ description: String, _ header: [String], _ rows: [[String]]) {
        tables.append(Table(name: name, description: description, header: header, rows: rows))
    }

    /// A table straight from a query: its columns in the order selected, values as text (times
    /// as ISO 8601, whatever the database stores them as).
    func table(_ name: String, _ description: String, query: SQLQueryString, on db: any Database) async throws {
        let rows = try await db.sql.raw(query).all()
        let header = rows.first?.allColumns ?? []
        table(name, description, header, rows.map { row in header.map { ExportValue.text(row, $0) } })
    }

    /// `samrad-person-2026-12-06.zip`
    func fileName(at date: Date) -> String {
        "samrad-person-\(date.formatted(.iso8601.year().month().day())).zip"
    }

    func zip(generatedAt: Date = Date()) throws -> Data {
        var files: [ExportArchive.File] = []
        var all: [String: [[String: String]]] = [:]
        for table in tables {
            var writer = CSVWriter(header: table.header)
            for row in table.rows { writer.append(row) }
            files.append(.init(name: "\(table.name).csv", description: table.description, rows: table.rows.count,
                data: Data(writer.text.utf8)))
            all[table.name] = table.rows.map { Dictionary(uniqueKeysWithValues: Swift.zip(table.header, $0)) }
        }
        let data = try ExportArchive.encoder.encode(all)
        files.insert(.init(name: "data.json", description: "All tables below in one JSON document.",
            rows: tables.count, data: data), at: 0)
        struct Manifest: Encodable {
            var subject: String; var generatedAt: String; var files: [ExportArchive.Entry]
        }
        let manifest = Manifest(subject: subject.name, generatedAt: ExportArchive.timestamp(generatedAt),
            files: files.map(\.entry))
        return try ExportArchive.zip(manifest: manifest, files: files, generatedAt: generatedAt)
    }
}

/// Text of one exported value, whatever type the database gave it.
enum ExportValue {
    static func text(_ row: any SQLRow, _ column: String) -> String {
        if (try? row.decodeNil(column: column)) == true { return "" }
        if column.hasSuffix("_at"), let date = try? row.decode(column: column, as: Date.self) {
            return ExportArchive.timestamp(date)
        }
        if let text = try? row.decode(column: column, as: String.self) { return text }
        if let uuid = try? row.decode(column: column, as: UUID.self) { return uuid.uuidString }
        if let int = try? row.decode(column: column, as: Int.self) { return String(int) }
        if let double = try? row.decode(column: column, as: Double.self) { return String(double) }
        if let bool = try? row.decode(column: column, as: Bool.self) { return String(bool) }
        return ""
    }
}

/// One erasure under way: the subject and the pseudonym ("Slettet person #4") that stands where
/// the person must remain (a seat held, an answer given for a municipality, an audit entry).
struct PersonErasure: Sendable {
    var subject: DataSubject
    var number: Int
    var pseudonym: String

    /// The texts replaced by the pseudonym wherever they are written: the name (when it is long
    /// enough not to be an ordinary word) and every address, also in lower case.
    var identifyingTexts: [String] {
        var texts = Set(subject.emails.flatMap { [$0, $0.lowercased()] }.filter { !$0.isEmpty })
        for name in subject.names.map({ $0.trimmingCharacters(in: .whitespaces) })
        where name.count >= 5 && name != pseudonym {
            texts.insert(name)
        }
        // Longest first, so an address is replaced whole before a name inside it.
        return texts.sorted { $0.count > $1.count }
    }

    /// Replaces the identifying texts by the pseudonym in every text column of every table but
    /// the search indexes (rebuilt by their feature) and the reference data, which hold no one.
    func sweep(on db: any Database) async throws -> Int {
        var changed = 0
        for (table, columns) in try await Self.textColumns(db.sql) {
            changed += try await replace(in: table, columns, on: db)
        }
        return changed
    }

    /// Replaces the identifying texts in the named text columns of `table` (as the database types
    /// them: text, JSON, or on PostgreSQL an array of text).
    func replace(in table: String, columns names: [String], on db: any Database) async throws -> Int {
        let columns = try await Self.textColumns(db.sql).first { $0.0 == table }?.1 ?? []
        return try await replace(in: table, columns.filter { names.contains($0.name) }, on: db)
    }

    /// Replaces the identifying texts by the pseudonym in the given columns; returns how many
    /// values changed.
    func replace(in table: String, _ columns: [Column], on db: any Database) async throws -> Int {
        let sql = db.sql
        var changed = 0
        for column in columns {
            for text in identifyingTexts {
                let name = SQLIdentifier(column.name)
                let rows: [any SQLRow]
                if column.kind == .textArray {
                    // Each element, in its place.
                    rows = try await sql.raw("""
                        UPDATE \(ident: table) SET \(name) = ARRAY(
                            SELECT REPLACE(x, \(bind: text), \(bind: pseudonym))
                            FROM unnest(\(name)) WITH ORDINALITY AS u(x, n) ORDER BY n)
                        WHERE strpos(array_to_string(\(name), chr(31)), \(bind: text)) > 0 RETURNING 1 AS changed
                        """).all()
                } else if column.kind == .json && sql.isPostgres {
                    rows = try await sql.raw("""
                        UPDATE \(ident: table)
                        SET \(name) = REPLACE(\(name)::text, \(bind: text), \(bind: pseudonym))::jsonb
                        WHERE strpos(\(name)::text, \(bind: text)) > 0 RETURNING 1 AS changed
                        """).all()
                } else {
                    let find = SQLRaw(sql.isPostgres ? "strpos" : "instr")
                    rows = try await sql.raw("""
                        UPDATE \(ident: table) SET \(name) = REPLACE(\(name), \(bind: text), \(bind: pseudonym))
                        WHERE \(find)(\(name), \(bind: text)) > 0 RETURNING 1 AS changed
                        """).all()
                }
                changed += rows.count
            }
        }
        return changed
    }

    struct Column {
        enum Kind { case text, json, textArray }
        var name: String
        var kind = Kind.text
    }

    /// Tables that hold only reference data or statistics, never a person.
    static let referenceTables: Set<String> = [
        "observations", "municipality_links", "municipalities", "schools", "indicators", "indicator_datasets",
        "directory_versions", "_fluent_migrations", "job_leases",
    ]

    static func textColumns(_ sql: any SQLDatabase) async throws -> [(String, [Column])] {
        var found: [String: [Column]] = [:]
        if sql.isPostgres {
            let rows = try await sql.raw("""
                SELECT c.table_name AS t, c.column_name AS c, c.data_type AS d FROM information_schema.columns c
                JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
                WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'
                AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json')
                    OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
                """).all()
            for row in rows {
                let table = try row.decode(column: "t", as: String.self)
                let type = try row.decode(column: "d", as: String.self)
                let kind: Column.Kind = type.hasPrefix("json") ? .json : type == "ARRAY" ? .textArray : .text
                found[table, default: []].append(Column(name: try row.decode(column: "c", as: String.self), kind: kind))
            }
        } else {
            for table in try await sql.baseTables() {
                let columns = try await sql.raw("SELECT name, type FROM pragma_table_info(\(bind: table))").all()
                for column in columns {
                    let type = try column.decode(column: "type", as: String.self).uppercased()
                    guard type == "TEXT" || type == "JSON" || type.isEmpty else { continue }
                    found[table, default: []].append(Column(name: try column.decode(column: "name", as: String.self)))
                }
            }
        }
        return found.filter { !referenceTables.contains($0.key) }.sorted { $0.key < $1.key }
    }
}

/// The ZIP both exports are written as, with manifest.json first.
enum ExportArchive {
    struct File {
        var name: String
        var description: String
        var rows: Int
        var data: Data
        var entry: Entry { Entry(file: name, rows: rows, holds: description) }
    }

    struct Entry: Encodable { var file: String; var rows: Int; var holds: String }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601)
    }

    static func zip(manifest: some Encodable, files: [File], generatedAt: Date) throws -> Data {
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
