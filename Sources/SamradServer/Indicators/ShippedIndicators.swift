import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The first data set, shipped with the project (Resources/Indicators, provenance beside it): the
/// Danish grade-9 exam averages 2011-2026 and the learning, well-being and absence snapshot; the
/// Swedish grade-9 results 2015/16-2024/25 with their suppression flags and teacher
/// certification; and the Swedish school-level sample. Each file is read by the same reader and
/// mapping users import with, in one transaction, once per version of the files.
enum ShippedIndicators {
    static let uvm =
        "Uddannelsesstatistik.dk (Børne- og Undervisningsministeriet), via Thisted Kommune's \"Danmarks 98 Doughnuts\""
    static let uvmLicence = "Free reuse with attribution: \"Kilde: Uddannelsesstatistik.dk\""
    static let skolverket = "Skolverket, official statistics (Jämförelse av betygsresultat över tid; Personalstatistik)"
    static let skolverketSchools = "Skolverket, Planned Educations API v4 (statistics/gr), retrieved 2026-04-21"
    static let skolverketLicence = "Open data; cite \"Källa: Skolverket\""
    static let dayCareDK = "Børne- og Undervisningsministeriet (dagtilbudsstatistik), Danmarks Statistik"
    static let dayCareDKLicence = "Free reuse with attribution: \"Kilde: Danmarks Statistik\""
    static let dayCareSE = "Skolverket, official statistics: Barn och personal i förskolan"

    /// The English phrases of the shipped sources and licences, with the catalogue keys that say
    /// them in the page's language; names of sources and dataset codes stay as they are.
    static let phrases: [(String, String)] = [
        ("via Thisted Kommune's \"Danmarks 98 Doughnuts\"", "indicator_source.via_doughnuts"),
        ("Free reuse with attribution: \"Kilde: Uddannelsesstatistik.dk\"", "indicator_source.uvm_licence"),
        ("Free reuse with attribution: \"Kilde: Danmarks Statistik\"", "indicator_source.dst_licence"),
        ("official statistics", "indicator_source.official_statistics"),
        ("Planned Educations API v4 (statistics/gr), retrieved 2026-04-21", "indicator_source.planned_educations"),
        ("Open data; cite \"Källa: Skolverket\"", "indicator_source.skolverket_licence"),
        ("(unweighted mean over the indicators)", "indicator_source.unweighted_mean"),
    ]

    /// A source or licence in the page's language where it is one of ours; imported ones as written.
    static func localized(_ text: String, _ t: (String, [String]) -> String) -> String {
        var out = text
        for (phrase, key) in phrases where out.contains(phrase) {
            out = out.replacingOccurrences(of: phrase, with: t(key, []))
        }
        return out
    }

    static func entry(
        _ code: String, _ en: String, _ da: String, _ sv: String, _ unit: IndicatorUnit,
        _ direction: IndicatorDirection,
        _ level: IndicatorLevel, _ category: IndicatorCategory, _ country: Country, _ source: String, _ licence: String,
        decimals: Int = 1
    ) -> Indicator {
        Indicator(
            code: code, names: [.en: en, .da: da, .sv: sv], unit: unit, direction: direction, level: level,
            category: category,
            country: country, source: source, licence: licence, decimals: decimals)
    }

