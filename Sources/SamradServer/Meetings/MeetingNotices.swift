import Fluent
import Foundation
import SamradCore
import Vapor

/// The e-mails of meetings, through the outbox and with the calendar entry attached: the invitation
/// when a meeting is published, the confirmation of a registration, a change or cancellation to
/// those registered, a move up from the waiting list, and the reminder before the meeting. Each is
/// written in the language of the person's country.
enum MeetingNotices {
    enum Kind: String {
        case invitation, confirmation, waitlisted, change, cancellation, promoted, reminder

        /// Sent only to people whose registration is confirmed.
        var isForRegistered: Bool { self == .confirmation || self == .promoted || self == .reminder }
    }

    static func language(of person: Person, meeting: Meeting) -> Language {
        if let country = person.municipality?.country { return Language(writingTo: country) }
        return meeting.timeZone == "Europe/Stockholm" || meeting.timeZone == "Europe/Helsinki" ? .sv : .da
    }

    /// `registered`: the person's registration is confirmed, so the join link of an online or hybrid
    /// meeting goes with it (`MeetingPolicy.mayJoinOnline`); a cancellation carries none.
    static func mail(
        _ kind: Kind, _ m: Meeting, organiser: String, to person: Person, registered: Bool, context: MailContext,
        on db: any Database
    ) async throws {
        guard let email = person.email else { return }
        let language = language(of: person, meeting: m)
        let catalog = context.catalog
        let when = DateText.dateTime(m.startsAt, language, zone: m.timeZone)
        let place = MeetingCalendar.location(m, directory: context.directory, language: language, catalog: catalog)
        // The personal link lets the person act without an account; a cancellation needs none.
        let link =
            kind == .cancellation
            ? context.settings.publicBaseURL + m.href
            : try await personalLink(m, person: person, context: context, on: db)
        var body = catalog.text(
            "mail.meeting_\(kind.rawValue).body", language,
            [person.name, m.title, when, place.isEmpty ? "—" : place, link, organiser])
        let mayJoin = registered && kind != .cancellation
        if mayJoin, let join = MeetingCalendar.joinText(m, language: language, catalog: catalog) {
            body += "\n\n" + join
        }
        try await Outbox.enqueue(
            to: email, subject: catalog.text("mail.meeting_\(kind.rawValue).subject", language, [m.title, when]),
            body: body,
            attachment: MeetingCalendar.attachment(
                m, organiser: organiser, context: context, language: language, mayJoin: mayJoin),
            settings: context.settings, on: db)
    }

    /// A new personal link for `person` to the meeting, working until a week after it ends. Only the
    /// key's SHA-256 is stored; the key is in the path, which access logs leave out.
    static func personalLink(
        _ m: Meeting, person: Person, context: MailContext,
        on db: any Database
    ) async throws -> String {
        let secret = Secret.make()
        let link = MeetingLink()
        link.tokenHash = Secret.hash(secret)
        link.meetingID = try m.requireID()
        link.personID = try person.requireID()
        link.expiresAt = m.endsAt.addingTimeInterval(7 * 86_400)
        try await link.create(on: db)
        return "\(context.settings.publicBaseURL)/meeting-links/\(secret)"
    }

    static func organiserName(_ access: MeetingAccess, on db: any Database) async throws -> String {
        try await Organisation.find(access.collaboration.organiserID, on: db)?.name ?? "Samrad"
    }

    /// The invitation, to everyone the meeting is for, when it is published.
    static func invite(_ access: MeetingAccess, context: MailContext, on db: any Database) async throws -> Int {
        let organiser = try await organiserName(access, on: db)
        let people = try await AttendanceDesk.invitees(access, directory: context.directory, on: db).filter {
            $0.email != nil
        }
        for person in people {
            try await mail(
                .invitation, access.meeting, organiser: organiser, to: person, registered: false, context: context,
                on: db)
        }
        return people.count
    }

