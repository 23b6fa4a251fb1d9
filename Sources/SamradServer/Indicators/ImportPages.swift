import Fluent
import Foundation
import NIOConcurrencyHelpers
import SamradCore
import SQLKit
import Vapor

/// How far running imports have come, per process: the status page reads it while the import works
/// in the background.
final class ImportProgress: Sendable {
    struct Key: StorageKey { typealias Value = ImportProgress }
    struct State: Sendable, Encodable, Equatable { var phase: String; var done: Int; var total: Int }
    private let states = NIOLockedValueBox<[UUID: State]>([:])

    func set(_ id: UUID, _ state: State?) { states.withLockedValue { $0[id] = state } }
    func get(_ id: UUID) -> State? { states.withLockedValue { $0[id] } }
    var all: [State] { states.withLockedValue { Array($0.values) } }
}

/// Imports of observations: upload a CSV or Kolada JSON file, choose which column holds what
/// (remembered for the next file with the same header), then the whole file is checked and either
/// written in one transaction or rejected with every bad row named by its line — unless the
/// importer chose to skip bad rows.
struct ImportPages: RouteCollection {
    static let maxFileBytes = 200_000_000

    func boot(routes: any RoutesBuilder) throws {
        let imports = routes.grouped("indicators", "imports")
        imports.get(use: list)
        imports.upload(
            maxBytes: Self.maxFileBytes + 1_000_000, tooLarge: "imports.error.too_large",
            [String(Self.maxFileBytes / 1_000_000)],
            gate: { try $0.require(IndicatorPolicy.mayImport($0.actor)) }, use: upload)
        imports.get("uploads", ":upload", use: mappingForm)
        imports.post("uploads", ":upload", use: start)
        imports.get(":import", use: status)
    }


    struct ImportRow: Encodable {
        var href: String; var fileName: String; var when: String; var status: String; var statusKey: String;
        var imported: Int; var rejected: Int; var scope: String
    }
    struct ListContext: Encodable {
        var page: PageContext; var imports: [ImportRow]; var form: FormState; var formats: [Option];
        var countries: [Option]; var levels: [Option]
        var publicly: Bool
    }

    func listContext(_ request: Request, form: FormState) async throws -> ListContext {
        let user = try request.requireSignedIn()
        var query = ObservationImportRecord.query(on: request.db).sort(\.$createdAt, .descending).limit(50)
        if !request.actor.isAdministrator { query = query.filter(\.$userID == user.id) }
        let zone = request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen"
        let rows = try await query.all().map { r in
            ImportRow(
                href: r.href, fileName: r.fileName,
                when: r.createdAt.map { DateText.dateTime($0, request.language, zone: zone) } ?? "",
                status: request.t("imports.status.\(r.status)"), statusKey: r.status, imported: r.imported,
                rejected: r.rejected,
                scope: r.scope.isEmpty ? request.t("imports.public") : r.scope)
        }
        func options(_ values: [String], _ prefix: String, _ field: String) -> [Option] {
            values.map { Option(value: $0, label: request.t(prefix + $0), selected: form.values[field] == $0) }
        }
        return ListContext(
            page: PageContext(request, titleKey: "imports.title"), imports: rows, form: form,
            formats: options(["csv", "kolada"], "imports.format.", "format"),
            countries: options(Country.allCases.map(\.rawValue), "country.", "country"),
            levels: options(IndicatorLevel.allCases.map(\.rawValue), "indicators.level.", "level"),
            publicly: IndicatorPolicy.importsPublicly(request.actor))
    }

    func list(_ request: Request) async throws -> View {
        try request.require(IndicatorPolicy.mayImport(request.actor))
        return try await request.view.render(
            "indicators/imports",
            listContext(
                request,
                form: FormState(values: [
                    "format": "csv", "country": request.language == .sv ? "se" : "dk", "level": "municipality",
                ])))
    }

    struct UploadForm: Content { var format: String?; var country: String?; var level: String?; var file: File? }

    func upload(_ request: Request) async throws -> Response {
        try request.require(IndicatorPolicy.mayImport(request.actor))
        let user = try request.requireSignedIn()
        let form = try request.content.decode(UploadForm.self)
        let values = ["format": form.format ?? "", "country": form.country ?? "", "level": form.level ?? ""]
        do {
            var v = Validation()
            let format =
                ["csv", "kolada"].contains(form.format ?? "")
                ? form.format!
                : {
                    v.add("format", "validation.choice"); return "csv"
                }()
            let country = v.oneOf("country", form.country, as: Country.self)
            let level = v.oneOf("level", form.level, as: IndicatorLevel.self)
            var data = Data()
            if let file = form.file, !file.filename.isEmpty, file.data.readableBytes > 0 {
                data = Data(file.data.readableBytesView)
            } else {
                v.add("file", "imports.error.no_file")
            }
            if data.count > Self.maxFileBytes {
                v.add("file", "imports.error.too_large", [String(Self.maxFileBytes / 1_000_000)])
            }
            try v.check()
            if format == "csv" { data = try SpreadsheetUpload.csvData(data) }
            // Files whose import was never run, or was rejected and not tried again, go after a day.
            try await ImportUpload.query(on: request.db).filter(\.$userID == user.requireID()).filter(
                \.$createdAt < Date().addingTimeInterval(-86_400)
            ).delete()
            let upload = ImportUpload()
            upload.userID = try user.requireID()
            let name = String((form.file?.filename ?? "file").split(separator: "/").last ?? "file").filter {
                !$0.isNewline
            }
            upload.fileName = String(name.prefix(200))
            upload.format = "\(format)|\(country!.rawValue)|\(level!.rawValue)"
            upload.content = data
            try await upload.save(on: request.db)
            return request.redirect(to: "/indicators/imports/uploads/\(upload.id!.uuidString.lowercased())")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/imports",
                listContext(request, form: FormState(values: values, error: error, request: request)))
        }
    }
}