    static let catalogue: [Indicator] = [
        entry(
            "dk.fp9_exam_grade", "Average grade, mandatory grade-9 exams",
            "Gennemsnit i de obligatoriske 9.-klasseprøver",
            "Genomsnittsbetyg i de obligatoriska proven i årskurs 9", .grade, .higherIsBetter, .municipality, .learning,
            .dk, uvm + ", GS/KARA/KARAGNS", uvmLicence),
        entry(
            "dk.exam_grade_snapshot", "Average grade, mandatory leaving exams (latest year)",
            "Gennemsnit, obligatoriske afgangsprøver (seneste år)",
            "Genomsnittsbetyg, obligatoriska avgångsprov (senaste år)", .grade, .higherIsBetter, .municipality,
            .learning, .dk, uvm + ", GS/KARA/KARAGNS", uvmLicence),
        entry(
            "dk.high_absence_pct", "Pupils with more than 10 % absence", "Elever med over 10 % fravær",
            "Elever med mer än 10 % frånvaro",
            .percent, .lowerIsBetter, .municipality, .attendance, .dk, uvm + ", GS/ELEVFRAV/FRAVAAR", uvmLicence),
        entry(
            "dk.wellbeing_index", "Well-being: mean of the national survey's indicators (1-5)",
            "Trivsel: gennemsnit af trivselsmålingens indikatorer (1-5)",
            "Trivsel: medelvärde av den danska trivselsmätningens indikatorer (1-5)", .scale1to5, .higherIsBetter,
            .municipality, .wellbeing, .dk,
            uvm + ", GS/TRIV/TRIVIND (unweighted mean over the indicators)", uvmLicence, decimals: 2),
        entry(
            "dk.youth_education_expected_pct", "Expected to complete a youth education",
            "Forventes at gennemføre en ungdomsuddannelse",
            "Förväntas fullfölja en gymnasial utbildning", .percent, .higherIsBetter, .municipality, .transition, .dk,
            uvm + ", GS/PROFMOD", uvmLicence),
        entry(
            "se.merit_value_17", "Average merit value, grade 9 (17 subjects)",
            "Gennemsnitlig meritværdi, 9. klasse (17 fag)",
            "Genomsnittligt meritvärde, årskurs 9 (17 ämnen)", .meritPoints, .higherIsBetter, .municipality, .learning,
            .se, skolverket, skolverketLicence),
        entry(
            "se.merit_value_16", "Average merit value, grade 9 (16 subjects)",
            "Gennemsnitlig meritværdi, 9. klasse (16 fag)",
            "Genomsnittligt meritvärde, årskurs 9 (16 ämnen)", .meritPoints, .higherIsBetter, .municipality, .learning,
            .se, skolverket, skolverketLicence),
        entry(
            "se.passed_all_subjects_pct", "Passed all subjects, grade 9", "Bestået i alle fag, 9. klasse",
            "Godkänt betyg i alla ämnen, årskurs 9",
            .percent, .higherIsBetter, .municipality, .learning, .se, skolverket, skolverketLicence),
        entry(
            "se.eligible_vocational_programme_pct", "Eligible for upper secondary school (vocational programme)",
            "Optagelsesberettiget til gymnasiet (erhvervsprogram)",
            "Behöriga till gymnasieskolans yrkesprogram", .percent, .higherIsBetter, .municipality, .transition, .se,
            skolverket, skolverketLicence),
        entry(
            "se.pupils_grade9_total", "Pupils in grade 9", "Elever i 9. klasse", "Elever i årskurs 9", .count, .neutral,
            .municipality, .context, .se,
            skolverket, skolverketLicence, decimals: 0),
        entry(
            "se.share_parents_post_secondary_pct", "Pupils whose parents have post-secondary education",
            "Elever hvis forældre har en videregående uddannelse",
            "Elever med föräldrar med eftergymnasial utbildning", .percent, .neutral, .municipality, .context, .se,
            skolverket, skolverketLicence),
        entry(
            "se.share_foreign_background_pct", "Pupils with a foreign background", "Elever med udenlandsk baggrund",
            "Elever med utländsk bakgrund",
            .percent, .neutral, .municipality, .context, .se, skolverket, skolverketLicence),
        entry(
            "se.certified_teachers_fte_pct", "Teachers certified and qualified (full-time equivalents)",
            "Lærere med læreruddannelse og kompetence (årsværk)",
            "Lärare med legitimation och behörighet (heltidstjänster)", .percent, .higherIsBetter, .municipality,
            .staff, .se, skolverket, skolverketLicence),
        entry(
            "se.school.merit_value", "Average merit value, grade 9", "Gennemsnitlig meritværdi, 9. klasse",
            "Genomsnittligt meritvärde, årskurs 9",
            .meritPoints, .higherIsBetter, .school, .learning, .se, skolverketSchools, skolverketLicence),
        entry(
            "se.school.passed_all_subjects_pct", "Passed all subjects, grade 9", "Bestået i alle fag, 9. klasse",
            "Godkänt betyg i alla ämnen, årskurs 9",
            .percent, .higherIsBetter, .school, .learning, .se, skolverketSchools, skolverketLicence),
        entry(
            "se.school.passed_all_subjects_grade6_pct", "Passed all subjects, grade 6", "Bestået i alle fag, 6. klasse",
            "Godkänt betyg i alla ämnen, årskurs 6",
            .percent, .higherIsBetter, .school, .learning, .se, skolverketSchools, skolverketLicence),
        entry(
            "se.school.eligible_vocational_pct", "Eligible for a vocational programme",
            "Optagelsesberettiget til erhvervsprogram", "Behöriga till yrkesprogram",
            .percent, .higherIsBetter, .school, .transition, .se, skolverketSchools, skolverketLicence),
        entry(
            "se.school.national_test_swedish", "National test result, Swedish, grade 9 (points)",
            "Nationale test, svensk, 9. klasse (point)",
            "Nationella prov, svenska, årskurs 9 (poäng)", .points, .higherIsBetter, .school, .learning, .se,
            skolverketSchools, skolverketLicence),
        entry(
            "se.school.national_test_english", "National test result, English, grade 9 (points)",
            "Nationale test, engelsk, 9. klasse (point)",
            "Nationella prov, engelska, årskurs 9 (poäng)", .points, .higherIsBetter, .school, .learning, .se,
            skolverketSchools, skolverketLicence),
        entry(
            "se.school.national_test_maths", "National test result, mathematics, grade 9 (points)",
            "Nationale test, matematik, 9. klasse (point)",
            "Nationella prov, matematik, årskurs 9 (poäng)", .points, .higherIsBetter, .school, .learning, .se,
            skolverketSchools, skolverketLicence),
        entry(
            "se.school.certified_teachers_pct", "Certified teachers", "Lærere med læreruddannelse",
            "Lärare med lärarlegitimation",
            .percent, .higherIsBetter, .school, .staff, .se, skolverketSchools, skolverketLicence),
        entry(
            "se.school.pupils_per_teacher", "Pupils per teacher", "Elever pr. lærer", "Elever per lärare", .ratio,
            .neutral, .school, .staff, .se,
            skolverketSchools, skolverketLicence),
        entry(
            "se.school.pupils", "Pupils", "Elever", "Elever", .count, .neutral, .school, .context, .se,
            skolverketSchools, skolverketLicence, decimals: 0),
        // Day care (case 3's 0-18 area): the measures the ministries publish per unit. No figures are
        // shipped; a municipality imports its units' own, an administrator the published ones.
        entry(
            "dk.day_care.pedagogue_share_pct", "Pedagogues among the staff", "Andel pædagoger blandt personalet",
            "Andel pedagoger bland personalen", .percent, .higherIsBetter, .dayCare, .staff, .dk, dayCareDK,
            dayCareDKLicence),
        entry(
            "dk.day_care.children_per_adult", "Children per adult (staffing)", "Børn pr. voksen (normering)",
            "Barn per vuxen (bemanning)", .ratio, .lowerIsBetter, .dayCare, .staff, .dk, dayCareDK, dayCareDKLicence),
        entry(
            "se.preschool.teacher_share_pct", "Staff with a preschool teacher degree",
            "Personale med førskolelæreruddannelse", "Andel personal med förskollärarexamen", .percent,
            .higherIsBetter, .dayCare, .staff, .se, dayCareSE, skolverketLicence),
        entry(
            "se.preschool.children_per_staff", "Children per full-time staff member", "Børn pr. årsværk",
            "Barn per årsarbetare", .ratio, .lowerIsBetter, .dayCare, .staff, .se, dayCareSE, skolverketLicence),
        entry(
            "se.preschool.children_per_group", "Children per group", "Børn pr. gruppe", "Barn per barngrupp", .ratio,
            .neutral, .dayCare, .context, .se, dayCareSE, skolverketLicence),
    ]

