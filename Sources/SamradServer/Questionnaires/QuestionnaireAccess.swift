import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A questionnaire with what deciding about it needs: its collaboration, whom it asks, and the
/// actor's relation to it. Every questionnaire route starts here, so `QuestionnairePolicy` is asked
/// in one way.
struct QuestionnaireAccess {
    var questionnaire: Questionnaire
    var collaboration: Collaboration
    var actor: Actor
    /// The personal link the request came with, if any.
    var link: QuestionnaireLink?

    var mayBuild: Bool { QuestionnairePolicy.mayBuild(actor, organiserID: collaboration.organiserID) }

    func right(_ unit: ResponseUnit) -> QuestionnairePolicy.Right {
        QuestionnairePolicy.right(actor, unit: unit, questionnaireID: questionnaire.id!, link: link?.grant)
    }

    /// The questionnaire of the path. Drafts (not yet sent) are seen by organisers only; a sent one
    /// by organisers, its audience and those it is published to. Others get 404.
    static func load(_ request: Request, link: QuestionnaireLink? = nil) async throws -> QuestionnaireAccess {
        guard
            let id = (link?.questionnaireID) ?? request.parameterID("questionnaire"),
            let questionnaire = try await Questionnaire.find(id, on: request.db),
            let collaboration = try await Collaboration.find(questionnaire.collaborationID, on: request.db)
        else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        let access = QuestionnaireAccess(
            questionnaire: questionnaire, collaboration: collaboration, actor: request.actor,
            link: link)
        if access.mayBuild || link != nil { return access }
        guard questionnaire.sentAt != nil else { throw SamradError.notFound("questionnaires.error.not_found") }
        if questionnaire.publishedAt != nil && questionnaire.visibilityValue == .public { return access }
        guard try await access.isParticipant(on: request.db) else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        return access
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
        switch q.audienceValue {
        case .registered:
            return units(try await Registration.registeredMunicipalities(q.collaborationID, on: db))
        case .invited:
            let invited = MunicipalityRow.keys(
                try await sql.select().column("municipality_country").column("municipality_code").from(
                    Invitation.schema
                )
                .where("collaboration_id", .equal, q.collaborationID).all(decoding: MunicipalityRow.self))
            return units(invited + (try await Registration.registeredMunicipalities(q.collaborationID, on: db)))
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
    /// municipality, a named person), or attached to the collaboration.
    func isParticipant(on db: any Database) async throws -> Bool {
        if questionnaire.audienceValue.isSurvey {
            // The people of a registered municipality: its teachers hand out class codes, its
            // administration follows its results.
            let registered = try await Registration.registeredMunicipalities(questionnaire.collaborationID, on: db)
            if registered.contains(where: { actor.belongs(to: $0) }) { return true }
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
        guard actor.isSignedIn, let person = actor.personID else { return false }
        return try await CollaborationRole.query(on: db).filter(\.$collaborationID == collaboration.requireID()).filter(
            \.$personID == person
        ).first() != nil
    }

    /// The response units the actor may answer for, in this questionnaire.
    func answerable(on db: any Database) async throws -> [ResponseUnit] {
        try await Self.audience(questionnaire, on: db).filter { right($0).mayDraft }
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
