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

    // MARK: List and upload

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

    // MARK: Mapping

    struct Upload: Sendable {
        var record: ImportUpload
        var format: String
        var country: Country
        var level: IndicatorLevel
    }

    static func upload(_ request: Request) async throws -> Upload {
        let user = try request.requireSignedIn()
        try request.require(IndicatorPolicy.mayImport(request.actor))
        guard let id = request.parameterID("upload"),
            let record = try await ImportUpload.find(id, on: request.db),
            record.userID == user.id
        else { throw SamradError.notFound() }
        let parts = record.format.split(separator: "|").map(String.init)
        guard parts.count == 3, let country = Country(rawValue: parts[1]),
            let level = IndicatorLevel(rawValue: parts[2])
        else { throw SamradError.notFound() }
        return Upload(record: record, format: parts[0], country: country, level: level)
    }

    /// The file's columns (CSV) or its KPI ids (Kolada), and its first rows for the preview.
    static func shape(_ upload: Upload) throws -> (header: [String], preview: [[String]], kpis: [String]) {
        if upload.format == "kolada" {
            struct File: Decodable { struct Entry: Decodable { var kpi: String }; var values: [Entry] }
            guard let file = try? JSONDecoder().decode(File.self, from: upload.record.content) else {
                throw SamradError(.invalidInput, "import.error.kolada_format")
            }
            return (["kpi", "municipality", "ou", "period", "value"], [], Array(Set(file.values.map(\.kpi))).sorted())
        }
        var header: [String] = []
        var preview: [[String]] = []
        do {
            try CSVScanner.scan(upload.record.content) { _, fields in
                if header.isEmpty { header = fields } else { preview.append(fields) }
                return preview.count < 5
            }
        } catch let failure as CSVScanner.Failure {
            throw SamradError(.invalidInput, failure.key, [String(failure.line)])
        }
        if header.isEmpty { throw SamradError(.invalidInput, "csv.empty") }
        return (header, preview, [])
    }

    static let guesses: [String: [String]] = [
        "unit_column": [
            "kommunekode", "kommunkod", "municipality", "kommune", "kommun", "code", "kode", "kod", "school_unit_code",
            "skolenhetskod", "school", "skole", "skola",
        ],
        "year_column": ["year", "år", "school_year", "skoleår", "läsår", "period"],
        "value_column": ["value", "værdi", "värde", "verdi"],
        "indicator_column": ["indicator", "indikator", "kpi"],
        "pupils_column": ["pupils", "elever", "antal_elever", "n"],
        "measure_column": ["unit", "enhed", "enhet"],
        "flag_column": ["value_flag", "flag", "status", "value_type"],
    ]

    static let mappingFields = [
        "unit_column", "year_column", "value_column", "indicator_column", "indicator", "pupils_column",
        "measure_column",
        "flag_column", "filter_column", "filter_value", "skip_bad_rows",
    ]

    static func values(_ mapping: ImportMapping) -> [String: String] {
        var values = [
            "unit_column": mapping.unitColumn, "year_column": mapping.yearColumn, "value_column": mapping.valueColumn,
            "indicator_column": mapping.indicatorColumn ?? "", "indicator": mapping.indicator ?? "",
            "pupils_column": mapping.pupilsColumn ?? "",
            "measure_column": mapping.measureColumn ?? "", "flag_column": mapping.flagColumn ?? "",
            "filter_column": mapping.filterColumn ?? "",
            "filter_value": mapping.filterValue ?? "",
        ]
        for (kpi, code) in mapping.indicatorCodes { values["kpi_\(kpi)"] = code }
        return values
    }

    static func mapping(_ values: [String: String], kpis: [String]) -> ImportMapping {
        func optional(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
        var codes: [String: String] = [:]
        for kpi in kpis { if let code = optional("kpi_\(kpi)") { codes[kpi] = code } }
        return ImportMapping(
            unitColumn: values["unit_column"] ?? "", yearColumn: values["year_column"] ?? "",
            valueColumn: values["value_column"] ?? "",
            indicatorColumn: optional("indicator_column"), indicator: optional("indicator"),
            pupilsColumn: optional("pupils_column"),
            measureColumn: optional("measure_column"), flagColumn: optional("flag_column"),
            filterColumn: optional("filter_column"),
            filterValue: values["filter_value"], indicatorCodes: codes)
    }

    struct KPIRow: Encodable { var kpi: String; var field: String; var options: [Option] }
    struct MappingContext: Encodable {
        var page: PageContext; var fileName: String; var action: String; var isKolada: Bool; var countryName: String;
        var levelName: String
        var form: FormState; var columns: [String: [Option]]; var indicators: [Option]; var kpis: [KPIRow]
        var header: [String]; var preview: [[String]]; var saved: Bool
    }

    func mappingContext(
        _ request: Request, _ upload: Upload, form: FormState, saved: Bool
    ) async throws -> MappingContext {
        let (header, preview, kpis) = try Self.shape(upload)
        let snapshot = try await request.indicators()
        let indicators = snapshot.indicators(for: upload.level, in: upload.country)
        var columns: [String: [Option]] = [:]
        for field in [
            "unit_column", "year_column", "value_column", "indicator_column", "pupils_column", "measure_column",
            "flag_column", "filter_column",
        ] {
            let required = ["unit_column", "year_column", "value_column"].contains(field)
            columns[field] =
                [
                    Option(
                        value: "", label: request.t(required ? "imports.choose_column" : "imports.no_column"),
                        selected: (form.values[field] ?? "").isEmpty)
                ]
                + header.map { Option(value: $0, label: $0, selected: form.values[field] == $0) }
        }
        func indicatorOptions(_ field: String) -> [Option] {
            [
                Option(
                    value: "", label: request.t("imports.indicator_from_column"),
                    selected: (form.values[field] ?? "").isEmpty)
            ]
                + indicators.map {
                    Option(
                        value: $0.code, label: "\($0.name(request.language)) (\($0.code))",
                        selected: form.values[field] == $0.code)
                }
        }
        return MappingContext(
            page: PageContext(request, titleKey: "imports.mapping_title", [upload.record.fileName]),
            fileName: upload.record.fileName,
            action: "/indicators/imports/uploads/\(upload.record.id!.uuidString.lowercased())",
            isKolada: upload.format == "kolada",
            countryName: request.t("country.\(upload.country.rawValue)"),
            levelName: request.t("indicators.level.\(upload.level.rawValue)"),
            form: form, columns: columns, indicators: indicatorOptions("indicator"),
            kpis: kpis.map { KPIRow(kpi: $0, field: "kpi_\($0)", options: indicatorOptions("kpi_\($0)")) },
            header: upload.format == "kolada" ? [] : header, preview: preview, saved: saved)
    }

    func mappingForm(_ request: Request) async throws -> View {
        let upload = try await Self.upload(request)
        let (header, _, _) = try Self.shape(upload)
        let signature = ImportMappingRecord.signature(format: upload.format, header: header)
        var values: [String: String] = [:]
        var saved = false
        if let stored = try await ImportMappingRecord.query(on: request.db).filter(\.$userID == upload.record.userID)
            .filter(\.$signature == signature).first()
        {
            values = Self.values(stored.mapping)
            saved = true
        } else if upload.format == "kolada" {
            values = [
                "unit_column": upload.level == .school ? "ou" : "municipality", "year_column": "period",
                "value_column": "value",
            ]
        } else {
            let folded = header.map { $0.lowercased() }
            for (field, names) in Self.guesses {
                if let i = folded.firstIndex(where: { names.contains($0) }) { values[field] = header[i] }
            }
        }
        return try await request.view.render(
            "indicators/import-mapping", mappingContext(request, upload, form: FormState(values: values), saved: saved))
    }

    // MARK: Running an import

    func start(_ request: Request) async throws -> Response {
        let upload = try await Self.upload(request)
        let values = try request.content.decode([String: String].self).filter {
            Self.mappingFields.contains($0.key) || $0.key.hasPrefix("kpi_")
        }
        let (header, _, kpis) = try Self.shape(upload)
        let mapping = Self.mapping(values, kpis: kpis)
        do {
            if upload.format == "kolada" {
                if kpis.isEmpty { throw SamradError(.invalidInput, "import.error.kolada_format") }
            } else {
                try mapping.check(header: header)
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/import-mapping",
                mappingContext(
                    request, upload, form: FormState(values: values, error: error, request: request), saved: false))
        }
        let signature = ImportMappingRecord.signature(format: upload.format, header: header)
        let stored =
            try await ImportMappingRecord.query(on: request.db).filter(\.$userID == upload.record.userID).filter(
                \.$signature == signature
            ).first() ?? ImportMappingRecord()
        stored.userID = upload.record.userID
        stored.signature = signature
        stored.mapping = mapping

        let snapshot = try await request.indicators()
        let actor = request.actor
        let directory = request.municipalities
        let country = upload.country
        let schools = snapshot.schools
        let municipalityOf: @Sendable (String) -> MunicipalityKey?
        if upload.level == .school {
            municipalityOf = { code in schools["\(country.rawValue)/\(code)"]?.municipality }
        } else {
            municipalityOf = { code in MunicipalityKey(country, code) }
        }
        let resolve: @Sendable (String) -> String?
        if upload.level == .school {
            resolve = { code in
                let trimmed = code.trimmingCharacters(in: .whitespaces)
                return schools["\(country.rawValue)/\(trimmed)"] != nil ? trimmed : nil
            }
        } else {
            resolve = UnitResolver.municipality(directory, country)
        }
        let context = ImportContext(
            country: country, level: upload.level, indicators: snapshot.byCode,
            years: 1990...(Calendar.current.component(.year, from: Date()) + 1),
            resolveUnit: resolve,
            mayImportFor: { code in municipalityOf(code).map { IndicatorPolicy.mayImport(actor, for: $0) } ?? false })
        let record = ObservationImportRecord()
        record.userID = request.actor.userID
        record.scope = IndicatorPolicy.importsPublicly(actor) ? "" : "own"
        record.fileName = upload.record.fileName
        record.format = upload.format
        record.country = country.rawValue
        record.level = upload.level.rawValue
        record.status = "running"
        record.rows = 0
        record.imported = 0
        record.rejected = 0
        record.skipBadRows = values["skip_bad_rows"] == "on"
        record.problems = []
        try await request.db.transaction { db in
            // The remembered mapping, the import and its audit entry: all or none.
            try await stored.save(on: db)
            try await record.save(on: db)
            try await Audit.record(
                "import:start", subject: "import", id: record.id!.uuidString, summary: upload.record.fileName,
                by: request, on: db)
        }
        let job = ImportJob(
            importID: record.id!, uploadID: upload.record.id!, data: upload.record.content, format: upload.format,
            mapping: mapping,
            context: context, publicly: IndicatorPolicy.importsPublicly(actor), municipalityOf: municipalityOf,
            skipBadRows: record.skipBadRows,
            audit: AuditActor(request))
        let app = request.application
        Task { await ImportJob.turns.run { await job.run(app) } }
        return request.redirect(to: record.href)
    }

    // MARK: Status

    struct ProblemLine: Encodable { var line: String; var message: String }
    struct StatusContext: Encodable {
        var page: PageContext; var fileName: String; var status: String; var statusKey: String; var running: Bool
        var phase: String; var done: Int; var total: Int; var percent: Int
        var rows: Int; var imported: Int; var rejected: Int; var problems: [ProblemLine]; var moreProblems: Int
        var message: String?; var retryHref: String?; var isKolada: Bool; var skipped: Bool
    }

    func status(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard let id = request.parameterID("import"),
            let record = try await ObservationImportRecord.find(id, on: request.db),
            record.userID == user.id || request.actor.isAdministrator
        else { throw SamradError.notFound() }
        let running = record.status == "running"
        // This instance's own count, or what the instance running the import last wrote.
        let progress =
            request.application.storage[ImportProgress.Key.self]!.get(id)
            ?? (running
                ? record.progressPhase.map {
                    ImportProgress.State(phase: $0, done: record.progressDone ?? 0, total: record.progressTotal ?? 0)
                } : nil)
        let isKolada = record.format == "kolada"
        let problems = record.problems.map { p in
            ProblemLine(
                line: request.t(
                    (isKolada ? "imports.problem_item" : "imports.problem_line") + (p.field.isEmpty ? "" : "_field"),
                    [String(p.line), p.field]),
                message: request.t(p.key, p.arguments))
        }
        var retry: String?
        if record.status == "rejected",
            let upload = try await ImportUpload.query(on: request.db).filter(\.$userID == user.requireID())
                .filter(\.$fileName == record.fileName).sort(\.$createdAt, .descending).first()
        {
            retry = "/indicators/imports/uploads/\(upload.id!.uuidString.lowercased())"
        }
        let total = max(progress?.total ?? 0, 1)
        let context = StatusContext(
            page: PageContext(request, titleKey: "imports.status_title", [record.fileName]), fileName: record.fileName,
            status: request.t("imports.status.\(record.status)"), statusKey: record.status, running: running,
            phase: progress.map { request.t("imports.phase.\($0.phase)") } ?? "", done: progress?.done ?? 0,
            total: progress?.total ?? 0,
            percent: min(100, (progress?.done ?? 0) * 100 / total), rows: record.rows, imported: record.imported,
            rejected: record.rejected,
            problems: problems, moreProblems: max(0, record.rejected - Set(record.problems.map(\.line)).count),
            message: record.message.map { request.t($0) }, retryHref: retry, isKolada: isKolada,
            skipped: record.skipBadRows && record.rejected > 0)
        let response = try await request.view.render("indicators/import-status", context).encodeResponse(for: request)
        // While it runs the page reloads itself; screen readers hear the progress from a live region.
        if running { response.headers.replaceOrAdd(name: "Refresh", value: "1") }
        return response
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
