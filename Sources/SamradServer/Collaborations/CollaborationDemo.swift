import Fluent
import Foundation
import SamradCore

/// The example collaborations of the five cases: a programme with its political and professional
/// tracks, a funded collaboration with partners, a cluster programme, a Swedish network, and one
/// open collaboration with a deadline ahead so the registration can be tried.
enum CollaborationDemo {
    /// Cases 1, 2, 3 and 5 as collaborations with their real dates, and one open collaboration with a
    /// deadline ahead so the registration can be tried.
    static func load(into examples: DemoExamples, on db: any Database) async throws {
        let kl = examples.organisations["kl"]!, skr = examples.organisations["skr"]!
        let foundation = examples.organisations["foundation"]!, university = examples.organisations["university"]!
        let foundationName = examples.organisationNames["foundation"] ?? ""
        let people = examples.people
        func at(_ local: String, _ zone: String = "Europe/Copenhagen") -> Date { DemoExamples.at(local, zone) }
        let programme = Programme()
        programme.slug = "kommunesamarbejde-om-folkeskolen-2014-eksempel"
        programme.title = "Kommunesamarbejde om folkeskolen 2014 (eksempel)"
        programme.description = "En politisk del og faglige samarbejder, som kommunerne tilmelder sig hver for sig."
        programme.organiserID = kl
        programme.isExample = true
        try await programme.create(on: db)

        func make(
            _ slug: String, _ title: String, _ kind: CollaborationKind, _ status: CollaborationStatus, organiser: UUID,
            description: String, deadline: Date?, capacity: Int? = nil, seats: [SeatRequirement],
            price: PriceModel = .free,
            period: (String, String)? = nil, zone: String = "Europe/Copenhagen", funding: [Funding] = [],
            programme: Programme? = nil,
            targets: [Position] = []
        ) async throws -> Collaboration {
            let c = Collaboration()
            c.slug = slug
            c.title = title
            c.description = description
            c.kind = kind.rawValue
            c.status = status.rawValue
            c.organiserID = organiser
            c.programmeID = programme?.id
            c.themes = ["folkeskolen"]
            c.targetGroups = targets.map(\.rawValue)
            c.periodStart = period?.0
            c.periodEnd = period?.1
            c.timeZone = zone
            c.deadline = deadline
            c.capacity = capacity
            c.seats = seats
            c.currency = zone == "Europe/Stockholm" ? "SEK" : "DKK"
            c.setPrice(price)
            c.funding = funding
            c.reminderDays = [14, 3]
            c.registrationSequence = 0
            c.isExample = true
            try await c.create(on: db)
            return c
        }
        let politicalSeats = [
            SeatRequirement(position: .committeeChair, count: 1), SeatRequirement(position: .committeeMember, count: 1),
            SeatRequirement(position: .administration, count: 1),
        ]
        let political = try await make(
            "politisk-del-2014-eksempel", "Politisk del – folkeskolen 2014 (eksempel)", .politicalForum, .running,
            organiser: kl,
            description:
                "Gratis for alle kommuner. To møder om året på tre timer; det første 27. maj 2014 kl. 13-16 på et "
                    + "konferencehotel, det andet i slutningen af november.\n\nHver kommune tilmelder "
                        + "**udvalgsformanden**, et **udvalgsmedlem** og en repræsentant for **forvaltningen**.",
            deadline: at("2014-05-09T12:00"), seats: politicalSeats, period: ("2014-05-01", "2015-12-31"),
            programme: programme,
            targets: [.committeeChair, .committeeMember, .administration])
        let meeting = Money(minorUnits: 1_250_000, currency: .dkk)
        for (slug, title) in [
            ("okonomi-og-ressourcestyring-2014-eksempel", "Økonomi og ressourcestyring (eksempel)"),
            (
                "malstyring-progression-og-resultatopfolgning-2014-eksempel",
                "Målstyring, progression og resultatopfølgning (eksempel)"
            ),
            ("kommunikation-2014-eksempel", "Kommunikation (eksempel)"),
        ] {
            _ = try await make(
                slug, title, .professionalCollaboration, .running, organiser: kl,
                description:
                    "Fagligt spor i kommunesamarbejdet om folkeskolen. Prisen følger antallet af møder (beløbet er "
                        + "et eksempel).",
                deadline: at("2014-05-09T12:00"),
                seats: [
                    SeatRequirement(position: .schoolChief, count: 1),
                    SeatRequirement(position: .administration, count: 1, required: false),
                ],
                price: .perMeeting(meeting, meetings: 4), period: ("2014-06-01", "2015-12-31"), programme: programme,
                targets: [.schoolChief, .administration])
        }
        let funded = try await make(
            "fondsfinansieret-samarbejde-eksempel", "Fondsfinansieret fagligt samarbejde for 12 kommuner (eksempel)",
            .professionalCollaboration, .running,
            organiser: kl,
            description:
                "En fond bevilger 2 mio. kr.; 12 kommuner kan deltage. Forskere og en følgegruppe af kommunale "
                    + "praktikere er knyttet til. Samarbejdet slutter med fem regionale konferencer for alle "
                        + "skoleledere og skolechefer.",
            deadline: at("2015-03-01T12:00"), capacity: 12,
            seats: [
                SeatRequirement(position: .schoolChief, count: 1),
                SeatRequirement(position: .schoolLeader, count: 2, required: false),
            ],
            funding: [
                Funding(
                    funder: foundationName, amount: Money(minorUnits: 200_000_000, currency: .dkk),
                    purpose: "Fagligt samarbejde og fem regionale konferencer")
            ],
            targets: [.schoolChief, .schoolLeader])
        // Case 2: the foundation and the research centre are partners; a researcher and a following
        // group of municipal practitioners are attached.
        for partner in [foundation, university] {
            let row = CollaborationPartner()
            row.collaborationID = try funded.requireID()
            row.organisationID = partner
            try await row.create(on: db)
        }
        for (name, role) in [
            ("Ole Example Kristensen", CollaborationRole.Role.researcher), ("Hanne Example Poulsen", .followingGroup),
            ("Jens Example Madsen", .followingGroup), ("Anne Example Jensen", .contact),
        ] {
            guard let person = people[name] else { continue }
            let row = CollaborationRole()
            row.collaborationID = try funded.requireID()
            row.personID = person
            row.role = role.rawValue
            try await row.create(on: db)
        }
        _ = try await make(
            "klynger-om-laering-og-trivsel-eksempel", "Klynger om børns læring og trivsel (eksempel)",
            .clusterProgramme, .running, organiser: kl,
            description:
                "Alle kommuner inviteres til at tilmelde sig senest 1. juni 2016. De tilmeldte kommuner samles i "
                    + "klynger på 6-8, som mødes i et faciliteret forløb; de første klynger starter i september, de "
                        + "næste ved årsskiftet.",
            deadline: at("2016-06-01T23:59"),
            seats: [
                SeatRequirement(position: .educationDirector, count: 1),
                SeatRequirement(position: .schoolLeader, count: 2, required: false),
            ],
            period: ("2016-09-01", "2018-06-30"), targets: [.educationDirector, .schoolLeader])
        let network = try await make(
            "natverk-for-skolutveckling-exempel", "Nätverk för skolutveckling – 16 kommuner (exempel)",
            .standingNetwork, .running, organiser: skr,
            description:
                "Sexton medelstora kommuner möts två gånger om året: på våren hos en värdkommun som roterar (lokala "
                    + "utvecklingsprojekt), på hösten i Stockholm (nationell skolpolitik).",
            deadline: at("2015-01-31T23:59", "Europe/Stockholm"), capacity: 16,
            seats: [
                SeatRequirement(position: .educationDirector, count: 1),
                SeatRequirement(position: .committeeChair, count: 1),
            ],
            zone: "Europe/Stockholm", targets: [.educationDirector, .committeeChair])
        _ = try await make(
            "folkeskolen-nyt-forlob-eksempel", "Kommunesamarbejde om folkeskolen – nyt forløb (eksempel)",
            .politicalForum, .open, organiser: kl,
            description: "Et åbent eksempel, så tilmeldingen kan prøves: udvalgsformand, udvalgsmedlem og forvaltning.",
            deadline: Date().addingTimeInterval(60 * 86_400), capacity: 12, seats: politicalSeats,
            targets: [.committeeChair, .committeeMember, .administration])

        // Aarhus in the political track, Jönköping in the network, as they would have registered.
        func register(_ c: Collaboration, _ key: MunicipalityKey, _ seats: [(Position, String)]) async throws {
            c.registrationSequence += 1
            try await c.save(on: db)
            let r = Registration()
            r.collaborationID = try c.requireID()
            r.municipalityCountry = key.country.rawValue
            r.municipalityCode = key.code
            r.status = RegistrationStatus.registered.rawValue
            r.sequence = c.registrationSequence
            try await r.create(on: db)
            for (position, name) in seats {
                guard let person = people[name] else { continue }
                let seat = RegistrationSeat()
                seat.registrationID = try r.requireID()
                seat.position = position.rawValue
                seat.personID = person
                try await seat.create(on: db)
            }
        }
        try await register(
            political, MunicipalityKey(.dk, "751"),
            [
                (.committeeChair, "Mette Example Sørensen"), (.committeeMember, "Lars Example Nielsen"),
                (.administration, "Hanne Example Poulsen"),
            ])
        try await register(
            network, MunicipalityKey(.se, "0680"),
            [(.educationDirector, "Erik Example Johansson"), (.committeeChair, "Maria Example Karlsson")])
    }
}
