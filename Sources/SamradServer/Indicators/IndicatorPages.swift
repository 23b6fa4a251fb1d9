import Fluent
import Foundation
import SamradCore
import Vapor

/// The indicator catalogue, the dashboards of municipalities and schools, and a municipality's
/// schools.
struct IndicatorPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("indicators", use: catalogue)
        routes.get("indicators", "new", use: newForm)
        routes.post("indicators", use: create)
        routes.get("indicators", "catalogue", ":indicator", use: editForm)
        routes.post("indicators", "catalogue", ":indicator", use: update)
        routes.get("municipalities", ":country", ":code", "indicators", use: municipalityDashboard)
        routes.get("municipalities", ":country", ":code", "schools", use: schools)
        routes.post("municipalities", ":country", ":code", "schools", use: addSchool)
        routes.upload(
            "municipalities", ":country", ":code", "schools", "import", maxBytes: 5_000_000,
            tooLarge: "schools.error.too_large",
            ["5"], gate: { try $0.require(IndicatorPolicy.mayKeep($0.actor, try MunicipalityAccess.load($0).key)) },
            use: importSchools)
        routes.get("schools", ":country", ":code", use: schoolDashboard)
    }

    static func t(_ request: Request) -> (String, [String]) -> String {
        { key, arguments in request.t(key, arguments) }
    }

    /// Whether the viewer may see the municipality's own (private) figures, goals and dialogue.
    static func mayViewPrivate(_ request: Request, _ key: MunicipalityKey) async throws -> Bool {
        IndicatorPolicy.mayViewPrivate(request.actor, key)
    }


    struct CatalogueRow: Encodable {
        var code: String; var name: String; var unit: String; var direction: String; var level: String;
        var category: String
        var country: String; var source: String; var licence: String; var editHref: String?; var observations: Int
        /// Where the indicator is seen: the reader's own municipality's dashboard, else the largest
        /// municipality of its country.
        var href: String?
    }

    func catalogue(_ request: Request) async throws -> View {
        let snapshot = try await request.indicators()
        let manage = IndicatorPolicy.mayManageCatalogue(request.actor)
        var counts: [String: Int] = [:]
        for (key, table) in snapshot.tables {
            let code = String(key.split(separator: "|")[0])
            counts[code, default: 0] += table.years.reduce(0) { total, year in total + (table.mean(year)?.count ?? 0) }
        }
        let own = request.actor.municipalities
        func shownAt(_ i: Indicator) -> String? {
            guard i.level == .municipality, let country = i.country else { return nil }
            let m =
                own.sorted().first { $0.country == country }.flatMap { request.municipalities[$0] }
                ?? request.municipalities.all.filter { $0.country == country }.max { $0.population < $1.population }
            return m.map {
                "/municipalities/\($0.country.rawValue)/\($0.code)/indicators?category=\(i.category.rawValue)#\(i.code)"
            }
        }
        let rows = snapshot.catalogue.map { i in
            CatalogueRow(
                code: i.code, name: i.name(request.language), unit: request.t("indicators.unit.\(i.unit.rawValue)"),
                direction: request.t("indicators.direction.\(i.direction.rawValue)"),
                level: request.t("indicators.level.\(i.level.rawValue)"),
                category: request.t("indicators.category.\(i.category.rawValue)"),
                country: i.country.map { request.t("country.\($0.rawValue)") } ?? "",
                source: ShippedIndicators.localized(i.source) { request.t($0, $1) },
                licence: ShippedIndicators.localized(i.licence) { request.t($0, $1) },
                editHref: manage ? "/indicators/catalogue/\(i.code)" : nil, observations: counts[i.code] ?? 0,
                href: shownAt(i))
        }
        struct Context: Encodable {
            var page: PageContext; var rows: [CatalogueRow]; var mayManage: Bool; var mayImport: Bool
        }
        return try await request.view.render(
            "indicators/catalogue",
            Context(
                page: PageContext(request, titleKey: "indicators.catalogue"), rows: rows,
                mayManage: manage, mayImport: IndicatorPolicy.mayImport(request.actor)))
    }

    static let fields = [
        "code", "name_da", "name_sv", "name_en", "unit", "direction", "level", "category", "country", "source",
        "licence", "decimals", "pupil_sd",
    ]

    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var isNew: Bool
        var units: [Option]; var directions: [Option]; var levels: [Option]; var categories: [Option];
        var countries: [Option]
    }

    func formContext(_ request: Request, form: FormState, action: String, isNew: Bool) -> FormContext {
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ field: String, _ prefix: String) -> [Option]
        where T.RawValue == String {
            T.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t(prefix + $0.rawValue),
                    selected: form.values[field] == $0.rawValue)
            }
        }
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "indicators.new" : "indicators.edit"), form: form,
            action: action, isNew: isNew,
            units: options(IndicatorUnit.self, "unit", "indicators.unit."),
            directions: options(IndicatorDirection.self, "direction", "indicators.direction."),
            levels: options(IndicatorLevel.self, "level", "indicators.level."),
            categories: options(IndicatorCategory.self, "category", "indicators.category."),
            countries: [
                Option(
                    value: "", label: request.t("indicators.any_country"),
                    selected: (form.values["country"] ?? "").isEmpty)
            ]
                + Country.allCases.map {
                    Option(
                        value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                        selected: form.values["country"] == $0.rawValue)
                })
    }

    static func parse(_ values: [String: String]) throws -> Indicator {
        try Indicator.validate(
            code: values["code"], names: [.da: values["name_da"], .sv: values["name_sv"], .en: values["name_en"]],
            unit: values["unit"],
            direction: values["direction"], level: values["level"], category: values["category"],
            country: values["country"],
            source: values["source"], licence: values["licence"], decimals: values["decimals"],
            pupilStandardDeviation: values["pupil_sd"])
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(IndicatorPolicy.mayManageCatalogue(request.actor))
        return try await request.view.render(
            "indicators/form",
            formContext(
                request, form: FormState(values: ["decimals": "1", "direction": "higher", "level": "municipality"]),
                action: "/indicators", isNew: true))
    }

    func create(_ request: Request) async throws -> Response {
        try request.require(IndicatorPolicy.mayManageCatalogue(request.actor))
        let values = try request.content.decode([String: String].self).filter { Self.fields.contains($0.key) }
        do {
            let indicator = try Self.parse(values)
            if try await IndicatorRecord.query(on: request.db).filter(\.$code == indicator.code).first() != nil {
                throw SamradError.invalid([FieldError(field: "code", "indicators.error.code_taken", [indicator.code])])
            }
            try await request.db.transaction { db in
                let record = IndicatorRecord()
                record.apply(indicator)
                record.builtIn = false
                try await record.save(on: db)
                try await IndicatorStore.bump(on: db)
                try await Audit.record(
                    "indicator:create", subject: "indicator", id: indicator.code, summary: indicator.name(.en),
                    by: request, on: db)
            }
            return request.redirect(to: "/indicators", notice: "indicators.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: "/indicators",
                    isNew: true))
        }
    }

    static func record(_ request: Request) async throws -> IndicatorRecord {
        guard let code = request.parameters.get("indicator"),
            let record = try await IndicatorRecord.query(on: request.db).filter(\.$code == code).first()
        else {
            throw SamradError.notFound()
        }
        return record
    }

    func editForm(_ request: Request) async throws -> View {
        try request.require(IndicatorPolicy.mayManageCatalogue(request.actor))
        let record = try await Self.record(request)
        let values = [
            "code": record.code, "name_da": record.nameDa, "name_sv": record.nameSv, "name_en": record.nameEn,
            "unit": record.unit,
            "direction": record.direction, "level": record.level, "category": record.category,
            "country": record.country ?? "",
            "source": record.source, "licence": record.licence, "decimals": String(record.decimals),
            "pupil_sd": record.pupilSD.map { NumberText.plain($0) } ?? "",
        ]
        return try await request.view.render(
            "indicators/form",
            formContext(
                request, form: FormState(values: values), action: "/indicators/catalogue/\(record.code)", isNew: false))
    }

    /// The code is the key observations are stored under, so it does not change.
    func update(_ request: Request) async throws -> Response {
        try request.require(IndicatorPolicy.mayManageCatalogue(request.actor))
        let record = try await Self.record(request)
        var values = try request.content.decode([String: String].self).filter { Self.fields.contains($0.key) }
        values["code"] = record.code
        do {
            let indicator = try Self.parse(values)
            try await request.db.transaction { db in
                record.apply(indicator)
                try await record.save(on: db)
                try await IndicatorStore.bump(on: db)
                try await Audit.record(
                    "indicator:update", subject: "indicator", id: indicator.code, summary: indicator.name(.en),
                    by: request, on: db)
            }
            return request.redirect(to: "/indicators", notice: "indicators.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request),
                    action: "/indicators/catalogue/\(record.code)", isNew: false))
        }
    }
}