    struct File {
        var name: String
        var country: Country
        var level: IndicatorLevel
        var mapping: ImportMapping
    }

    static let files: [File] = {
        var files: [File] = [
            File(
                name: "dk_fp9_exam_grade_2011_2026.csv", country: .dk, level: .municipality,
                mapping: ImportMapping(
                    unitColumn: "kommunekode", yearColumn: "year", valueColumn: "fp9_exam_grade_avg",
                    indicator: "dk.fp9_exam_grade"))
        ]
        for (column, code) in [
            ("exam_grade_avg_mandatory_tests", "dk.exam_grade_snapshot"), ("high_absence_pct", "dk.high_absence_pct"),
            ("wellbeing_mean_of_indicators_1to5", "dk.wellbeing_index"),
            ("youth_education_expected_pct", "dk.youth_education_expected_pct"),
        ] {
            files.append(
                File(
                    name: "dk_school_indicators_snapshot.csv", country: .dk, level: .municipality,
                    mapping: ImportMapping(
                        unitColumn: "kommunekode", yearColumn: "source_data_year_label", valueColumn: column,
                        indicator: code)))
        }
        files.append(
            File(
                name: "se_skolverket_grade9_results_2015_16_to_2024_25.csv", country: .se, level: .municipality,
                mapping: ImportMapping(
                    unitColumn: "kommunkod", yearColumn: "school_year", valueColumn: "value",
                    indicatorColumn: "indicator", flagColumn: "value_flag",
                    filterColumn: "huvudman", filterValue: "Samtliga",
                    indicatorCodes: [
                        "merit_value_17": "se.merit_value_17", "merit_value_16": "se.merit_value_16",
                        "passed_all_subjects_pct": "se.passed_all_subjects_pct",
                        "eligible_vocational_programme_pct": "se.eligible_vocational_programme_pct",
                        "pupils_grade9_total": "se.pupils_grade9_total",
                        "share_parents_post_secondary_pct": "se.share_parents_post_secondary_pct",
                        "share_foreign_background_pct": "se.share_foreign_background_pct",
                    ], onlyMappedIndicators: true)))
        files.append(
            File(
                name: "se_skolverket_teacher_certification_2020_21_to_2024_25.csv", country: .se, level: .municipality,
                mapping: ImportMapping(
                    unitColumn: "kommunkod", yearColumn: "school_year", valueColumn: "value",
                    indicatorColumn: "indicator", flagColumn: "value_flag",
                    filterColumn: "huvudman", filterValue: "Samtliga",
                    indicatorCodes: ["fte_share_certified_qualified_pct": "se.certified_teachers_fte_pct"],
                    onlyMappedIndicators: true)))
        files.append(
            File(
                name: "se_school_statistics_grade9_sample.csv", country: .se, level: .school,
                mapping: ImportMapping(
                    unitColumn: "school_unit_code", yearColumn: "school_year", valueColumn: "value",
                    indicatorColumn: "indicator", flagColumn: "value_type",
                    indicatorCodes: [
                        "averageGradesMeritRating9thGrade": "se.school.merit_value",
                        "ratioOfPupilsIn9thGradeWithAllSubjectsPassed": "se.school.passed_all_subjects_pct",
                        "ratioOfPupilsIn6thGradeWithAllSubjectsPassed": "se.school.passed_all_subjects_grade6_pct",
                        "ratioOfPupils9thGradeEligibleForNationalProgramYR": "se.school.eligible_vocational_pct",
                        "averageResultNationalTestsSubjectSVE9thGrade": "se.school.national_test_swedish",
                        "averageResultNationalTestsSubjectENG9thGrade": "se.school.national_test_english",
                        "averageResultNationalTestsSubjectMA9thGrade": "se.school.national_test_maths",
                        "certifiedTeachersQuota": "se.school.certified_teachers_pct",
                        "studentsPerTeacherQuota": "se.school.pupils_per_teacher",
                        "totalNumberOfPupils": "se.school.pupils",
                    ], onlyMappedIndicators: true)))
        return files
    }()

