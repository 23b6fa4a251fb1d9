import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The organiser's overview: every invited or answering municipality with its status and people,
/// read through SQLKit in three queries whatever the number of municipalities.
struct StatusBoard {
    struct Row: Sendable {
        var municipality: Municipality
        var status: RegistrationStatus
        var sequence: Int?
        var invitedAt: Date?
        /// The invitation letter's document number (journal reference).
        var invitationDocument: String?
        var recipients: Int?
        /// Whether the invitation reached anyone; nil for a municipality that answered uninvited.
        var reach: InvitationReach.State?
        /// Who it reached: "Hanne Holm (coordinator)".
        var reached: [(channel: InvitationReach.Channel, name: String)] = []
        var answeredAt: Date?
        var acceptedPriceMinor: Int?
        var seats: [(position: String, name: String, email: String?, phone: String?)]
        /// Place on the waiting list, from 1.
        var waitlistPlace: Int?
    }

    var collaboration: Collaboration
    var rows: [Row]
    var summary: RegistrationSummary

    private struct RegistrationRow: Decodable {
        var id: UUID; var municipality_country: String; var municipality_code: String; var status: String;
        var sequence: Int
        var updated_at: Date?; var accepted_price_minor: Int?
    }
    private struct InvitationRow: Decodable {
        var municipality_country: String; var municipality_code: String; var sent_at: Date?; var recipients: Int
        var reached: [Invitation.Delivery]?; var document_number: String?
        var municipality: MunicipalityKey? {
            Country(rawValue: municipality_country).map { MunicipalityKey($0, municipality_code) }
        }
    }
    private struct NameRow: Decodable { var id: UUID; var name: String }
    private struct SeatRow: Decodable {
        var registration_id: UUID; var position: String; var name: String; var email: String?; var phone: String?
    }

