import Fluent
import Foundation
import SamradCore
import Vapor

/// Sends invitations and reminders through the outbox, addressed to the positions the organiser
/// chose, in the language of the municipality's country.
enum Invitations {
    /// What a sending did: every municipality invited, the e-mails on their way, how many were
    /// reached only through their official mailbox, and the names of those nobody could be told.
    struct Sent: Content {
        var municipalities: Int
        var recipients: Int
        var reached: Int
        var throughMailbox: Int
        var withoutRecipient: [String]
        var notReached: Int { withoutRecipient.count }
    }

    /// Who an invitation or reminder to each municipality reaches (`InvitationReach`): the people in
    /// `positions` with an address, the coordinators (accounts with the coordinator role, whatever
    /// their person record says) and, when neither is known, the official mailbox.
    static func recipients(
        of keys: [MunicipalityKey], positions: [String],
        on db: any Database
    ) async throws -> [MunicipalityKey: [InvitationReach.Recipient]] {
        let wanted = Set(keys)
        let countries = Set(keys.map(\.country.rawValue))
        let holders = try await Person.query(on: db).filter(\.$position ~~ positions).filter(\.$email != nil)
            .filter(\.$municipalityCountry ~~ countries).all()
        let roles = try await RoleAssignment.query(on: db).filter(\.$kind == RoleKind.coordinator.rawValue)
            .filter(\.$municipalityCountry ~~ countries).all()
            .filter { $0.grant?.municipality.map(wanted.contains) ?? false }
        let users = try await User.query(on: db).filter(\.$id ~~ Set(roles.map(\.userID))).filter(\.$disabled == false)
            .all()
        let usersByID = Dictionary(users.compactMap { u in u.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        let mailboxes = try await OfficialMailboxes.of(keys, on: db)
        var byMunicipality: [MunicipalityKey: [InvitationReach.Recipient]] = [:]
        var coordinators: [MunicipalityKey: [InvitationReach.Recipient]] = [:]
        for role in roles {
            guard let key = role.grant?.municipality, let user = usersByID[role.userID] else { continue }
            coordinators[key, default: []].append(
                .init(
                    channel: .coordinator, name: user.name, email: user.email,
                    personID: user.personID, userID: user.id))
        }
        let holdersByMunicipality = Dictionary(
            grouping: holders.filter { $0.municipality.map(wanted.contains) ?? false }
        ) {
            $0.municipality!
        }
        for key in keys {
            let people = (holdersByMunicipality[key] ?? []).sorted { $0.name < $1.name }.map {
                InvitationReach.Recipient(channel: .position, name: $0.name, email: $0.email ?? "", personID: $0.id)
            }
            byMunicipality[key] = InvitationReach.recipients(
                positionHolders: people,
                coordinators: (coordinators[key] ?? []).sorted { $0.name < $1.name },
                mailbox: mailboxes[key])
        }
        return byMunicipality
    }

    /// Invites to several tracks at once (a programme): each track records its invitation, and each
    /// recipient gets one e-mail naming every track, each with its own personal link and deadline.
    static func send(
        _ tracks: [Collaboration], programme: String?, _ choice: CollaborationAPI.InvitationChoice, request: Request
    ) async throws -> Sent {
        let (municipalities, positions) = (choice.municipalities, choice.positions)
        let ids = try tracks.map { try $0.requireID() }
        let positionValues = positions.map(\.rawValue)
        let context = MailContext(request)
        return try await request.db.transaction { db in
            var sent = Sent(
                municipalities: municipalities.count, recipients: 0, reached: 0, throughMailbox: 0,
                withoutRecipient: [])
            let reach = try await recipients(of: municipalities.map(\.key), positions: positionValues, on: db)
            let existing = try await Invitation.query(on: db).filter(\.$collaborationID ~~ ids).all()
            var known: [UUID: [MunicipalityKey: Invitation]] = [:]
            for invitation in existing {
                known[invitation.collaborationID, default: [:]][invitation.municipality] = invitation
            }
            let now = Date()
            for m in municipalities {
                let recipients = reach[m.key] ?? []
                for id in ids {
                    let invitation = known[id]?[m.key] ?? Invitation()
                    invitation.collaborationID = id
                    invitation.municipalityCountry = m.country.rawValue
                    invitation.municipalityCode = m.code
                    invitation.positions = positionValues
                    invitation.documentNumber = choice.documentNumber
                    invitation.remindersSent = invitation.id == nil ? [] : invitation.remindersSent
                    invitation.recipients = recipients.count
                    invitation.reached = recipients.map {
                        Invitation.Delivery(
                            channel: $0.channel, personID: $0.personID, userID: $0.userID,
                            mailbox: $0.channel == .mailbox ? $0.email : nil)
                    }
                    // Never told: the board shows it as nobody to reach, not as invited.
                    invitation.sentAt = recipients.isEmpty ? nil : now
                    try await invitation.save(on: db)
                }
                if recipients.isEmpty {
                    sent.withoutRecipient.append(m.name)
                } else {
                    sent.reached += 1
                    if recipients.allSatisfy({ $0.channel == .mailbox }) { sent.throughMailbox += 1 }
                }
                for recipient in recipients {
                    if let programme, tracks.count > 1 {
                        try await mail(
                            programme: programme, tracks, to: recipient, municipality: m, context: context, on: db)
                    } else if let track = tracks.first {
                        try await mail(
                            track, to: recipient, municipality: m, kind: "invitation", context: context, on: db)
                    }
                }
                sent.recipients += recipients.count
            }
            return sent
        }
    }

    /// One e-mail for a programme's tracks: each with its deadline and its own personal link.
    static func mail(
        programme: String, _ tracks: [Collaboration], to recipient: InvitationReach.Recipient,
        municipality: Municipality, context: MailContext, on db: any Database
    ) async throws {
        let language = Language(writingTo: municipality.country)
        let catalog = context.catalog
        var lines: [String] = []
        for track in tracks {
            let deadline = track.deadline.map { DateText.dateTime($0, language, zone: track.timeZone) } ?? "—"
            let link = try await personalLink(
                track, municipality.key, for: recipient.personID, context: context, on: db)
            lines.append(catalog.text("mail.invitation.programme_track", language, [track.title, deadline, link]))
        }
        let greeting = recipient.channel == .mailbox ? municipality.name : recipient.name
        let body =
            catalog.text(
                "mail.invitation.programme_body", language,
                [greeting, programme, municipality.name, lines.joined(separator: "\n\n")])
            + "\n\n"
            + catalog.text("mail.invitation.reason.\(recipient.channel.rawValue)", language, [municipality.name])
            + "\n\nSamrad"
        try await Outbox.enqueue(
            to: recipient.email,
            subject: catalog.text("mail.invitation.collaboration_subject", language, [programme]),
            body: body, settings: context.settings, on: db)
    }

    static func link(_ collaboration: Collaboration, _ m: MunicipalityKey, baseURL: String) -> String {
        "\(baseURL)/collaborations/\(collaboration.slug)/registrations/\(m.country.rawValue)/\(m.code)"
    }

    /// How long a personal link works: until 30 days after the deadline, so the invited can still
    /// see their answer; at least 30 days from now.
    static func linkExpiry(_ collaboration: Collaboration, now: Date = Date()) -> Date {
        max(collaboration.deadline ?? now, now).addingTimeInterval(30 * 86_400)
    }

    /// The registration page's address with a new personal key for `person`, who may then answer for
    /// the municipality without an account. Only the key's SHA-256 is stored.
    static func personalLink(
        _ collaboration: Collaboration, _ m: MunicipalityKey, for personID: UUID?, context: MailContext,
        on db: any Database
    ) async throws -> String {
        let secret = Secret.make()
        let record = InvitationLink()
        record.tokenHash = Secret.hash(secret)
        record.collaborationID = try collaboration.requireID()
        record.municipalityCountry = m.country.rawValue
        record.municipalityCode = m.code
        record.personID = personID
        record.expiresAt = linkExpiry(collaboration)
        try await record.create(on: db)
        // The key in the path, not the query: access logs keep queries, and Samrad's leaves this out.
        return "\(context.settings.publicBaseURL)/registration-links/\(secret)"
    }

    /// The personal link of a key, wherever it leads, if the key is valid; marks it as used.
    static func validLink(key: String, now: Date = Date(), on db: any Database) async throws -> InvitationLink? {
        guard let record = try await InvitationLink.query(on: db).filter(\.$tokenHash == Secret.hash(key)).first(),
            record.expiresAt > now
        else { return nil }
        record.lastUsedAt = now
        try await record.save(on: db)
        return record
    }

    /// The personal link of a key for this collaboration and municipality, if the key is valid;
    /// marks it as used.
    static func validLink(
        key: String, _ collaboration: Collaboration, _ m: MunicipalityKey, now: Date = Date(), on db: any Database
    ) async throws -> InvitationLink? {
        guard let record = try await InvitationLink.query(on: db).filter(\.$tokenHash == Secret.hash(key)).first(),
            record.collaborationID == collaboration.id, record.municipality == m, record.expiresAt > now
        else { return nil }
        record.lastUsedAt = now
        try await record.save(on: db)
        return record
    }

    /// An invitation or reminder to one recipient, in the language of the municipality's country,
    /// saying why it reaches them (their position, their coordinator role, the official mailbox).
    static func mail(
        _ collaboration: Collaboration, to recipient: InvitationReach.Recipient, municipality: Municipality,
        kind: String, context: MailContext, on db: any Database
    ) async throws {
        let language = Language(writingTo: municipality.country)
        let catalog = context.catalog
        let deadline =
            collaboration.deadline.map { DateText.dateTime($0, language, zone: collaboration.timeZone) } ?? "—"
        let link = try await personalLink(
            collaboration, municipality.key, for: recipient.personID, context: context, on: db)
        let greeting = recipient.channel == .mailbox ? municipality.name : recipient.name
        var body = catalog.text(
            "mail.\(kind).collaboration_body", language,
            [greeting, collaboration.title, municipality.name, deadline, link])
        body +=
            "\n\n" + catalog.text("mail.invitation.reason.\(recipient.channel.rawValue)", language, [municipality.name])
        if kind == "reminder", let text = collaboration.reminderText, !text.isEmpty { body = text + "\n\n" + body }
        try await Outbox.enqueue(
            to: recipient.email,
            subject: catalog.text("mail.\(kind).collaboration_subject", language, [collaboration.title]),
            body: body, settings: context.settings, on: db)
    }

    /// What the people in a municipality's seats are told of their place.
    enum SeatNews: String {
        /// Moved up from the waiting list.
        case promoted
        /// Chosen by the organiser among the applications.
        case chosen = "place_chosen"
        /// Not chosen this time: on the waiting list, in order of application.
        case waiting = "place_waiting"
    }

    /// Tells the people in a municipality's seats about its place, each with their personal link.
    static func notifySeats(
        _ news: SeatNews, _ collaboration: Collaboration, _ key: MunicipalityKey, context: MailContext,
        on db: any Database
    ) async throws {
        guard let municipality = context.directory[key], let id = collaboration.id,
            let registration = try await RegistrationDesk.existing(id, key, on: db)
        else { return }
        let seatPeople = try await RegistrationSeat.query(on: db).filter(\.$registrationID == registration.requireID())
            .all().map(\.personID)
        let people = try await Person.query(on: db).filter(\.$id ~~ seatPeople).all()
        let language = Language(writingTo: key.country)
        for person in people {
            guard let email = person.email else { continue }
            try await Outbox.enqueue(
                to: email,
                subject: context.catalog.text("mail.\(news.rawValue).subject", language, [collaboration.title]),
                body: context.catalog.text(
                    "mail.\(news.rawValue).body", language,
                    [
                        person.name, collaboration.title, municipality.name,
                        try await personalLink(collaboration, key, for: person.id, context: context, on: db),
                    ]),
                settings: context.settings, on: db)
        }
    }
}