    static let schoolFile = "se_schools_grade9_sample.csv"

    /// Values about grade-9 pupils whose count is another indicator of the same unit and year.
    static let pupilCounts: [String: String] = [
        "se.passed_all_subjects_pct": "se.pupils_grade9_total", "se.merit_value_17": "se.pupils_grade9_total",
        "se.merit_value_16": "se.pupils_grade9_total",
        "se.eligible_vocational_programme_pct": "se.pupils_grade9_total",
    ]

    struct Outcome: Sendable, Equatable {
        var version: String
        var imported: Bool
        var observations: Int
    }

    /// The whole data set read and checked in memory; any rejected row is a fault of the shipped
    /// files and stops the start.
    static func read(
        files folder: URL, directory: MunicipalityDirectory
    ) throws -> (schools: [SchoolRow], observations: [Observation], version: String) {
        var hasher = SHA256()
        hasher.update(data: Data(try JSONEncoder().encode(catalogue.map(\.code))))
        let schoolData = try Data(contentsOf: folder.appendingPathComponent(schoolFile))
        hasher.update(data: schoolData)
        let schools = try SchoolRow.read(csv: schoolData, directory: directory)
        let schoolCodes = Set(schools.map(\.code))
        var observations: [Observation] = []
        var read: Set<String> = []
        let indicators = Dictionary(uniqueKeysWithValues: catalogue.map { ($0.code, $0) })
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file.name))
            if !read.contains(file.name) { hasher.update(data: data); read.insert(file.name) }
            let resolve: @Sendable (String) -> String?
            if file.level == .school {
                resolve = { code in schoolCodes.contains(code) ? code : nil }
            } else {
                resolve = UnitResolver.municipality(directory, file.country)
            }
            let context = ImportContext(
                country: file.country, level: file.level, indicators: indicators, years: 1990...2100,
                resolveUnit: resolve)
            let check = try ObservationReader.read(csv: data, mapping: file.mapping, context: context)
            if let problem = check.problems.first {
                throw SamradError(
                    .invalidInput, "import.error.shipped",
                    [file.name, String(problem.line), problem.key] + problem.arguments)
            }
            observations += check.observations
        }
        var counts: [String: Int] = [:]
        for o in observations where pupilCounts.values.contains(o.indicator) {
            if let v = o.value { counts["\(o.indicator)|\(o.unit.code)|\(o.year)"] = Int(v) }
        }
        for i in observations.indices {
            if let counter = pupilCounts[observations[i].indicator] {
                observations[i].pupils = counts["\(counter)|\(observations[i].unit.code)|\(observations[i].year)"]
            }
        }
        return (schools, observations, hasher.finalize().hex)
    }

    @discardableResult
    static func load(
        on db: any Database, folder: URL, directory: MunicipalityDirectory, logger: Logger
    ) async throws -> Outcome {
        let sql = db.sql
        let (schools, observations, version) = try read(files: folder, directory: directory)
        if try await sql.select().column("version").from("indicator_datasets").where("version", .equal, version).first()
            != nil
        {
            return Outcome(version: version, imported: false, observations: 0)
        }
        try await db.transaction { tx in
            for indicator in catalogue {
                let record =
                    try await IndicatorRecord.query(on: tx).filter(\.$code == indicator.code).first()
                    ?? IndicatorRecord()
                record.apply(indicator)
                record.builtIn = true
                try await record.save(on: tx)
            }
            try await SchoolRow.upsert(schools, on: tx)
            let run = ObservationImportRecord()
            run.scope = ""
            run.fileName = "Samrad data set \(String(version.prefix(12)))"
            run.format = "shipped"
            run.country = "dk,se"
            run.level = "municipality,school"
            run.status = "done"
            run.rows = observations.count
            run.imported = observations.count
            run.rejected = 0
            run.skipBadRows = false
            run.problems = []
            run.finishedAt = Date()
            try await run.save(on: tx)
            try await ObservationWriter.write(observations, scope: "", importID: run.id, on: tx)
            try await tx.sql.insert(into: "indicator_datasets").columns("version", "imported_at")
                .values(SQLBind(version), SQLBind(Date())).run()
        }
        logger.info(
            "Imported the shipped indicator data",
            metadata: [
                "version": .string(String(version.prefix(12))), "observations": .stringConvertible(observations.count),
            ])
        return Outcome(version: version, imported: true, observations: observations.count)
    }
}

