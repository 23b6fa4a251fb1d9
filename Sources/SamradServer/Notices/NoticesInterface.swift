import Fluent
import Foundation
import SamradCore

/// What Notices offers other features: telling people of something as each has chosen.
enum PersonalNotices {
    /// The choices of `personIDs`, the standard for those who have not chosen.
    static func choices(of personIDs: [UUID], on db: any Database) async throws -> [UUID: NoticeChoices] {
        guard !personIDs.isEmpty else { return [:] }
        let stored = try await NoticeChoice.query(on: db).filter(\.$personID ~~ Set(personIDs)).all()
        var result = Dictionary(uniqueKeysWithValues: Set(personIDs).map { ($0, NoticeChoices.standard) })
        for row in stored { result[row.personID] = row.choices }
        return result
    }

    /// Tells each of `people` of one thing (`key`) under `topic`: by `mail` at once, as `line` kept for
    /// their Monday digest, or not, as each chose. Someone already told of `key` is not told again.
    static func tell(
        _ topic: NoticeTopic, key: String, people: [Person], now: Date = Date(), on db: any Database,
        line: (Person) -> (text: String, link: String), mail: (Person) async throws -> Void
    ) async throws {
        let ids = people.compactMap(\.id)
        guard !ids.isEmpty else { return }
        let choices = try await choices(of: ids, on: db)
        let told = Set(
            try await PersonalNotice.query(on: db).filter(\.$key == key).filter(\.$personID ~~ Set(ids)).all()
                .map(\.personID))
        for person in people {
            guard let id = person.id, !told.contains(id), person.email != nil else { continue }
            let delivery = choices[id]?[topic] ?? NoticeChoices.standard[topic]
            guard delivery != .never else { continue }
            let notice = PersonalNotice()
            notice.personID = id
            notice.key = key
            notice.topic = topic.rawValue
            (notice.line, notice.link) = line(person)
            if delivery == .immediately {
                try await mail(person)
                notice.sentAt = now
            } else {
                let zone = person.municipality.flatMap { TimeZone(identifier: $0.country.timeZoneIdentifier) }
                let copenhagen = TimeZone(identifier: "Europe/Copenhagen")!
                notice.digestDue = WeeklyDigest.due(after: now, zone: zone ?? copenhagen)
            }
            try await notice.create(on: db)
        }
    }
}
