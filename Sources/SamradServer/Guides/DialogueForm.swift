import Fluent
import Foundation
import SamradCore
import Vapor

/// LocalDialoguePages: the form.
extension LocalDialoguePages {
    struct SectionFields: Encodable {
        var number: Int; var title: String; var purpose: String; var note: QuestionField; var questions: [QuestionField]
    }
    /// A field with its label, value and message (Leaf cannot look up computed names itself).
    struct QuestionField: Encodable { var field: String; var text: String; var value: String; var error: String? }
    struct AgreementSlot: Encodable {
        var n: Int; var kinds: [Option]; var indicators: [Option]; var statement: QuestionField;
        var responsible: QuestionField; var followUp: QuestionField
        var indicatorError: String?
    }
    struct FormContext: Encodable {
        var page: PageContext; var form: FormState; var action: String; var cancel: String; var municipality: String;
        var guideTitle: String
        var groups: [QuestionField]; var sections: [SectionFields]; var slots: [AgreementSlot]
    }

    func formContext(
        _ request: Request, guide g: DiscussionGuide, municipality: MunicipalityKey, form: FormState, action: String,
        cancel: String
    ) async throws -> FormContext {
        let values = form.values
        let snapshot = try await request.indicators()
        let indicators = snapshot.indicators(for: .municipality, in: municipality.country)
        let used = (1...40).filter { n in values.keys.contains { $0.hasPrefix("a\(n)_") } }.max() ?? 0
        func field(_ name: String, _ label: String) -> QuestionField {
            QuestionField(field: name, text: label, value: values[name] ?? "", error: form.errors[name])
        }
        let slots = (1...min(40, max(3, used + 2))).map { n in
            AgreementSlot(
                n: n,
                kinds: Agreement.Kind.allCases.map {
                    Option(
                        value: $0.rawValue, label: request.t("dialogues.kind.\($0.rawValue)"),
                        selected: (values["a\(n)_kind"] ?? "goal") == $0.rawValue)
                },
                indicators: [
                    Option(
                        value: "", label: request.t("dialogues.no_indicator"),
                        selected: (values["a\(n)_indicator"] ?? "").isEmpty)
                ]
                    + indicators.map {
                        Option(
                            value: $0.code, label: $0.name(request.language),
                            selected: values["a\(n)_indicator"] == $0.code)
                    },
                statement: field("a\(n)_statement", request.t("dialogues.statement")),
                responsible: field("a\(n)_responsible", request.t("dialogues.responsible")),
                followUp: field("a\(n)_follow_up", request.t("dialogues.follow_up")),
                indicatorError: form.errors["a\(n)_indicator"])
        }
        return FormContext(
            page: PageContext(request, titleKey: "dialogues.record", [g.title]), form: form, action: action,
            cancel: cancel,
            municipality: request.municipalities[municipality]?.name ?? municipality.code, guideTitle: g.title,
            groups: ParticipantGroup.allCases.map {
                field("p_\($0.rawValue)", request.t("dialogues.group.\($0.rawValue)"))
            },
            sections: g.sections.enumerated().map { i, s in
                SectionFields(
                    number: i + 1, title: s.title, purpose: s.purpose,
                    note: field("n_s\(i + 1)", request.t("dialogues.section_note")),
                    questions: s.questions.enumerated().map { q, text in field("n_s\(i + 1)q\(q + 1)", text) })
            },
            slots: slots)
    }

    /// The guide of the path and the municipality of the form, checked: a published guide the actor
    /// may see, and a municipality the actor keeps sessions for.
    static func guideAndMunicipality(
        _ request: Request, municipality text: String?
    ) async throws -> (DiscussionGuide, MunicipalityKey) {
        let (g, _) = try await GuidePages.load(request)
        guard g.published else { throw SamradError(.conflict, "dialogues.error.unpublished") }
        guard let key = text.flatMap({ MunicipalityKey(path: $0) }), request.municipalities[key] != nil else {
            throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
        }
        try request.require(GuidePolicy.mayKeepSession(request.actor, key))
        return (g, key)
    }