/// One import at work: check every row, then write in one transaction (or write nothing).
struct ImportJob: Sendable {
    var importID: UUID
    var uploadID: UUID
    var data: Data
    var format: String
    var mapping: ImportMapping
    var context: ImportContext
    var publicly: Bool
    var municipalityOf: @Sendable (String) -> MunicipalityKey?
    var skipBadRows: Bool
    var audit: AuditActor

    /// Imports on one instance run two at a time: each holds its file and its rows in memory.
    static let turns = Turns(limit: 2)

    /// An import still "running" an hour after it began was cut off by a stop of the server that
    /// ran it; its transaction never committed, so it wrote nothing.
    static func markInterrupted(on db: any Database) async throws {
        try await ObservationImportRecord.query(on: db).filter(\.$status == "running").filter(
            \.$createdAt < Date().addingTimeInterval(-3_600)
        )
        .set(\.$status, to: "failed").set(\.$message, to: "imports.error.interrupted").set(\.$finishedAt, to: Date())
        .update()
    }

    /// On PostgreSQL, where several instances may serve the status page, the count is written to
    /// the import's row twice a second. (On SQLite one instance serves it from memory, and a write
    /// would wait for the import's own transaction.)
    static func report(_ id: UUID, _ progress: ImportProgress, on app: Application) -> Task<Void, Never>? {
        guard let sql = app.db as? any SQLDatabase, sql.isPostgres else { return nil }
        return Task {
            var last: ImportProgress.State?
            while !Task.isCancelled {
                if let now = progress.get(id), now != last {
                    last = now
                    try? await sql.raw(
                        """
                        UPDATE observation_imports SET progress_phase = \(bind: now.phase), progress_done =
                            \(bind: now.done), progress_total = \(bind: now.total)
                        WHERE id = \(bind: id) AND status = 'running'
                        """
                    ).run()
                }
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
    }

    func run(_ app: Application) async {
        let progress = app.storage[ImportProgress.Key.self]!
        let db = app.db
        progress.set(importID, .init(phase: "checking", done: 0, total: 0))
        let reporter = Self.report(importID, progress, on: app)
        defer {
            reporter?.cancel()
            progress.set(importID, nil)
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            // Checking a million rows takes seconds of CPU: off the event loops, so no connection waits.
            let (data, format, mapping, context, importID) = (data, format, mapping, context, importID)
            let check: ImportCheck = try await app.threadPool.runIfActive {
                if format == "kolada" {
                    return try ObservationReader.read(kolada: data, mapping: mapping, context: context)
                }
                return try ObservationReader.read(csv: data, mapping: mapping, context: context) { rows in
                    progress.set(importID, .init(phase: "checking", done: rows, total: 0))
                }
            }
            guard let record = try await ObservationImportRecord.find(importID, on: db) else { return }
            record.rows = check.rows
            record.rejected = check.rejectedRows
            record.problems = check.problems
            if check.rejectedRows > 0 && !skipBadRows {
                record.status = "rejected"
                record.finishedAt = Date()
                try await record.save(on: db)
                return
            }
            if check.observations.isEmpty {
                record.status = "rejected"
                record.message = "imports.error.nothing"
                record.finishedAt = Date()
                try await record.save(on: db)
                return
            }
            let total = check.observations.count
            let checked = clock.now
            progress.set(importID, .init(phase: "writing", done: 0, total: total))
            try await db.transaction { tx in
                var written = total
                if publicly {
                    // The shipped official statistics stay; what a file would have replaced is counted.
                    let shipped = try await ObservationWriter.shippedImports(on: tx)
                    try await ObservationWriter.write(
                        check.observations, scope: "", importID: importID, keeping: shipped, on: tx
                    ) { done in
                        progress.set(importID, .init(phase: "writing", done: done, total: total))
                    }
                    written = try await ObservationWriter.written(by: importID, on: tx)
                    if written < total { record.message = "imports.kept_shipped" }
                    try await Audit.record(
                        "import:done", subject: "import", id: importID.uuidString,
                        summary: "public: \(written) values written, \(total - written) shipped values kept", by: audit,
                        on: tx)
                } else {
                    // A coordinator's figures stay their municipality's own.
                    let byScope = Dictionary(grouping: check.observations) {
                        municipalityOf($0.unit.code)?.description ?? ""
                    }
                    for (scope, observations) in byScope where !scope.isEmpty {
                        try await ObservationWriter.write(observations, scope: scope, importID: importID, on: tx)
                    }
                }
                record.imported = written
                record.status = "done"
                record.finishedAt = Date()
                try await record.save(on: tx)
                try await IndicatorStore.bump(on: tx)
                try await ImportUpload.query(on: tx).filter(\.$id == uploadID).delete()
            }
            app.logger.notice(
                "Imported observations",
                metadata: [
                    "import": .string(importID.uuidString), "rows": .stringConvertible(check.rows),
                    "check": .string("\(checked - started)"), "write": .string("\(clock.now - checked)"),
                ])
        } catch {
            app.logger.error(
                "Import failed",
                metadata: ["import": .string(importID.uuidString), "error": .string(String(describing: error))])
            if let record = try? await ObservationImportRecord.find(importID, on: db) {
                record.status = "failed"
                record.message = (error as? SamradError)?.messageKey ?? "imports.error.failed"
                record.finishedAt = Date()
                try? await record.save(on: db)
            }
        }
    }
}