    /// A change of time or place, or the cancellation, to everyone registered or waiting.
    static func tellAttendees(
        _ kind: Kind, _ access: MeetingAccess, context: MailContext, on db: any Database
    ) async throws {
        let organiser = try await organiserName(access, on: db)
        let active = try await Attendance.query(on: db).filter(\.$meetingID == access.meeting.requireID())
            .filter(\.$status ~~ [AttendanceStatus.registered.rawValue, AttendanceStatus.waitlisted.rawValue]).all()
        let people = try await Person.query(on: db).filter(\.$id ~~ active.map(\.personID)).all()
        let registered = Set(active.filter { $0.statusValue == .registered }.map(\.personID))
        func send(_ person: Person) async throws {
            try await mail(
                kind, access.meeting, organiser: organiser, to: person,
                registered: person.id.map(registered.contains) ?? false, context: context, on: db)
        }
        // A cancellation always goes at once; a change as each person chose (`PersonalNotices`).
        guard kind == .change else {
            for person in people { try await send(person) }
            return
        }
        let m = access.meeting
        let changed = Int(Date().timeIntervalSince1970 * 1_000)
        try await PersonalNotices.tell(
            .meetingChanged, key: "meeting_changed:\(try m.requireID().uuidString.lowercased()):\(changed)",
            people: people, on: db,
            line: { person in
                let language = language(of: person, meeting: m)
                let place = MeetingCalendar.location(
                    m, directory: context.directory, language: language, catalog: context.catalog)
                return (
                    context.catalog.text(
                        "notices.meeting_changed_line", language,
                        [
                            m.title, DateText.dateTime(m.startsAt, language, zone: m.timeZone),
                            place.isEmpty ? "—" : place,
                        ]),
                    context.settings.publicBaseURL + m.href
                )
            },
            mail: send)
    }

    /// The first time a meeting's minutes are written, those registered for it are told, as each chose.
    static func tellMinutes(_ access: MeetingAccess, context: MailContext, on db: any Database) async throws {
        let m = access.meeting
        let registered = try await Attendance.query(on: db).filter(\.$meetingID == m.requireID())
            .filter(\.$status == AttendanceStatus.registered.rawValue).all()
        let people = try await Person.query(on: db).filter(\.$id ~~ registered.map(\.personID)).all()
        let link = context.settings.publicBaseURL + m.href
        try await PersonalNotices.tell(
            .minutes, key: "minutes:\(try m.requireID().uuidString.lowercased())", people: people, on: db,
            line: { person in
                let language = language(of: person, meeting: m)
                return (
                    context.catalog.text(
                        "notices.minutes_line", language,
                        [m.title, DateText.date(m.startsAt, language, zone: m.timeZone)]),
                    link
                )
            },
            mail: { person in
                let language = language(of: person, meeting: m)
                try await Outbox.enqueue(
                    to: person.email!, subject: context.catalog.text("mail.minutes.subject", language, [m.title]),
                    body: context.catalog.text(
                        "mail.minutes.body", language,
                        [
                            person.name, m.title, DateText.date(m.startsAt, language, zone: m.timeZone), link,
                            context.settings.publicBaseURL + "/profile/notices",
                        ]),
                    settings: context.settings, on: db)
            })
    }

    static func tell(
        _ kind: Kind, _ access: MeetingAccess, personIDs: [UUID], context: MailContext, on db: any Database
    ) async throws {
        guard !personIDs.isEmpty else { return }
        let organiser = try await organiserName(access, on: db)
        for person in try await Person.query(on: db).filter(\.$id ~~ personIDs).all() {
            try await mail(
                kind, access.meeting, organiser: organiser, to: person, registered: kind.isForRegistered,
                context: context, on: db)
        }
    }

    /// Reminders of published meetings whose reminder time has come, to those registered. Run by
    /// the background worker; each meeting's reminder goes once (again after a change of time).
    @discardableResult
    static func sendDue(application: Application, now: Date = Date()) async throws -> Int {
        let db = application.db
        let context = MailContext(application)
        // Reminders are at most 30 days ahead, so only meetings starting within that are looked at.
        let soon = try await Meeting.query(on: db).filter(\.$status == MeetingStatus.published.rawValue)
            .filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(30 * 86_400))
            .filter(\.$reminderSentAt == nil).filter(\.$reminderHours != nil).all()
        var sent = 0
        for meeting in soon {
            guard let hours = meeting.reminderHours, meeting.startsAt.addingTimeInterval(-Double(hours) * 3600) <= now
            else { continue }
            let organiser =
                try await Organisation.query(on: db).join(
                    Collaboration.self, on: \Organisation.$id == \Collaboration.$organiserID
                )
                .filter(Collaboration.self, \.$id == meeting.collaborationID).first()?.name ?? "Samrad"
            try await db.transaction { tx in
                let registered = try await Attendance.query(on: tx).filter(\.$meetingID == meeting.requireID())
                    .filter(\.$status == AttendanceStatus.registered.rawValue).all()
                for person in try await Person.query(on: tx).filter(\.$id ~~ registered.map(\.personID)).all() {
                    try await mail(
                        .reminder, meeting, organiser: organiser, to: person, registered: true, context: context,
                        on: tx)
                }
                meeting.reminderSentAt = now
                try await meeting.save(on: tx)
            }
            sent += 1
        }
        return sent
    }
}
