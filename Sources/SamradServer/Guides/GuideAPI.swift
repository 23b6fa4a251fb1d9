import Fluent
import Foundation
import SamradCore
import Vapor

/// Discussion guides and their local dialogues as JSON: list, read, write, change, publish and
/// delete guides; a municipality's sessions with a guide, kept and shared. The same checks as the
/// pages (`GuidePolicy`, `GuideDraft.validate`, `Agreement.validate`), the form's fields named as
/// the JSON names them in errors.
struct GuideAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let guides = routes.grouped("api", "v1", "guides")
        guides.get(use: list)
        guides.post(use: create)
        guides.get(":guide", use: show)
        guides.put(":guide", use: update)
        guides.delete(":guide", use: delete)
        guides.post(":guide", "publish") { try await self.publish($0, true) }
        guides.post(":guide", "unpublish") { try await self.publish($0, false) }
        guides.post(":guide", "adapt", use: adapt)
        guides.get(":guide", "dialogues", use: dialogues)
        guides.post(":guide", "dialogues", use: createDialogue)
        let dialogue = routes.grouped("api", "v1", "dialogues", ":dialogue")
        dialogue.get(use: showDialogue)
        dialogue.put(use: updateDialogue)
        dialogue.delete(use: deleteDialogue)
        dialogue.post("share") { try await self.share($0, true) }
        dialogue.post("unshare") { try await self.share($0, false) }
    }

    // MARK: Guides

    struct SectionJSON: Content {
        var title: String?
        var purpose: String?
        /// Markdown.
        var content: String?
        /// Slides of the attached presentation, "3" or "3-5".
        var slides: String?
        var questions: [String]?
    }

    struct GuideJSON: Content {
        struct Presentation: Content { var name: String; var contentType: String; var size: Int; var href: String }
        var id: UUID
        var href: String
        var title: String
        var introduction: String
        var language: String
        var audience: String
        var organisationID: UUID?
        var municipality: String?
        var collaborationID: UUID?
        /// Organisations that publish it together with its owner.
        var coPublisherIDs: [UUID]
        /// The guide it was copied from, to be adapted.
        var adaptedFromID: UUID?
        var published: Bool
        var sections: [SectionJSON]
        var presentation: Presentation?
        var updatedAt: Date?

        init(_ g: DiscussionGuide) {
            id = g.id!
            href = g.href
            title = g.title
            introduction = g.introduction
            language = g.language
            audience = g.audience
            organisationID = g.organisationID
            municipality = g.municipality?.description
            collaborationID = g.collaborationID
            coPublisherIDs = g.coPublisherIDs ?? []
            adaptedFromID = g.adaptedFromID
            published = g.published
            sections = g.sections.map {
                SectionJSON(
                    title: $0.title, purpose: $0.purpose, content: $0.content, slides: $0.slides?.text,
                    questions: $0.questions)
            }
            presentation = g.presentationName.map {
                Presentation(
                    name: $0, contentType: g.presentationType ?? "application/octet-stream",
                    size: g.presentationSize ?? 0, href: g.href + "/presentation")
            }
            updatedAt = g.updatedAt
        }
    }

    struct GuideList: Content { var items: [GuideJSON] }

    struct GuideInput: Content {
        var title: String?
        var introduction: String?
        var language: String?
        var audience: String?
        /// The owner: an organisation the caller organises for, or a municipality they coordinate.
        var organisationID: UUID?
        var municipality: String?
        var collaborationID: UUID?
        var coPublisherIDs: [UUID]?
        var sections: [SectionJSON]?

        func values() throws -> [String: String] {
            let sections = sections ?? []
            if sections.count > GuideDraft.maxSections {
                throw SamradError.invalid([
                    FieldError(field: "sections", "guides.error.sections_max", [String(GuideDraft.maxSections)])
                ])
            }
            var values = [
                "title": title ?? "", "introduction": introduction ?? "", "language": language ?? "",
                "audience": audience ?? "", "collaboration": collaborationID?.uuidString.lowercased() ?? "",
                "owner": organisationID.map { "organisation:\($0.uuidString.lowercased())" }
                    ?? municipality.map { "municipality:\($0)" } ?? "",
            ]
            for id in coPublisherIDs ?? [] { values["copublisher_\(id.uuidString.lowercased())"] = "on" }
            for (index, section) in sections.enumerated() {
                let n = index + 1
                values["s\(n)_position"] = String(n)
                values["s\(n)_title"] = section.title ?? ""
                values["s\(n)_purpose"] = section.purpose ?? ""
                values["s\(n)_content"] = section.content ?? ""
                values["s\(n)_slides"] = section.slides ?? ""
                values["s\(n)_questions"] = (section.questions ?? []).joined(separator: "\n")
            }
            return values
        }

        /// "s2_title" is `sections.1.title`; the owner is named as it was given.
        func name(_ field: String) -> String? {
            if field == "owner" {
                return organisationID != nil || municipality == nil ? "organisationID" : "municipality"
            }
            if field == "collaboration" { return "collaborationID" }
            if field == "copublishers" { return "coPublisherIDs" }
            guard field.hasPrefix("s"), let underscore = field.firstIndex(of: "_"),
                let n = Int(field[field.index(after: field.startIndex)..<underscore])
            else { return nil }
            return "sections.\(n - 1).\(field[field.index(after: underscore)...])"
        }
    }

    func list(_ request: Request) async throws -> GuideList {
        let reader = try await request.collaborationReader()
        let guides = try await DiscussionGuide.query(on: request.db).sort(\.$updatedAt, .descending).all()
        return GuideList(items: guides.filter { GuidePolicy.mayView(reader, $0.standing) }.map(GuideJSON.init))
    }

    func create(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayCreate(request.actor))
        let input = try request.content.decode(GuideInput.self)
        let g: DiscussionGuide
        do { g = try await GuidePages.create(try input.values(), request: request) } catch let error as SamradError {
            throw error.naming(input.name)
        }
        return try await GuideJSON(g).created(at: "/api/v1" + g.href, for: request)
    }

    func show(_ request: Request) async throws -> GuideJSON {
        GuideJSON(try await GuidePages.load(request).0)
    }

    /// `{"municipality":"dk/751"}`: the municipality's own draft copy of a published guide.
    func adapt(_ request: Request) async throws -> Response {
        let (g, reader) = try await GuidePages.load(request)
        let copy = try await GuidePages.adapt(
            g, reader, try request.content.decode(GuidePages.AdaptInput.self), request: request)
        return try await GuideJSON(copy).created(at: "/api/v1" + copy.href, for: request)
    }

    func update(_ request: Request) async throws -> GuideJSON {
        let (g, _) = try await GuidePages.load(request)
        try request.require(GuidePolicy.mayWrite(request.actor, g.standing))
        let input = try request.content.decode(GuideInput.self)
        do { try await GuidePages.update(g, try input.values(), request: request) } catch let error as SamradError {
            throw error.naming(input.name)
        }
        return GuideJSON(g)
    }

    func publish(_ request: Request, _ published: Bool) async throws -> GuideJSON {
        let (g, _) = try await GuidePages.load(request)
        try await GuidePages.publish(g, published, request: request)
        return GuideJSON(g)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        let (g, _) = try await GuidePages.load(request)
        try await GuidePages.delete(g, request: request)
        return .noContent
    }

    // MARK: Local dialogues

    struct AgreementJSON: Content {
        var kind: String?
        var statement: String?
        var responsible: String?
        /// ISO day.
        var followUp: String?
        /// An indicator's code, for a goal.
        var indicator: String?
    }

    struct DialogueJSON: Content {
        var id: UUID
        var href: String
        var guideID: UUID
        var municipality: String
        var heldOn: String
        var committee: String
        /// By group: politicians, administration, school-leaders, teachers, parents, pupils, others.
        var participants: [String: String]
        /// Per section ("s1") and question ("s1q2").
        var notes: [String: String]
        var agreements: [AgreementJSON]
        var sharedAt: Date?

        init(_ s: LocalDialogue) {
            id = s.id!
            href = s.href
            guideID = s.guideID
            municipality = s.municipality.description
            heldOn = s.heldOn
            committee = s.committee
            participants = s.participants
            notes = s.notes
            agreements = s.agreements.map {
                AgreementJSON(
                    kind: $0.kind.rawValue, statement: $0.statement, responsible: $0.responsible,
                    followUp: $0.followUp, indicator: $0.indicator)
            }
            sharedAt = s.sharedAt
        }
    }

    struct DialogueList: Content { var items: [DialogueJSON] }

    struct DialogueInput: Content {
        var municipality: String?
        var heldOn: String?
        var committee: String?
        var participants: [String: String]?
        var notes: [String: String]?
        var agreements: [AgreementJSON]?

        static let agreementLimit = 40

        func values() throws -> [String: String] {
            let agreements = agreements ?? []
            if agreements.count > Self.agreementLimit {
                throw SamradError.invalid([
                    FieldError(field: "agreements", "dialogues.error.agreements_max", [String(Self.agreementLimit)])
                ])
            }
            var values = ["municipality": municipality ?? "", "held_on": heldOn ?? "", "committee": committee ?? ""]
            for (group, text) in participants ?? [:] { values["p_\(group)"] = text }
            for (key, text) in notes ?? [:] { values["n_\(key)"] = text }
            for (index, a) in agreements.enumerated() {
                let n = index + 1
                values["a\(n)_kind"] = a.kind ?? ""
                values["a\(n)_statement"] = a.statement ?? ""
                values["a\(n)_responsible"] = a.responsible ?? ""
                values["a\(n)_follow_up"] = a.followUp ?? ""
                values["a\(n)_indicator"] = a.indicator ?? ""
            }
            return values
        }

        /// "a2_follow_up" is `agreements.1.followUp`, "p_teachers" `participants.teachers`.
        static func name(_ field: String) -> String? {
            if field == "held_on" { return "heldOn" }
            if field.hasPrefix("p_") { return "participants." + field.dropFirst(2) }
            if field.hasPrefix("n_") { return "notes." + field.dropFirst(2) }
            guard field.hasPrefix("a"), let underscore = field.firstIndex(of: "_"),
                let n = Int(field[field.index(after: field.startIndex)..<underscore])
            else { return nil }
            let name = String(field[field.index(after: underscore)...])
            return "agreements.\(n - 1).\(name == "follow_up" ? "followUp" : name)"
        }
    }

    /// A guide's sessions the caller may see: those shared with its collaboration, and those of the
    /// municipalities the caller keeps sessions for.
    func dialogues(_ request: Request) async throws -> DialogueList {
        let (g, reader) = try await GuidePages.load(request)
        let sessions = try await LocalDialogue.query(on: request.db).filter(\.$guideID == g.requireID())
            .sort(\.$heldOn, .descending).all()
        return DialogueList(
            items: sessions.filter {
                GuidePolicy.mayViewSession(reader, $0.municipality, shared: $0.sharedAt != nil, guide: g.standing)
            }.map(DialogueJSON.init))
    }

    func createDialogue(_ request: Request) async throws -> Response {
        _ = try request.requireSignedIn()
        let input = try request.content.decode(DialogueInput.self)
        let (g, key) = try await LocalDialoguePages.guideAndMunicipality(request, municipality: input.municipality)
        let s: LocalDialogue
        do {
            s = try await LocalDialoguePages.create(g, for: key, try input.values(), request: request)
        } catch let error as SamradError {
            throw error.naming(DialogueInput.name)
        }
        return try await DialogueJSON(s).created(at: "/api/v1" + s.href, for: request)
    }

    func showDialogue(_ request: Request) async throws -> DialogueJSON {
        DialogueJSON(try await LocalDialoguePages.load(request).0)
    }

    func updateDialogue(_ request: Request) async throws -> DialogueJSON {
        let (s, g) = try await LocalDialoguePages.load(request)
        try request.require(GuidePolicy.mayKeepSession(request.actor, s.municipality))
        let input = try request.content.decode(DialogueInput.self)
        do {
            try await LocalDialoguePages.update(s, guide: g, try input.values(), request: request)
        } catch let error as SamradError {
            throw error.naming(DialogueInput.name)
        }
        return DialogueJSON(s)
    }

    func share(_ request: Request, _ shared: Bool) async throws -> DialogueJSON {
        let (s, g) = try await LocalDialoguePages.load(request)
        try await LocalDialoguePages.share(s, guide: g, shared, request: request)
        return DialogueJSON(s)
    }

    func deleteDialogue(_ request: Request) async throws -> HTTPStatus {
        let (s, g) = try await LocalDialoguePages.load(request)
        try await LocalDialoguePages.delete(s, guide: g, request: request)
        return .noContent
    }
}
