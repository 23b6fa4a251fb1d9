import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// KnowledgePages: writing.
extension KnowledgePages {
    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var kinds: [Option]; var languages: [Option];
        var licences: [Option]
        var visibilities: [Option]; var bands: [Option]; var collaborations: [Option]; var themeSuggestions: [String];
        var consent: Bool
        var cancel: String; var isNew: Bool
    }

    static let bandFields = GradeBand.allCases.map { "band_\($0.rawValue)" }

    func formContext(
        _ request: Request, form: FormState, action: String, cancel: String, isNew: Bool
    ) async throws -> FormContext {
        let reader = try await request.collaborationReader()
        let values = form.values
        let ids = reader.actor.isAdministrator ? nil : reader.memberOf.union(reader.editorOf)
        var collaborationQuery = Collaboration.query(on: request.db).sort(\.$title)
        if let ids { collaborationQuery = collaborationQuery.filter(\.$id ~~ ids) }
        let collaborations = try await collaborationQuery.all()
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ field: String, _ prefix: String) -> [Option]
        where T.RawValue == String {
            T.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t(prefix + $0.rawValue), selected: values[field] == $0.rawValue)
            }
        }
        let bands = Set((values["grade_bands"] ?? "").split(separator: ",").map(String.init))
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "knowledge.new" : "knowledge.edit"), form: form,
            action: action,
            kinds: options(MaterialKind.self, "kind", "knowledge.kind."),
            languages: Language.allCases.map {
                Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
            },
            licences: options(MaterialLicence.self, "licence", "knowledge.licence."),
            visibilities: options(MaterialVisibility.self, "visibility", "knowledge.visibility_choice."),
            bands: GradeBand.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("knowledge.band.\($0.rawValue)"),
                    selected: bands.contains($0.rawValue))
            },
            collaborations: [
                Option(
                    value: "", label: request.t("knowledge.no_collaboration"),
                    selected: (values["collaboration"] ?? "").isEmpty)
            ]
                + collaborations.map {
                    Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.title,
                        selected: values["collaboration"] == $0.id!.uuidString.lowercased())
                },
            themeSuggestions: try await Self.themes(request),
            consent: ["on", "true"].contains(values["consent"] ?? ""),
            cancel: cancel, isNew: isNew)
    }

    func newForm(_ request: Request) async throws -> View {
        let user = try request.requireSignedIn()
        let own = try await request.recordedMunicipality()
        let values = [
            "kind": MaterialKind.article.rawValue,
            "language": (own?.country == .se ? Language.sv : request.language).rawValue,
            "licence": MaterialLicence.ccBy.rawValue, "visibility": MaterialVisibility.public.rawValue,
            "authors": user.name, "contact": user.email, "municipality": request.municipalities.label(of: own),
            "collaboration": request.query[String.self, at: "collaboration"] ?? "",
        ]
        return try await request.view.render(
            "knowledge/form",
            formContext(
                request, form: FormState(values: values), action: "/knowledge", cancel: "/knowledge", isNew: true))
    }

    /// The posted form's values, grade band boxes joined into one field.
    static func values(_ request: Request) throws -> [String: String] {
        let posted = try request.content.decode([String: String].self)
        var values = posted.filter { MaterialDraft.fields.contains($0.key) }
        values["grade_bands"] = GradeBand.allCases.filter { posted["band_\($0.rawValue)"] != nil }.map(\.rawValue)
            .joined(separator: ",")
        return values
    }

    /// Reads and checks the form: the draft, its municipality and collaboration.
    static func input(
        _ values: [String: String], reader: CollaborationReader, request: Request
    ) async throws -> (MaterialDraft, MunicipalityKey?, UUID?) {
        var v = Validation()
        let draft = MaterialDraft.validate(values, into: &v)
        var municipality: MunicipalityKey?
        municipality = request.municipalities.municipality("municipality", values["municipality"], &v)?.key
        var collaborationID: UUID?
        if let text = values["collaboration"], !text.isEmpty {
            if let id = UUID(uuidString: text), try await Collaboration.find(id, on: request.db) != nil,
                KnowledgePolicy.mayShare(with: id, reader)
            {
                collaborationID = id
            } else {
                v.add("collaboration", "validation.choice")
            }
        }
        try v.check()
        return (draft!, municipality, collaborationID)
    }

    static func apply(_ input: (MaterialDraft, MunicipalityKey?, UUID?), to m: KnowledgeMaterial) {
        let (draft, municipality, collaborationID) = input
        m.kind = draft.kind.rawValue
        m.title = draft.title
        m.summary = draft.summary
        m.body = draft.body
        m.themes = draft.themes
        m.gradeBands = draft.gradeBands.map(\.rawValue)
        m.authors = draft.authors
        m.contact = draft.contact
        m.school = draft.school
        m.language = draft.language.rawValue
        m.licence = draft.licence.rawValue
        m.consent = draft.consent
        m.visibility = draft.visibility.rawValue
        m.municipalityCountry = municipality?.country.rawValue
        m.municipalityCode = municipality?.code
        m.country =
            municipality?.country.rawValue ?? (draft.language == .da ? "dk" : draft.language == .sv ? "se" : nil)
        m.collaborationID = collaborationID
    }

    /// Saves the material, its themes and its search entry together.
    static func save(_ m: KnowledgeMaterial, audit: String, request: Request, on db: any Database) async throws {
        m.bodyText = SafeMarkdown.plainText(m.body)
        try await m.save(on: db)
        let id = try m.requireID()
        try await KnowledgeTheme.query(on: db).filter(\.$materialID == id).delete()
        for theme in m.themes {
            try await KnowledgeTheme(materialID: id, theme: theme, listed: m.listsThemes).create(on: db)
        }
        try await KnowledgeSearch.index(m, on: db)
        try await Audit.record(audit, subject: "knowledge", id: id.uuidString, summary: m.title, by: request, on: db)
    }

    static func uniqueSlug(_ title: String, _ language: Language, on db: any Database) async throws -> String {
        let base = MaterialDraft.slug(title, language)
        let taken = Set(try await KnowledgeMaterial.query(on: db).filter(\.$slug =~ base).all(\.$slug))
        var slug = base
        var n = 2
        while taken.contains(slug) || reservedSlugs.contains(slug) {
            slug = "\(base)-\(n)"
            n += 1
        }
        return slug
    }

    /// A new material as a draft of the signed-in author, from the form's or the API's values.
    static func create(_ values: [String: String], request: Request) async throws -> KnowledgeMaterial {
        _ = try request.requireSignedIn()
        let reader = try await request.collaborationReader()
        let input = try await Self.input(values, reader: reader, request: request)
        let m = KnowledgeMaterial()
        Self.apply(input, to: m)
        m.status = EditorialStatus.draft.rawValue
        m.createdBy = request.actor.userID
        m.slug = try await Self.uniqueSlug(m.title, m.languageValue, on: request.db)
        try await request.db.transaction { db in
            try await Self.save(m, audit: "knowledge:create", request: request, on: db)
        }
        return m
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        let values = try Self.values(request)
        do {
            let m = try await Self.create(values, request: request)
            return request.redirect(to: m.href, notice: "knowledge.saved_draft")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request),
                    action: "/knowledge", cancel: "/knowledge", isNew: true))
        }
    }

    static func formValues(_ m: KnowledgeMaterial, _ request: Request) -> [String: String] {
        [
            "kind": m.kind, "title": m.title, "summary": m.summary, "body": m.body,
            "themes": m.themes.joined(separator: ", "),
            "grade_bands": m.gradeBands.joined(separator: ","), "authors": m.authors.joined(separator: "\n"),
            "contact": m.contact ?? "",
            "school": m.school ?? "", "language": m.language, "licence": m.licence, "consent": m.consent ? "on" : "",
            "visibility": m.visibility,
            "municipality": request.municipalities.label(of: m.municipality),
            "collaboration": m.collaborationID?.uuidString.lowercased() ?? "",
        ]
    }

    func editForm(_ request: Request) async throws -> View {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let m = access.material
        return try await request.view.render(
            "knowledge/form",
            formContext(
                request, form: FormState(values: Self.formValues(m, request)), action: m.href, cancel: m.href,
                isNew: false))
    }

    /// Changes a material; whoever may edit it (`KnowledgePolicy.mayEdit`).
    static func update(_ access: KnowledgeAccess, _ values: [String: String], request: Request) async throws {
        try request.require(access.mayEdit)
        let m = access.material
        let input = try await Self.input(values, reader: access.reader, request: request)
        // A published material's consent cannot be taken back by editing; it is unpublished first.
        if m.statusValue == .published || m.statusValue == .submitted {
            try MaterialDraft.requireConsent(input.0.consent)
        }
        Self.apply(input, to: m)
        try await request.db.transaction { db in
            try await Self.save(m, audit: "knowledge:update", request: request, on: db)
        }
    }

    func update(_ request: Request) async throws -> Response {
        let access = try await KnowledgeAccess.load(request)
        try request.require(access.mayEdit)
        let m = access.material
        let values = try Self.values(request)
        do {
            try await Self.update(access, values, request: request)
            return request.redirect(to: m.href, notice: "knowledge.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "knowledge/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request),
                    action: m.href, cancel: m.href, isNew: false))
        }
    }
}
