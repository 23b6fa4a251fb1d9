import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A questionnaire with what deciding about it needs: its owner (a collaboration, or a municipality
/// for its own survey), whom it asks, and the actor's relation to it. Every questionnaire route starts
/// here, so `QuestionnairePolicy` is asked in one way.
struct QuestionnaireAccess {
    var questionnaire: Questionnaire
    var origin: QuestionnaireOrigin
    var actor: Actor
    /// The personal link the request came with, if any.
    var link: QuestionnaireLink?

    /// None for a municipality's own survey.
    var collaboration: Collaboration? { origin.collaboration }
    var owner: QuestionnaireOwner { origin.owner }
    var mayBuild: Bool { QuestionnairePolicy.mayBuild(actor, owner: owner) }
    /// The zone its times are entered and shown in.
    var timeZone: String { origin.timeZone }

    /// The collaboration, for what only a collaboration's questionnaire has (clusters, meetings,
    /// responses per municipality); a municipality's own survey has none of it.
    func requireCollaboration() throws -> Collaboration {
        guard let collaboration else { throw SamradError.notFound("questionnaires.error.not_found") }
        return collaboration
    }

    func right(_ unit: ResponseUnit) -> QuestionnairePolicy.Right {
        QuestionnairePolicy.right(actor, unit: unit, questionnaireID: questionnaire.id!, link: link?.grant)
    }

    /// The questionnaire of the path. Drafts (not yet sent) are seen by organisers only; a sent one
    /// by organisers, its audience and those it is published to. Others get 404.
    static func load(_ request: Request, link: QuestionnaireLink? = nil) async throws -> QuestionnaireAccess {
        guard
            let id = (link?.questionnaireID) ?? request.parameterID("questionnaire"),
            let questionnaire = try await Questionnaire.find(id, on: request.db)
        else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        let access = try await Self.of(questionnaire, request: request, link: link)
        if access.mayBuild || link != nil { return access }
        guard questionnaire.sentAt != nil else { throw SamradError.notFound("questionnaires.error.not_found") }
        if questionnaire.publishedAt != nil && questionnaire.visibilityValue == .public { return access }
        guard try await access.isParticipant(on: request.db) else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        return access
    }

    /// The questionnaire with its owner, before any check.
    static func of(
        _ questionnaire: Questionnaire, request: Request, link: QuestionnaireLink? = nil
    ) async throws -> QuestionnaireAccess {
        guard
            let origin = try await QuestionnaireOrigin.of(
                questionnaire, directory: request.municipalities, on: request.db)
        else { throw SamradError.notFound("questionnaires.error.not_found") }
        return QuestionnaireAccess(questionnaire: questionnaire, origin: origin, actor: request.actor, link: link)
    }

    /// The municipalities whose people a survey asks: the municipality of its own survey, or the
    /// collaboration's registered ones.
    static func surveyed(_ q: Questionnaire, on db: any Database) async throws -> [MunicipalityKey] {
        if let own = q.ownMunicipality { return [own] }
        guard let id = q.collaborationID else { return [] }
        return try await Registration.registeredMunicipalities(id, on: db)
    }

    static func build(_ request: Request) async throws -> QuestionnaireAccess {
        let access = try await load(request)
        try request.require(access.mayBuild)
        return access
    }

    /// Whom the questionnaire asks, in the order lists show them.
    static func audience(_ q: Questionnaire, on db: any Database) async throws -> [ResponseUnit] {
        let sql = db.sql
        func units(_ keys: [MunicipalityKey]) -> [ResponseUnit] { Set(keys).sorted().map { .municipality($0) } }
        guard let collaborationID = q.collaborationID else { return [] }
        switch q.audienceValue {
        case .registered:
            return units(try await Registration.registeredMunicipalities(collaborationID, on: db))
        case .invited:
            let invited = MunicipalityRow.keys(
                try await sql.select().column("municipality_country").column("municipality_code").from(
                    Invitation.schema
                )
                .where("collaboration_id", .equal, collaborationID).all(decoding: MunicipalityRow.self))
            return units(invited + (try await Registration.registeredMunicipalities(collaborationID, on: db)))
        case .cluster:
            guard let clusterID = q.clusterID else { return [] }
            return units(
                MunicipalityRow.keys(
                    try await sql.select().column("municipality_country").column("municipality_code").from(
                        ClusterMember.schema
                    )
                    .where("cluster_id", .equal, clusterID).all(decoding: MunicipalityRow.self)))
        case .people:
            return q.people.map { .person($0) }
        case .staff, .meeting, .addresses, .pupils:
            // A survey of many has no response per unit: its respondents answer by link or class code.
            return []
        }
    }

    /// A participant: asked by the questionnaire (a coordinator or member of an asked
    /// municipality, a named person), or attached to the collaboration. Of a municipality's own
    /// survey: the municipality's people.
    func isParticipant(on db: any Database) async throws -> Bool {
        if questionnaire.audienceValue.isSurvey {
            // The people of a surveyed municipality: its teachers hand out class codes, its
            // administration follows its results.
            let surveyed = try await Self.surveyed(questionnaire, on: db)
            if surveyed.contains(where: { actor.belongs(to: $0) }) { return true }
        }
        let units = try await Self.audience(questionnaire, on: db)
        for unit in units {
            switch unit {
            case .municipality(let key):
                if actor.belongs(to: key) { return true }
            case .person(let id):
                if actor.isSignedIn && actor.personID == id { return true }
            }
        }
        guard actor.isSignedIn, let person = actor.personID, let collaboration else { return false }
        return try await CollaborationRole.query(on: db).filter(\.$collaborationID == collaboration.requireID()).filter(
            \.$personID == person
        ).first() != nil
    }

    /// The response units the actor may answer for, in this questionnaire.
    func answerable(on db: any Database) async throws -> [ResponseUnit] {
        try await Self.audience(questionnaire, on: db).filter { right($0).mayDraft }
    }
}

/// Who a questionnaire is from, as its pages and mails name it: a collaboration run by an organisation,
/// or a municipality asking its own schools and staff.
struct QuestionnaireOrigin {
    var collaboration: Collaboration?
    var municipality: MunicipalityKey?
    /// The collaboration's title, or the municipality's name.
    var title: String
    var timeZone: String

    var owner: QuestionnaireOwner {
        if let collaboration { return .organiser(collaboration.organiserID) }
        return .municipality(municipality!)
    }

    /// Where its pages lead back to: the collaboration's questionnaires, or the municipality's surveys.
    var listHref: String {
        if let collaboration { return "/collaborations/\(collaboration.slug)/questionnaires" }
        return "/municipalities/\(municipality!.description)/surveys"
    }

    static func collaboration(_ c: Collaboration) -> QuestionnaireOrigin {
        QuestionnaireOrigin(collaboration: c, title: c.title, timeZone: c.timeZone)
    }

    static func municipality(_ m: Municipality) -> QuestionnaireOrigin {
        let key = MunicipalityKey(m.country, m.code)
        return QuestionnaireOrigin(municipality: key, title: m.name, timeZone: key.country.timeZoneIdentifier)
    }

    /// How whom it asks is named: a municipality's own survey asks the pupils and staff of that
    /// municipality, not of registered ones.
    func audienceLabel(_ audience: String, _ request: Request) -> String {
        let own = collaboration == nil && (audience == "pupils" || audience == "staff")
        return own
            ? request.t("questionnaire_audience.\(audience).own") : request.t("questionnaire_audience.\(audience)")
    }

    /// Nil when the collaboration is gone or the municipality unknown.
    static func of(
        _ q: Questionnaire, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> QuestionnaireOrigin? {
        if let id = q.collaborationID {
            return try await Collaboration.find(id, on: db).map(Self.collaboration)
        }
        return q.ownMunicipality.flatMap { directory[$0] }.map(Self.municipality)
    }

    /// Who signs its mails: the organisation running the collaboration, or the municipality.
    func sender(on db: any Database) async throws -> String {
        guard let collaboration else { return title }
        return try await Organisation.find(collaboration.organiserID, on: db)?.name ?? "Samrad"
    }
}

extension ResponseUnit {
    /// "dk/751" or "person/<id>", as paths and CSV name it.
    var path: String {
        switch self {
        case .municipality(let key): key.description
        case .person(let id): "person/\(id.uuidString.lowercased())"
        }
    }

    init?(path: String) {
        if path.hasPrefix("person/"), let id = UUID(uuidString: String(path.dropFirst(7))) {
            self = .person(id); return
        }
        guard let key = MunicipalityKey(path: path) else { return nil }
        self = .municipality(key)
    }
}