    static func load(_ collaboration: Collaboration, request: Request) async throws -> StatusBoard {
        let id = try collaboration.requireID()
        let sql = request.db.sql
        // Plain rows, not models, columns read one by one: 290 invitations decoded through Fluent
        // cost more than the page, through Decodable still a fifth of it.
        let invitations = try await sql.raw(
            """
            SELECT municipality_country, municipality_code, sent_at, recipients, reached, document_number
            FROM \(ident: Invitation.schema) WHERE collaboration_id = \(bind: id)
            """
        ).all().map { row in
            InvitationRow(
                municipality_country: try row.decode(column: "municipality_country", as: String.self),
                municipality_code: try row.decode(column: "municipality_code", as: String.self),
                sent_at: try row.decode(column: "sent_at", as: Date?.self),
                recipients: try row.decode(column: "recipients", as: Int.self),
                reached: try row.decode(column: "reached", as: [Invitation.Delivery]?.self),
                document_number: try row.decode(column: "document_number", as: String?.self))
        }
        let names = try await Self.names(of: invitations.flatMap { $0.reached ?? [] }, on: request.db)
        let registrations = try await sql.raw(
            """
            SELECT id, municipality_country, municipality_code, status, sequence, updated_at, accepted_price_minor
            FROM registrations WHERE collaboration_id = \(bind: id)
            """
        ).all(decoding: RegistrationRow.self)
        let seats = try await sql.raw(
            """
            SELECT s.registration_id, s.position, p.name, p.email, p.phone FROM registration_seats s
            JOIN people p ON s.person_id = p.id JOIN registrations r ON s.registration_id = r.id
            WHERE r.collaboration_id = \(bind: id)
            """
        ).all(decoding: SeatRow.self)
        let seatsByRegistration = Dictionary(grouping: seats, by: \.registration_id)
        let directory = request.municipalities
        var rows: [MunicipalityKey: Row] = [:]
        for invitation in invitations {
            guard let m = invitation.municipality.flatMap({ directory[$0] }) else { continue }
            let reached = (invitation.reached ?? []).map { delivery in
                (
                    delivery.channel,
                    delivery.mailbox ?? delivery.personID.flatMap { names.people[$0] }
                        ?? delivery.userID.flatMap { names.users[$0] } ?? "—"
                )
            }
            rows[m.key] = Row(
                municipality: m, status: .notAnswered, invitedAt: invitation.sent_at,
                invitationDocument: invitation.document_number, recipients: invitation.recipients,
                reach: invitation.recipients > 0 ? .reached : .nobody, reached: reached, seats: [])
        }
        let waitlist = registrations.filter { $0.status == RegistrationStatus.waitlisted.rawValue }.sorted {
            $0.sequence < $1.sequence
        }.map(\.id)
        for registration in registrations {
            guard let country = Country(rawValue: registration.municipality_country),
                let m = directory[MunicipalityKey(country, registration.municipality_code)]
            else { continue }
            var row = rows[m.key] ?? Row(municipality: m, status: .notAnswered, seats: [])
            row.status = RegistrationStatus(rawValue: registration.status) ?? .withdrawn
            row.sequence = registration.sequence
            row.answeredAt = registration.updated_at
            row.acceptedPriceMinor = registration.accepted_price_minor
            row.seats = (seatsByRegistration[registration.id] ?? []).map { ($0.position, $0.name, $0.email, $0.phone) }
            row.waitlistPlace = waitlist.firstIndex(of: registration.id).map { $0 + 1 }
            rows[m.key] = row
        }
        // Each row's place is looked up once; the sort then compares integers.
        let sorted = rows.values.map { (directory.order(of: $0.municipality.key), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        return StatusBoard(
            collaboration: collaboration, rows: sorted,
            summary: RegistrationSummary(invited: invitations.count, statuses: sorted.map(\.status)))
    }

    /// The names of the people and accounts an invitation reached, in two queries.
    static func names(
        of deliveries: [Invitation.Delivery],
        on db: any Database
    ) async throws -> (people: [UUID: String], users: [UUID: String]) {
        let personIDs = Set(deliveries.compactMap(\.personID)), userIDs = Set(deliveries.compactMap(\.userID))
        func names(_ table: String, _ ids: Set<UUID>) async throws -> [UUID: String] {
            guard !ids.isEmpty else { return [:] }
            let rows = try await db.sql.raw(
                "SELECT id, name FROM \(ident: table) WHERE id IN (\(binds: Array(ids)))"
            ).all(decoding: NameRow.self)
            return Dictionary(rows.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        }
        return (try await names(Person.schema, personIDs), try await names(User.schema, userIDs))
    }

    /// Municipalities invited but reached by nobody.
    var notReached: Int { rows.count { $0.reach == .nobody } }

    func filtered(region: String?, status: RegistrationStatus?, reach: InvitationReach.State? = nil) -> [Row] {
        rows.filter {
            (region == nil || $0.municipality.regionCode == region) && (status == nil || $0.status == status)
                && (reach == nil || $0.reach == reach)
        }
    }

    /// "41 of 98 municipalities registered, 3 waitlisted, 5 declined, 49 not answered"; the whole
    /// counts every municipality on the board: invited, or answering without an invitation.
    /// Applications that wait for the organiser's choice are said apart.
    func summaryText(_ request: Request) -> String {
        let text = request.t(
            "board.summary",
            [
                String(summary.count(.registered)), String(rows.count), String(summary.count(.waitlisted)),
                String(summary.count(.declined)), String(summary.count(.notAnswered)),
                String(summary.count(.withdrawn)),
            ])
        let applied = summary.count(.applied)
        return applied == 0 ? text : text + " " + request.t("board.summary_applied", count: applied)
    }

    struct JSON: Content {
        struct Seat: Content { var position: String; var name: String }
        struct Item: Content {
            var municipality: String
            var name: String
            var region: String
            var status: String
            var waitlistPlace: Int?
            var invitedAt: Date?
            /// `reached`, or `nobody` when the invitation found no one to tell; absent when not invited.
            var reach: String?
            var reached: [Reached]
            var answeredAt: Date?
            var seats: [Seat]
        }
        struct Reached: Content { var channel: String; var name: String }
        struct Counts: Content {
            var invited: Int; var notReached: Int; var registered: Int; var waitlisted: Int; var declined: Int;
            var withdrawn: Int; var notAnswered: Int
            /// Applied for a place the organiser has not yet given (collaborations that choose).
            var applied: Int
        }
        var collaboration: String
        var capacity: Int?
        var counts: Counts
        var summary: String
        var items: [Item]
    }

    func json(request: Request) -> JSON {
        JSON(
            collaboration: collaboration.slug, capacity: collaboration.capacity,
            counts: .init(
                invited: summary.invited, notReached: notReached, registered: summary.count(.registered),
                waitlisted: summary.count(.waitlisted),
                declined: summary.count(.declined), withdrawn: summary.count(.withdrawn),
                notAnswered: summary.count(.notAnswered), applied: summary.count(.applied)),
            summary: summaryText(request),
            items: rows.map { row in
                JSON.Item(
                    municipality: row.municipality.key.description, name: row.municipality.name,
                    region: row.municipality.regionName,
                    status: row.status.rawValue, waitlistPlace: row.waitlistPlace, invitedAt: row.invitedAt,
                    reach: row.reach?.rawValue,
                    reached: row.reached.map { .init(channel: $0.channel.rawValue, name: $0.name) },
                    answeredAt: row.answeredAt,
                    seats: row.seats.map { JSON.Seat(position: $0.position, name: $0.name) })
            })
    }
}