/// A school as files list it.
struct SchoolRow: Sendable, Equatable {
    var country: Country
    var code: String
    var name: String
    var municipalityCode: String
    var organiserType: String?
    var latitude: Double?
    var longitude: Double?
    var kind: IndicatorLevel = .school

    /// What a list's `kind` column may say, in the three languages: a school or a day-care unit.
    static let kinds: [String: IndicatorLevel] = [
        "school": .school, "skole": .school, "skola": .school, "grundskole": .school, "grundskola": .school,
        "folkeskole": .school, "day_care": .dayCare, "daycare": .dayCare, "day-care": .dayCare,
        "dagtilbud": .dayCare, "daginstitution": .dayCare, "børnehave": .dayCare, "vuggestue": .dayCare,
        "förskola": .dayCare, "forskola": .dayCare, "preschool": .dayCare,
    ]

    /// `school_unit_code,name,kommunkod,…` (Skolverket's school units): every line checked, each
    /// problem named by its line.
    static func read(csv data: Data, directory: MunicipalityDirectory, country: Country = .se) throws -> [SchoolRow] {
        let table = try CSVTable(parsing: String(decoding: data, as: UTF8.self))
        try table.require(columns: ["school_unit_code", "name", "kommunkod"])
        var v = Validation()
        var rows: [SchoolRow] = []
        var seen: [String: Int] = [:]
        let resolve = UnitResolver.municipality(directory, country)
        for record in table.records {
            let code = record["school_unit_code"].trimmingCharacters(in: .whitespaces)
            let name = record["name"].trimmingCharacters(in: .whitespaces)
            guard let municipality = resolve(record["kommunkod"]) else {
                v.add(
                    "line \(record.line)", "import.error.unknown_municipality",
                    [record["kommunkod"], country.rawValue])
                continue
            }
            if code.isEmpty || name.isEmpty {
                v.add(
                    "line \(record.line)", "csv.missing_value",
                    [String(record.line), code.isEmpty ? "school_unit_code" : "name"]);
                continue
            }
            if let first = seen[code] {
                v.add("line \(record.line)", "import.error.duplicate", [String(first), "school", code, ""]); continue
            }
            seen[code] = record.line
            rows.append(
                SchoolRow(
                    country: country, code: code, name: name, municipalityCode: municipality,
                    organiserType: record["principal_organizer_type"].isEmpty
                        ? nil : record["principal_organizer_type"],
                    latitude: ObservationValue.number(record["lat"]), longitude: ObservationValue.number(record["lon"]))
            )
        }
        try v.check()
        return rows
    }