    func newForm(_ request: Request) async throws -> View {
        _ = try request.requireSignedIn()
        let (g, key) = try await Self.guideAndMunicipality(
            request, municipality: request.query[String.self, at: "municipality"])
        var values = ["municipality": key.description, "held_on": Self.today()]
        for n in 1...3 { values["a\(n)_kind"] = "goal" }
        return try await request.view.render(
            "guides/session-form",
            formContext(
                request, guide: g, municipality: key, form: FormState(values: values),
                action: "\(g.href)/sessions", cancel: g.href))
    }

    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    static func values(_ request: Request) throws -> [String: String] {
        try request.content.decode([String: String].self).filter { key, _ in
            ["municipality", "held_on", "committee"].contains(key) || key.hasPrefix("p_") || key.hasPrefix("n_s")
                || (key.hasPrefix("a") && key.contains("_"))
        }
    }

    /// Reads the form into the session; every problem named by its field.
    static func apply(
        _ values: [String: String], guide g: DiscussionGuide, to s: LocalDialogue, snapshot: IndicatorSnapshot,
        country: Country
    ) throws {
        var v = Validation()
        let heldOn = (values["held_on"] ?? "").trimmingCharacters(in: .whitespaces)
        if heldOn.isEmpty {
            v.add("held_on", "validation.required")
        } else if !Agreement.isDay(heldOn) {
            v.add("held_on", "validation.date")
        }
        let committee = v.required("committee", values["committee"], maxLength: 200)
        var participants: [String: String] = [:]
        for group in ParticipantGroup.allCases {
            if let text = v.optional("p_\(group.rawValue)", values["p_\(group.rawValue)"], maxLength: 2_000) {
                participants[group.rawValue] = text
            }
        }
        var notes: [String: String] = [:]
        for (i, section) in g.sections.enumerated() {
            let keys = ["s\(i + 1)"] + section.questions.indices.map { "s\(i + 1)q\($0 + 1)" }
            for key in keys {
                if let text = v.optional("n_\(key)", values["n_\(key)"], maxLength: 10_000) { notes[key] = text }
            }
        }
        let codes = Set(snapshot.indicators(for: .municipality, in: country).map(\.code))
        let agreements = Agreement.validate(values, slots: 40, indicators: codes, into: &v)
        try v.check()
        s.heldOn = heldOn
        s.committee = committee
        s.participants = participants
        s.notes = notes
        s.agreements = agreements
    }

    /// A municipality's new session with a published guide.
    static func create(
        _ g: DiscussionGuide, for key: MunicipalityKey, _ values: [String: String], request: Request
    ) async throws -> LocalDialogue {
        try request.require(GuidePolicy.mayKeepSession(request.actor, key))
        let snapshot = try await request.indicators()
        let s = LocalDialogue()
        s.guideID = try g.requireID()
        s.municipalityCountry = key.country.rawValue
        s.municipalityCode = key.code
        s.createdBy = request.actor.userID
        try Self.apply(values, guide: g, to: s, snapshot: snapshot, country: key.country)
        try await request.db.transaction { db in
            try await s.create(on: db)
            try await Audit.record(
                "dialogue:create", subject: "dialogue", id: s.requireID().uuidString,
                summary: "\(key.description): \(g.title)", by: request, on: db)
        }
        return s
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        let values = try Self.values(request)
        let (g, key) = try await Self.guideAndMunicipality(request, municipality: values["municipality"])
        do {
            let s = try await Self.create(g, for: key, values, request: request)
            return request.redirect(to: s.href, notice: "dialogues.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "guides/session-form",
                formContext(
                    request, guide: g, municipality: key,
                    form: FormState(values: values, error: error, request: request),
                    action: "\(g.href)/sessions", cancel: g.href))
        }
    }

