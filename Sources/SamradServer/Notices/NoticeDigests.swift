import Fluent
import Foundation
import SamradCore
import Vapor

/// The Monday digest: every notice kept for it, one e-mail per person, in the language the person
/// reads (the account's, else that of the municipality's country, else Danish).
enum NoticeDigests {
    static func language(of people: [Person], on db: any Database) async throws -> [UUID: Language] {
        let ids = people.compactMap(\.id)
        let accounts = try await User.query(on: db).filter(\.$personID ~~ Set(ids)).all()
        var chosen: [UUID: Language] = [:]
        for user in accounts {
            if let id = user.personID, let language = user.language.flatMap(Language.init(rawValue:)) {
                chosen[id] = language
            }
        }
        return Dictionary(
            uniqueKeysWithValues: people.compactMap { person in
                person.id.map { id in
                    (id, chosen[id] ?? person.municipality.map { Language(writingTo: $0.country) } ?? .da)
                }
            })
    }

    /// Sends the digests due by `now`; returns how many people got one.
    @discardableResult
    static func sendDue(application: Application, now: Date = Date()) async throws -> Int {
        let db = application.db
        let waiting = try await PersonalNotice.query(on: db).filter(\.$sentAt == nil)
            .filter(\.$digestDue <= now).sort(\.$createdAt).limit(5_000).all()
        guard !waiting.isEmpty else { return 0 }
        let found = try await Person.query(on: db).filter(\.$id ~~ Set(waiting.map(\.personID))).all()
        let languages = try await language(of: found, on: db)
        let context = MailContext(application)
        let byPerson = Dictionary(grouping: waiting, by: \.personID)
        var sent = 0
        let people = Dictionary(uniqueKeysWithValues: found.compactMap { p in p.id.map { ($0, p) } })
        for (id, notices) in byPerson {
            let person = people[id]
            let language = languages[id] ?? .da
            let lines = notices.map { "• \($0.line)\n  \($0.link)" }.joined(separator: "\n\n")
            let told = try await db.transaction { tx -> Bool in
                // Someone without an address now is not told later either: the notices are done.
                if let person, let email = person.email {
                    try await Outbox.enqueue(
                        to: email,
                        subject: context.catalog.count("mail.notice_digest.subject", notices.count, language),
                        body: context.catalog.text(
                            "mail.notice_digest.body", language,
                            [person.name, lines, context.settings.publicBaseURL + "/profile/notices"]),
                        settings: context.settings, on: tx)
                }
                for notice in notices {
                    notice.sentAt = now
                    try await notice.save(on: tx)
                }
                return person?.email != nil
            }
            if told { sent += 1 }
        }
        return sent
    }
}
