import Fluent
import Foundation
import NIOConcurrencyHelpers
import SamradCore
import SQLKit
import Vapor

/// ImportPages: running an import.
extension ImportPages {
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
        // A unit-level file names units of its kind: a school's code does not take day-care figures.
        let level = upload.level
        let schools = snapshot.schools.filter { $0.value.kind == level }
        let municipalityOf: @Sendable (String) -> MunicipalityKey?
        if level.isUnit {
            municipalityOf = { code in schools["\(country.rawValue)/\(code)"]?.municipality }
        } else {
            municipalityOf = { code in MunicipalityKey(country, code) }
        }
        let resolve: @Sendable (String) -> String?
        if level.isUnit {
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
}