    static func formValues(_ s: LocalDialogue) -> [String: String] {
        var values = ["municipality": s.municipality.description, "held_on": s.heldOn, "committee": s.committee]
        for (group, text) in s.participants { values["p_\(group)"] = text }
        for (key, text) in s.notes { values["n_\(key)"] = text }
        for (i, a) in s.agreements.enumerated() {
            let n = i + 1
            values["a\(n)_kind"] = a.kind.rawValue
            values["a\(n)_statement"] = a.statement
            values["a\(n)_responsible"] = a.responsible
            values["a\(n)_follow_up"] = a.followUp
            values["a\(n)_indicator"] = a.indicator ?? ""
        }
        return values
    }

    func editForm(_ request: Request) async throws -> View {
        let (s, g) = try await Self.load(request)
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        return try await request.view.render(
            "guides/session-form",
            formContext(
                request, guide: g, municipality: s.municipality, form: FormState(values: Self.formValues(s)),
                action: s.href, cancel: s.href))
    }

    /// Changes a session; those who keep the municipality's sessions.
    static func update(
        _ s: LocalDialogue, guide g: DiscussionGuide, _ values: [String: String], request: Request
    ) async throws {
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        let snapshot = try await request.indicators()
        try Self.apply(values, guide: g, to: s, snapshot: snapshot, country: s.municipality.country)
        try await request.db.transaction { db in
            try await s.save(on: db)
            try await Audit.record(
                "dialogue:update", subject: "dialogue", id: s.requireID().uuidString,
                summary: "\(s.municipality.description): \(g.title)", by: request, on: db)
        }
    }

    func update(_ request: Request) async throws -> Response {
        let (s, g) = try await Self.load(request)
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        let values = try Self.values(request)
        do {
            try await Self.update(s, guide: g, values, request: request)
            return request.redirect(to: s.href, notice: "dialogues.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "guides/session-form",
                formContext(
                    request, guide: g, municipality: s.municipality,
                    form: FormState(values: values, error: error, request: request), action: s.href, cancel: s.href))
        }
    }

    /// Sharing sends the result to the guide's collaboration; a session with nothing agreed has no
    /// result to share.
    static func share(_ s: LocalDialogue, guide g: DiscussionGuide, _ shared: Bool, request: Request) async throws {
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        guard g.collaborationID != nil else { throw SamradError(.conflict, "dialogues.error.no_collaboration") }
        if shared && s.agreements.isEmpty { throw SamradError(.conflict, "dialogues.error.nothing_to_share") }
        s.sharedAt = shared ? Date() : nil
        try await request.db.transaction { db in
            try await s.save(on: db)
            try await Audit.record(
                shared ? "dialogue:share" : "dialogue:unshare", subject: "dialogue", id: s.requireID().uuidString,
                summary: "\(s.municipality.description): \(g.title)", by: request, on: db)
        }
    }

    func share(_ request: Request, _ shared: Bool) async throws -> Response {
        let (s, g) = try await Self.load(request)
        try await Self.share(s, guide: g, shared, request: request)
        return request.redirect(to: s.href, notice: shared ? "dialogues.shared_notice" : "dialogues.unshared_notice")
    }

    static func delete(_ s: LocalDialogue, guide g: DiscussionGuide, request: Request) async throws {
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        try await request.db.transaction { db in
            try await s.delete(on: db)
            try await Audit.record(
                "dialogue:delete", subject: "dialogue", id: s.requireID().uuidString,
                summary: "\(s.municipality.description): \(g.title)", by: request, on: db)
        }
    }

    func delete(_ request: Request) async throws -> Response {
        let (s, g) = try await Self.load(request)
        try await Self.delete(s, guide: g, request: request)
        return request.redirect(
            to: "/municipalities/\(s.municipalityCountry)/\(s.municipalityCode)/dialogues", notice: "dialogues.deleted")
    }
}
