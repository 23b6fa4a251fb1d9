import Fluent
import SamradCore
import SQLKit

/// goals.csv, next_steps.csv and indicators.csv of a municipality's export.
enum IndicatorExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let number = MunicipalityExport.number
        let goals = try await Goal.query(on: db).filter(\.$country == country).filter(\.$municipalityCode == code)
            .sort(\.$indicator).all()
        export.csv(
            "goals.csv", "Goals for indicators, of the municipality and its schools.",
            ["level", "unit", "indicator", "baseline_year", "baseline", "target_year", "target", "reason", "owner"],
            goals.map {
                [
                    $0.level, $0.unitCode, $0.indicator, String($0.baselineYear), number($0.baselineValue),
                    String($0.targetYear), number($0.targetValue), $0.reason, $0.owner,
                ]
            })
        let steps = try await NextStep.query(on: db).filter(\.$country == country).filter(\.$municipalityCode == code)
            .sort(\.$year).all()
        export.csv(
            "next_steps.csv", "Next steps agreed in school development dialogues.",
            ["level", "unit", "year", "step", "responsible", "follow_up", "status"],
            steps.map {
                [$0.level, $0.unitCode, String($0.year), $0.text, $0.responsible, $0.followUp ?? "", $0.status]
            })

        // Public values and the municipality's own private ones; never another's.
        struct ObservationRow: Decodable {
            var indicator: String; var level: String; var unit_code: String; var year: Int; var scope: String
            var value: Double?; var status: String; var pupils: Int?
        }
        let observations = try await db.sql.raw(
            """
            SELECT indicator, level, unit_code, year, scope, value, status, pupils FROM observations
            WHERE country = \(bind: country) AND scope IN ('', \(bind: export.municipality.description))
              AND ((level = 'municipality' AND unit_code = \(bind: code))
                   OR (level = 'school' AND unit_code IN
                       (SELECT code FROM schools WHERE country = \(bind: country) AND municipality_code =
                           \(bind: code))))
            ORDER BY indicator, level, unit_code, year
            """
        ).all(decoding: ObservationRow.self)
        export.csv(
            "indicators.csv",
            "Indicator values of the municipality and its schools: public statistics and the municipality's "
                + "own imported values (scope own).",
            ["indicator", "level", "unit", "year", "value", "status", "pupils", "scope"],
            observations.map {
                [
                    $0.indicator, $0.level, $0.unit_code, String($0.year), number($0.value), $0.status,
                    $0.pupils.map(String.init) ?? "", $0.scope.isEmpty ? "public" : "own",
                ]
            })
    }
}
