import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: writing.
extension NewsletterPages {
    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var cancel: String;
        var collaborations: [Option]; var positions: [Option]
        var regions: [Option]; var languages: [Option]; var archives: [Option]; var isNew: Bool; var inserts: [Option]
    }

    /// The collaborations of the sender's organisation: a network, or the tracks of a programme.
    static func senders(_ c: Collaboration, on db: any Database) async throws -> [Collaboration] {
        try await Collaboration.query(on: db).filter(\.$organiserID == c.organiserID).sort(\.$title).all()
    }

    func formContext(
        _ request: Request, _ c: Collaboration, form: FormState, action: String, cancel: String, isNew: Bool
    ) async throws -> FormContext {
        let values = form.values
        func chosen(_ key: String) -> Set<String> { Set((values[key] ?? "").split(separator: ",").map(String.init)) }
        let collaborations = try await Self.senders(c, on: request.db)
        // Regions of the organiser's country (of Denmark and Sweden for one without).
        let country = try await Organisation.find(c.organiserID, on: request.db)?.country.flatMap(
            Country.init(rawValue:))
        var regions: [String: String] = [:]
        for m in request.municipalities.all
        where country.map({ m.country == $0 }) ?? (m.country == .dk || m.country == .se) {
            regions[m.regionCode] = m.regionName
        }
        return FormContext(
            page: PageContext(request, titleKey: isNew ? "newsletters.new" : "newsletters.edit"), form: form,
            action: action, cancel: cancel,
            collaborations: collaborations.map {
                Option(
                    value: $0.id!.uuidString.lowercased(), label: $0.title,
                    selected: chosen("collaborations").contains($0.id!.uuidString.lowercased()))
            },
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: chosen("positions").contains($0.rawValue))
            },
            regions: regions.sorted { $0.value < $1.value }.map {
                Option(value: $0.key, label: $0.value, selected: chosen("regions").contains($0.key))
            },
            languages: Language.allCases.map {
                Option(value: $0.rawValue, label: $0.endonym, selected: values["language"] == $0.rawValue)
            },
            archives: NewsletterArchive.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("newsletters.archive.\($0.rawValue)"),
                    selected: values["archive"] == $0.rawValue)
            },
            isNew: isNew,
            inserts: ["meetings", "materials", "results"].map {
                Option(value: $0, label: request.t("newsletters.insert.\($0)"), selected: false)
            })
    }

    func newForm(_ request: Request) async throws -> View {
        let c = try await Self.collaboration(request)
        try Self.requireWriter(request, c)
        let values = [
            "collaborations": c.id!.uuidString.lowercased(),
            "language": (c.timeZone == "Europe/Stockholm" ? Language.sv : Language.da).rawValue,
            "archive": NewsletterArchive.public.rawValue,
        ]
        return try await request.view.render(
            "newsletters/form",
            formContext(
                request, c, form: FormState(values: values), action: "/collaborations/\(c.slug)/newsletters",
                cancel: "/collaborations/\(c.slug)/newsletters", isNew: true))
    }

    /// The form's fields; check boxes of one name are joined by commas.
    static func values(_ request: Request) throws -> [String: String] {
        struct Form: Content {
            var subject: String?; var body: String?; var language: String?; var archive: String?;
            var municipalities: String?
            var collaborations: [String]?; var positions: [String]?; var regions: [String]?; var insert: String?
        }
        let f = try request.content.decode(Form.self)
        return [
            "subject": f.subject ?? "", "body": f.body ?? "", "language": f.language ?? "", "archive": f.archive ?? "",
            "municipalities": f.municipalities ?? "", "collaborations": (f.collaborations ?? []).joined(separator: ","),
            "positions": (f.positions ?? []).joined(separator: ","),
            "regions": (f.regions ?? []).joined(separator: ","), "insert": f.insert ?? "",
        ]
    }

    static func input(
        _ values: [String: String], sender c: Collaboration, request: Request
    ) async throws -> (
        subject: String, body: String, language: Language, archive: NewsletterArchive, audience: NewsletterAudience
    ) {
        var v = Validation()
        let subject = v.required("subject", values["subject"], maxLength: 200)
        let body = v.required("body", values["body"], maxLength: 100_000)
        for problem in SafeMarkdown.problems(body) { v.add("body", problem.key, problem.arguments) }
        let language = v.oneOf("language", values["language"], as: Language.self)
        let archive = v.oneOf("archive", values["archive"], as: NewsletterArchive.self)
        let allowed = Set(try await Self.senders(c, on: request.db).compactMap(\.id))
        let directory = request.municipalities
        let audience = NewsletterAudience.validate(
            collaborations: (values["collaborations"] ?? "").split(separator: ",").map(String.init), allowed: allowed,
            positions: (values["positions"] ?? "").split(separator: ",").map(String.init),
            municipalities: values["municipalities"] ?? "", directory: directory,
            regions: (values["regions"] ?? "").split(separator: ",").map(String.init),
            knownRegions: Set(directory.all.map(\.regionCode)), into: &v)
        try v.check()
        return (subject, body, language!, archive!, audience)
    }

    static func apply(
        _ input: (
            subject: String, body: String, language: Language, archive: NewsletterArchive, audience: NewsletterAudience
        ), to n: Newsletter
    ) {
        n.subject = input.subject
        n.body = input.body
        n.language = input.language.rawValue
        n.archive = input.archive.rawValue
        n.audience = input.audience
    }

    /// Markdown for what the sender has to tell about: its upcoming meetings, materials published
    /// in the last 60 days, published questionnaire results.
    static func insertion(
        _ kind: String, sender c: Collaboration, language: Language, request: Request
    ) async throws -> String {
        let base = request.settings.publicBaseURL
        let id = try c.requireID()
        func t(_ key: String) -> String { request.catalog.text(key, language) }
        switch kind {
        case "meetings":
            let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$status == MeetingStatus.published.rawValue
            )
            .filter(\.$startsAt > Date()).sort(\.$startsAt).limit(10).all()
            guard !meetings.isEmpty else { return "" }
            return "## \(t("newsletters.section.meetings"))\n\n"
                + meetings.map {
                    "- [\($0.title)](\(base)\($0.href)), \(DateText.dateTime($0.startsAt, language, zone: $0.timeZone))"
                }.joined(separator: "\n")
        case "materials":
            let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$status == EditorialStatus.published.rawValue
            )
            .filter(\.$publishedAt > Date().addingTimeInterval(-60 * 86_400)).sort(\.$publishedAt, .descending).limit(
                10
            ).all()
            guard !materials.isEmpty else { return "" }
            return "## \(t("newsletters.section.materials"))\n\n"
                + materials.map { "- [\($0.title)](\(base)\($0.href)): \($0.summary)" }.joined(separator: "\n")
        case "results":
            let published = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == id).filter(
                \.$publishedAt != nil
            ).sort(\.$publishedAt, .descending).limit(10).all()
            guard !published.isEmpty else { return "" }
            return "## \(t("newsletters.section.results"))\n\n"
                + published.map { "- [\($0.title)](\(base)/questionnaires/\($0.id!.uuidString.lowercased())/results)" }
                .joined(separator: "\n")
        default:
            return ""
        }
    }

    /// A new draft of the sender's writers, from the form's or the API's values.
    static func create(
        _ values: [String: String], sender c: Collaboration, request: Request
    ) async throws -> Newsletter {
        try requireWriter(request, c)
        let input = try await Self.input(values, sender: c, request: request)
        let n = Newsletter()
        n.collaborationID = try c.requireID()
        Self.apply(input, to: n)
        n.status = NewsletterStatus.draft.rawValue
        n.recipientCount = 0
        n.createdBy = request.actor.userID
        try await request.db.transaction { db in
            try await n.create(on: db)
            try await Audit.record(
                "newsletter:create", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                by: request, on: db)
        }
        return n
    }

    /// Changes a draft or a scheduled newsletter, which goes back to draft.
    static func update(
        _ n: Newsletter, _ values: [String: String], sender c: Collaboration, request: Request
    ) async throws {
        let input = try await Self.input(values, sender: c, request: request)
        Self.apply(input, to: n)
        n.status = NewsletterStatus.draft.rawValue
        n.sendAt = nil
        try await request.db.transaction { db in
            try await n.save(on: db)
            try await Audit.record(
                "newsletter:update", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                by: request, on: db)
        }
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await Self.collaboration(request)
        try Self.requireWriter(request, c)
        var values = try Self.values(request)
        if let kind = values["insert"], !kind.isEmpty {
            // A button that adds a section to the text: the form comes back with it.
            let section = try await Self.insertion(
                kind, sender: c, language: Language(rawValue: values["language"] ?? "") ?? request.language,
                request: request)
            values["body"] = [values["body"] ?? "", section.isEmpty ? "" : section].filter { !$0.isEmpty }.joined(
                separator: "\n\n")
            let form =
                section.isEmpty
                ? FormState(
                    values: values,
                    error: SamradError.invalid([FieldError(field: "body", "newsletters.nothing_to_insert")]),
                    request: request) : FormState(values: values)
            return try await request.view.render(
                "newsletters/form",
                formContext(
                    request, c, form: form, action: "/collaborations/\(c.slug)/newsletters",
                    cancel: "/collaborations/\(c.slug)/newsletters", isNew: true)
            ).encodeResponse(for: request)
        }
        do {
            let n = try await Self.create(values, sender: c, request: request)
            return request.redirect(to: n.href, notice: "newsletters.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/form",
                formContext(
                    request, c, form: FormState(values: values, error: error, request: request),
                    action: "/collaborations/\(c.slug)/newsletters", cancel: "/collaborations/\(c.slug)/newsletters",
                    isNew: true))
        }
    }

    static func formValues(_ n: Newsletter, _ request: Request) -> [String: String] {
        [
            "subject": n.subject, "body": n.body, "language": n.language, "archive": n.archive,
            "collaborations": n.audience.collaborations.map { $0.uuidString.lowercased() }.joined(separator: ","),
            "positions": n.audience.positions.map(\.rawValue).joined(separator: ","),
            "regions": n.audience.regions.joined(separator: ","),
            "municipalities": n.audience.municipalities.compactMap { request.municipalities[$0] }
                .map(MunicipalityDirectory.label).joined(separator: ", "),
        ]
    }

    /// Drafts and scheduled newsletters are edited; a scheduled one goes back to draft.
    static func editable(_ request: Request) async throws -> (Newsletter, Collaboration) {
        let (n, c) = try await load(request)
        try requireWriter(request, c)
        guard n.statusValue == .draft || n.statusValue == .scheduled else {
            throw SamradError(.conflict, "newsletters.error.already_sent")
        }
        return (n, c)
    }

    func editForm(_ request: Request) async throws -> View {
        let (n, c) = try await Self.editable(request)
        return try await request.view.render(
            "newsletters/form",
            formContext(
                request, c, form: FormState(values: Self.formValues(n, request)), action: n.href, cancel: n.href,
                isNew: false))
    }

    func update(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        var values = try Self.values(request)
        if let kind = values["insert"], !kind.isEmpty {
            let section = try await Self.insertion(
                kind, sender: c, language: Language(rawValue: values["language"] ?? "") ?? request.language,
                request: request)
            values["body"] = [values["body"] ?? "", section].filter { !$0.isEmpty }.joined(separator: "\n\n")
            let form =
                section.isEmpty
                ? FormState(
                    values: values,
                    error: SamradError.invalid([FieldError(field: "body", "newsletters.nothing_to_insert")]),
                    request: request) : FormState(values: values)
            return try await request.view.render(
                "newsletters/form", formContext(request, c, form: form, action: n.href, cancel: n.href, isNew: false)
            ).encodeResponse(for: request)
        }
        do {
            try await Self.update(n, values, sender: c, request: request)
            return request.redirect(to: n.href, notice: "newsletters.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/form",
                formContext(
                    request, c, form: FormState(values: values, error: error, request: request), action: n.href,
                    cancel: n.href, isNew: false))
        }
    }
}