    /// One line of a municipality's own list of schools.
    struct Listed { var line: Int; var code: String; var school: SchoolRow }

    /// `code,name[,organiser_type][,kind]` for one municipality: each problem named by its line.
    static func read(list data: Data, municipality m: Municipality) throws -> [Listed] {
        let text = try SpreadsheetUpload.text(data)
        let table = try CSVTable(parsing: text, separator: CSVTable.separator(of: text))
        try table.require(columns: ["code", "name"])
        var v = Validation()
        var rows: [Listed] = []
        var seen: [String: Int] = [:]
        for record in table.records {
            let code = record["code"].trimmedSpaces, name = record["name"].trimmedSpaces
            if code.isEmpty || name.isEmpty {
                v.add(
                    "line \(record.line)", "csv.missing_value", [String(record.line), code.isEmpty ? "code" : "name"]);
                continue
            }
            if !code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) || code.count > 40 {
                v.add("line \(record.line)", "schools.error.code_line", [String(record.line), code]); continue
            }
            if let first = seen[code] {
                v.add("line \(record.line)", "import.error.duplicate_line", [String(record.line), String(first)]);
                continue
            }
            seen[code] = record.line
            let organiser = record["organiser_type"].trimmedSpaces
            let kindText = record["kind"].trimmedSpaces.lowercased()
            guard let kind = kindText.isEmpty ? .school : kinds[kindText] else {
                v.add("line \(record.line)", "schools.error.kind_line", [String(record.line), kindText]); continue
            }
            rows.append(
                Listed(
                    line: record.line, code: code,
                    school: SchoolRow(
                        country: m.country, code: code, name: String(name.prefix(200)), municipalityCode: m.code,
                        organiserType: organiser.isEmpty ? nil : String(organiser.prefix(60)), kind: kind)))
        }
        try v.check()
        if rows.isEmpty { throw SamradError(.invalidInput, "csv.empty") }
        return rows
    }

    static func upsert(_ rows: [SchoolRow], on db: any Database) async throws {
        let sql = db.sql
        for chunk in rows.chunked(500) {
            var insert = sql.insert(into: School.schema).columns(
                "id", "country", "code", "name", "municipality_code", "organiser_type", "latitude", "longitude",
                "created_at", "kind")
            for s in chunk {
                insert = insert.values(
                    SQLBind(UUID()), SQLBind(s.country.rawValue), SQLBind(s.code), SQLBind(s.name),
                    SQLBind(s.municipalityCode),
                    SQLBind(s.organiserType), SQLBind(s.latitude), SQLBind(s.longitude), SQLBind(Date()),
                    SQLBind(s.kind.rawValue))
            }
            try await insert.onConflict(with: ["country", "code"]) { conflict in
                conflict.set(excludedValueOf: "name").set(excludedValueOf: "municipality_code").set(
                    excludedValueOf: "organiser_type"
                ).set(excludedValueOf: "kind")
                .set(excludedValueOf: "latitude").set(excludedValueOf: "longitude")
            }.run()
        }
    }
}

/// Municipality codes as files write them: Danish ones with or without leading zeros (`0101`,
/// `101`), Swedish ones with or without theirs (`180`, `0180`).
enum UnitResolver {
    static func municipality(_ directory: MunicipalityDirectory, _ country: Country) -> @Sendable (String) -> String? {
        { raw in
            let code = raw.trimmingCharacters(in: .whitespaces)
            if code.isEmpty { return nil }
            if directory[MunicipalityKey(country, code)] != nil { return code }
            let stripped = String(code.drop { $0 == "0" })
            if !stripped.isEmpty, directory[MunicipalityKey(country, stripped)] != nil { return stripped }
            for width in [3, 4] where code.count < width {
                let padded = String(repeating: "0", count: width - code.count) + code
                if directory[MunicipalityKey(country, padded)] != nil { return padded }
            }
            return nil
        }
    }
}
