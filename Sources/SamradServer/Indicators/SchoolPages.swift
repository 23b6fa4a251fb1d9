import Fluent
import Foundation
import SamradCore
import Vapor

/// IndicatorPages: schools.
extension IndicatorPages {
    struct SchoolLink: Encodable { var href: String; var name: String; var code: String; var organiser: String }
    struct SchoolsContext: Encodable {
        var page: PageContext; var municipalityName: String; var municipalityHref: String; var schools: [SchoolLink]
        var dayCare: [SchoolLink]; var kinds: [Option]
        var mayKeep: Bool; var form: FormState; var action: String; var importForm: FormState
    }

    func schoolsContext(
        _ request: Request, _ m: Municipality, form: FormState, importForm: FormState = FormState()
    ) async throws -> SchoolsContext {
        let snapshot = try await request.indicators()
        let href = "/municipalities/\(m.country.rawValue)/\(m.code)"
        let units = snapshot.schoolsOf[m.key] ?? []
        func links(_ kind: IndicatorLevel) -> [SchoolLink] {
            units.filter { $0.kind == kind }.map {
                SchoolLink(href: $0.href, name: $0.name, code: $0.code, organiser: $0.organiserType ?? "")
            }
        }
        let chosen = form.values["kind"] ?? IndicatorLevel.school.rawValue
        return SchoolsContext(
            page: PageContext(request, titleKey: "schools.title", [m.name]), municipalityName: m.name,
            municipalityHref: href, schools: links(.school), dayCare: links(.dayCare),
            kinds: IndicatorLevel.allCases.filter(\.isUnit).map { kind in
                Option(
                    value: kind.rawValue, label: request.t("schools.kind.\(kind.rawValue)"),
                    selected: chosen == kind.rawValue)
            },
            mayKeep: IndicatorPolicy.mayKeep(request.actor, m.key), form: form, action: href + "/schools",
            importForm: importForm)
    }

    func schools(_ request: Request) async throws -> View {
        let m = try MunicipalityAccess.load(request)
        return try await request.view.render("indicators/schools", schoolsContext(request, m, form: FormState()))
    }

    /// A CSV of the municipality's schools (`code,name` and optionally `organiser_type`): every
    /// line checked, all or nothing; a school already there gets its new name.
    func importSchools(_ request: Request) async throws -> Response {
        let m = try MunicipalityAccess.load(request)
        try request.require(IndicatorPolicy.mayKeep(request.actor, m.key))
        struct Upload: Content { var file: File? }
        let upload = try request.content.decode(Upload.self)
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else {
                throw SamradError.invalid([FieldError(field: "file", "imports.error.no_file")])
            }
            let rows = try SchoolRow.read(list: Data(file.data.readableBytesView), municipality: m)
            let codes = rows.map(\.code)
            let elsewhere = try await School.query(on: request.db).filter(\.$country == m.country.rawValue).filter(
                \.$code ~~ codes
            )
            .filter(\.$municipalityCode != m.code).all()
            if let taken = elsewhere.first, let row = rows.first(where: { $0.code == taken.code }) {
                throw SamradError.invalid([
                    FieldError(
                        field: "line \(row.line)", "schools.error.elsewhere",
                        [String(row.line), taken.code, taken.municipalityCode])
                ])
            }
            try await request.db.transaction { db in
                try await SchoolRow.upsert(rows.map(\.school), on: db)
                try await IndicatorStore.bump(on: db)
                try await Audit.record(
                    "school:import", subject: "municipality", id: m.key.description, summary: "\(rows.count)",
                    by: request, on: db)
            }
            request.setNotice("schools.imported", [String(rows.count)])
            return request.redirect(to: "/municipalities/\(m.country.rawValue)/\(m.code)/schools")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/schools",
                schoolsContext(
                    request, m, form: FormState(), importForm: FormState(values: [:], error: error, request: request)))
        }
    }

    func addSchool(_ request: Request) async throws -> Response {
        let m = try MunicipalityAccess.load(request)
        try request.require(IndicatorPolicy.mayKeep(request.actor, m.key))
        let values = try request.content.decode([String: String].self).filter {
            ["code", "name", "organiser_type", "kind"].contains($0.key)
        }
        do {
            var v = Validation()
            let kind = v.oneOf("kind", values["kind"] ?? IndicatorLevel.school.rawValue, as: IndicatorLevel.self)
            if kind == .municipality { v.add("kind", "validation.choice") }
            let code = v.required("code", values["code"], maxLength: 40)
            let name = v.required("name", values["name"], maxLength: 200)
            if !code.isEmpty, !code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                v.add("code", "schools.error.code")
            }
            try v.check()
            if try await School.query(on: request.db).filter(\.$country == m.country.rawValue).filter(\.$code == code)
                .first() != nil
            {
                throw SamradError.invalid([FieldError(field: "code", "schools.error.code_taken", [code])])
            }
            try await request.db.transaction { db in
                let school = School()
                school.country = m.country.rawValue
                school.code = code
                school.name = name
                school.municipalityCode = m.code
                school.kind = (kind ?? .school).rawValue
                school.organiserType = values["organiser_type"].flatMap { $0.isEmpty ? nil : String($0.prefix(60)) }
                try await school.save(on: db)
                try await IndicatorStore.bump(on: db)
                try await Audit.record(
                    "school:create", subject: "school", id: "\(m.country.rawValue)/\(code)", summary: name, by: request,
                    on: db)
            }
            return request.redirect(
                to: "/municipalities/\(m.country.rawValue)/\(m.code)/schools", notice: "schools.added")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "indicators/schools",
                schoolsContext(request, m, form: FormState(values: values, error: error, request: request)))
        }
    }
}
