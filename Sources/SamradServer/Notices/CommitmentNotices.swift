import Fluent
import Foundation
import SamradCore
import Vapor

/// A week before a commitment's day, the people who hold the seats of the municipality that
/// undertook it are told (the seats of every municipality of its cluster, or of the collaboration,
/// when the cluster or the collaboration undertook it together), each as they chose.
enum CommitmentNotices {
    /// Tells of the open commitments due from today to a week ahead that nobody was told of; returns
    /// how many commitments were brought up.
    @discardableResult
    static func sendDue(application: Application, now: Date = Date()) async throws -> Int {
        let db = application.db
        let today = DateText.isoDay(now, zone: "Europe/Copenhagen")
        let until = DateText.isoDay(
            now.addingTimeInterval(Double(WeeklyDigest.commitmentDays) * 86_400), zone: "Europe/Copenhagen")
        let due = try await Commitment.query(on: db).filter(\.$status == Commitment.Status.open.rawValue)
            .filter(\.$dueDate >= today).filter(\.$dueDate <= until).all()
        guard !due.isEmpty else { return 0 }
        let keys = due.compactMap { $0.id.map(key) }
        let told = Set(try await PersonalNotice.query(on: db).filter(\.$key ~~ Set(keys)).all().map(\.key))
        let context = MailContext(application)
        var brought = 0
        for commitment in due where !told.contains(key(commitment.id!)) {
            guard let meeting = try await Meeting.find(commitment.meetingID, on: db) else { continue }
            let people = try await seatHolders(of: commitment, on: db)
            let languages = try await NoticeDigests.language(of: people, on: db)
            let link = context.settings.publicBaseURL + meeting.href
            let whose = commitment.municipality.flatMap { context.directory[$0]?.name }
            try await db.transaction { tx in
                try await PersonalNotices.tell(
                    .commitmentDue, key: key(commitment.id!), people: people, now: now, on: tx,
                    line: { person in
                        let language = languages[person.id!] ?? .da
                        let day = DateText.day(commitment.dueDate ?? today, language) ?? today
                        return (
                            context.catalog.text(
                                "notices.commitment_line", language, [commitment.text, whose ?? meeting.title, day]),
                            link
                        )
                    },
                    mail: { person in
                        let language = languages[person.id!] ?? .da
                        let day = DateText.day(commitment.dueDate ?? today, language) ?? today
                        try await Outbox.enqueue(
                            to: person.email!,
                            subject: context.catalog.text("mail.commitment_due.subject", language, [day]),
                            body: context.catalog.text(
                                "mail.commitment_due.body", language,
                                [
                                    person.name, commitment.text, whose ?? meeting.title, day, commitment.owner,
                                    meeting.title, link, context.settings.publicBaseURL + "/profile/notices",
                                ]),
                            settings: context.settings, on: tx)
                    })
            }
            brought += 1
        }
        return brought
    }

    static func key(_ id: UUID) -> String { "commitment_due:\(id.uuidString.lowercased())" }

    /// The people in the seats of the municipalities bound by the commitment.
    static func seatHolders(of c: Commitment, on db: any Database) async throws -> [Person] {
        var municipalities: [MunicipalityKey]
        if let key = c.municipality {
            municipalities = [key]
        } else if let cluster = c.clusterID {
            municipalities = try await ClusterMember.query(on: db).filter(\.$clusterID == cluster).all()
                .compactMap { m in
                    Country(rawValue: m.municipalityCountry).map { MunicipalityKey($0, m.municipalityCode) }
                }
        } else {
            municipalities = try await Registration.registeredMunicipalities(c.collaborationID, on: db)
        }
        let registrations = try await Registration.query(on: db).filter(\.$collaborationID == c.collaborationID)
            .filter(\.$status == RegistrationStatus.registered.rawValue).all()
            .filter { r in
                municipalities.contains {
                    $0.country.rawValue == r.municipalityCountry && $0.code == r.municipalityCode
                }
            }
        let seats = try await RegistrationSeat.query(on: db)
            .filter(\.$registrationID ~~ Set(registrations.compactMap(\.id))).all()
        return try await Person.query(on: db).filter(\.$id ~~ Set(seats.map(\.personID))).all()
    }
}
