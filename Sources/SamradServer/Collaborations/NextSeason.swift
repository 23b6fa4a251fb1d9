import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The next season of a collaboration or of a whole programme: a draft copy moved on by whole
/// years with its settings, places, seats, price, themes and (if asked) its partners and attached
/// people, linked to the season it came from. Funding, the case number and everything that
/// happened (registrations, meetings, answers) stay with the old season.
enum NextSeason {
    struct Input: Content {
        var title: String?
        /// Years to move the period, opening and deadline on: 1 to 5, 1 when left out.
        var years: Int?
        /// Bring the partner organisations and the attached people (researchers, facilitators …).
        var people: Bool?
    }

    struct Checked { var title: String; var years: Int; var people: Bool }

    static func check(_ input: Input) throws -> Checked {
        var v = Validation()
        let title = v.required("title", input.title, maxLength: 200)
        let years = input.years ?? 1
        if !Season.years.contains(years) {
            v.add("years", "validation.range", [String(Season.years.lowerBound), String(Season.years.upperBound)])
        }
        try v.check()
        return Checked(title: title, years: years, people: input.people ?? true)
    }

    /// Copies a collaboration as the next season (a draft), inside the caller's transaction.
    static func copy(
        _ c: Collaboration, as title: String, years: Int, people: Bool, programmeID: UUID?, on tx: any Database
    ) async throws -> Collaboration {
        let next = Collaboration()
        next.slug = try await CollaborationAPI.uniqueSlug(title, on: tx)
        next.programmeID = programmeID
        next.previousID = try c.requireID()
        next.title = title
        next.description = c.description
        next.kind = c.kind
        next.status = CollaborationStatus.draft.rawValue
        next.organiserID = c.organiserID
        next.themes = c.themes
        next.targetGroups = c.targetGroups
        next.periodStart = c.periodStart.flatMap { Season.move(isoDate: $0, years: years) }
        next.periodEnd = c.periodEnd.flatMap { Season.move(isoDate: $0, years: years) }
        next.timeZone = c.timeZone
        next.opensAt = c.opensAt.map { Season.move($0, years: years, zone: c.timeZone) }
        next.deadline = c.deadline.map { Season.move($0, years: years, zone: c.timeZone) }
        next.capacity = c.capacity
        next.admission = c.admission
        next.seats = c.seats
        next.setPrice(c.price)
        next.currency = c.currency
        next.vatNote = c.vatNote
        next.hostBody = c.hostBody
        next.retentionMonths = c.retentionMonths
        next.funding = []
        next.reminderDays = c.reminderDays
        next.reminderText = c.reminderText
        next.registrationSequence = 0
        next.isExample = false
        try await next.create(on: tx)
        if people {
            let id = try next.requireID()
            for partner in try await CollaborationPartner.query(on: tx).filter(\.$collaborationID == c.requireID())
                .all()
            {
                let copy = CollaborationPartner()
                copy.collaborationID = id
                copy.organisationID = partner.organisationID
                try await copy.create(on: tx)
            }
            for role in try await CollaborationRole.query(on: tx).filter(\.$collaborationID == c.requireID()).all() {
                let copy = CollaborationRole()
                copy.collaborationID = id
                copy.personID = role.personID
                copy.role = role.role
                try await copy.create(on: tx)
            }
        }
        return next
    }

    /// The next season of one collaboration, by its organisers.
    static func collaboration(_ c: Collaboration, _ input: Input, request: Request) async throws -> Collaboration {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let checked = try check(input)
        return try await request.db.transaction { tx in
            let next = try await copy(
                c, as: checked.title, years: checked.years, people: checked.people, programmeID: c.programmeID, on: tx)
            try await Audit.record(
                "collaboration:next_season", subject: "collaboration", id: next.requireID().uuidString,
                summary: "\(c.title) → \(next.title), \(checked.years) year(s) on", by: request, on: tx)
            return next
        }
    }

