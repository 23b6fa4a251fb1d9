import Fluent
import Foundation
import NIOConcurrencyHelpers
import SamradCore
import SQLKit
import Vapor

/// ImportPages: mapping.
extension ImportPages {
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
                "unit_column": upload.level.isUnit ? "ou" : "municipality", "year_column": "period",
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
}