    /// The next season of a programme with every one of its tracks, in one transaction.
    static func programme(_ p: Programme, _ input: Input, request: Request) async throws -> Programme {
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: p.organiserID))
        let checked = try check(input)
        return try await request.db.transaction { tx in
            let next = Programme()
            next.title = checked.title
            next.description = p.description
            next.organiserID = p.organiserID
            next.previousID = try p.requireID()
            next.isExample = false
            next.slug = try await Slug.unique(checked.title, fallback: "programme") {
                try await Programme.query(on: tx).filter(\.$slug == $0).count() > 0
            }
            try await next.create(on: tx)
            let tracks = try await Collaboration.query(on: tx).filter(\.$programmeID == p.requireID())
                .sort(\.$title).all()
            for track in tracks {
                _ = try await copy(
                    track, as: suggestedTitle(track.title, years: checked.years, periodStart: track.periodStart),
                    years: checked.years, people: checked.people, programmeID: next.requireID(), on: tx)
            }
            try await Audit.record(
                "programme:next_season", subject: "programme", id: next.requireID().uuidString,
                summary: "\(p.title) → \(next.title) with \(tracks.count) tracks, \(checked.years) year(s) on",
                by: request, on: tx)
            return next
        }
    }

    /// The title offered for the season `years` on.
    static func suggestedTitle(_ title: String, years: Int = 1, periodStart: String?) -> String {
        Season.nextTitle(title, years: years, startYear: periodStart.flatMap { Int($0.prefix(4)) })
    }

    /// The season before, for its invitation page: the municipalities that held a place in it are
    /// the ones the next season invites again.
    struct Previous { var title: String; var municipalities: [MunicipalityKey] }

    static func previous(of c: Collaboration, on db: any Database) async throws -> Previous? {
        guard let id = c.previousID, let before = try await Collaboration.find(id, on: db) else { return nil }
        return Previous(title: before.title, municipalities: try await participants(of: [id], on: db))
    }

    static func previous(of p: Programme, on db: any Database) async throws -> Previous? {
        guard let id = p.previousID, let before = try await Programme.find(id, on: db) else { return nil }
        let tracks = try await Collaboration.query(on: db).filter(\.$programmeID == id).all().compactMap(\.id)
        return Previous(title: before.title, municipalities: try await participants(of: tracks, on: db))
    }

    private static func participants(of collaborations: [UUID], on db: any Database) async throws -> [MunicipalityKey] {
        guard !collaborations.isEmpty else { return [] }
        let held = try await Registration.query(on: db).filter(\.$collaborationID ~~ collaborations)
            .filter(\.$status == RegistrationStatus.registered.rawValue).all()
        return Array(Set(held.map(\.municipality))).sorted()
    }

    /// A season in the line, as a page links it.
    struct Entry: Encodable { var href: String; var label: String; var current: Bool }

    private struct Row: Decodable {
        var id: UUID; var previous_id: UUID?; var slug: String; var title: String; var status: String?
        var period_start: String?
    }

    /// The seasons of a collaboration the asker may see, first to last; empty when it has none.
    static func line(of c: Collaboration, request: Request) async throws -> [Entry] {
        let rows = try await request.db.sql.raw(
            """
            SELECT id, previous_id, slug, title, status, period_start FROM collaborations
            WHERE organiser_id = \(bind: c.organiserID) ORDER BY created_at
            """
        ).all(decoding: Row.self).filter {
            CollaborationPolicy.mayView(
                request.actor, status: CollaborationStatus(rawValue: $0.status ?? "") ?? .draft,
                organiserID: c.organiserID)
        }
        return entries(rows, current: try c.requireID(), base: "/collaborations/")
    }

    /// The seasons of a programme the asker may see, first to last.
    static func line(of p: Programme, request: Request) async throws -> [Entry] {
        let rows = try await request.db.sql.raw(
            """
            SELECT id, previous_id, slug, title, NULL AS status, NULL AS period_start FROM programmes
            WHERE organiser_id = \(bind: p.organiserID) ORDER BY created_at
            """
        ).all(decoding: Row.self)
        let visible = try await Programmes.visible(request).compactMap(\.0.id)
        return entries(rows.filter { visible.contains($0.id) }, current: try p.requireID(), base: "/programmes/")
    }

    private static func entries(_ rows: [Row], current: UUID, base: String) -> [Entry] {
        var previous: [UUID: UUID] = [:]
        for row in rows { if let before = row.previous_id { previous[row.id] = before } }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        let line = Season.line(of: current, previous: previous, order: rows.map(\.id)).compactMap { byID[$0] }
        guard line.count > 1 else { return [] }
        // The year where the period gives one and every season has its own; else the titles.
        let years = line.map { $0.period_start.map { String($0.prefix(4)) } }
        let byYear = !years.contains(nil) && Set(years).count == years.count
        return line.map {
            Entry(
                href: base + $0.slug, label: byYear ? String($0.period_start!.prefix(4)) : $0.title,
                current: $0.id == current)
        }
    }
}
