import Fluent
import Foundation
import SamradCore

/// The example organisations and people of the five cases.
enum PeopleDemo {
    static func load(into examples: DemoExamples, on db: any Database) async throws {
        let organisations: [(String, Organisation)] = [
            (
                "kl",
                Organisation(
                    name: "KL – Kommunernes Landsforening (eksempel)", kind: .association, country: .dk,
                    website: "https://www.kl.dk", isExample: true)
            ),
            (
                "skr",
                Organisation(
                    name: "SKR – Sveriges Kommuner och Regioner (exempel)", kind: .association,
                    country: .se, website: "https://skr.se", isExample: true)
            ),
            (
                "foundation",
                Organisation(
                    name: "Eksempelfonden for skoleudvikling (eksempel)", kind: .foundation,
                    country: .dk, isExample: true)
            ),
            (
                "aarhus",
                Organisation(
                    name: "Aarhus Kommune, Børn og Unge (eksempel)", kind: .administration,
                    country: .dk, municipalityCode: "751", isExample: true)
            ),
            (
                "university",
                Organisation(
                    name: "Forskningscenter for skoleudvikling (eksempel)", kind: .university,
                    country: .dk, isExample: true)
            ),
        ]
        for (key, organisation) in organisations {
            try await organisation.create(on: db)
            examples.organisations[key] = try organisation.requireID()
            examples.organisationNames[key] = organisation.name
        }
        let kl = examples.organisations["kl"], skr = examples.organisations["skr"]
        let aarhus = examples.organisations["aarhus"], university = examples.organisations["university"]
        let dk751 = MunicipalityKey(.dk, "751"), se0680 = MunicipalityKey(.se, "0680")

        // Case 1: the political track asks each municipality for its committee chair, a committee
        // member and an administration representative.
        let people: [(String, Position, String, MunicipalityKey?, UUID?)] = [
            ("Anne Example Jensen", .consultant, "Konsulent, skole og uddannelse", nil, kl),
            ("Peter Example Holm", .consultant, "Chefkonsulent", nil, kl),
            ("Karin Example Lund", .consultant, "Handläggare, skola", nil, skr),
            ("Mette Example Sørensen", .committeeChair, "Formand for Børn og Unge-udvalget", dk751, nil),
            ("Lars Example Nielsen", .committeeMember, "Medlem af Børn og Unge-udvalget", dk751, nil),
            ("Hanne Example Poulsen", .schoolChief, "Skolechef", dk751, aarhus),
            ("Jens Example Madsen", .schoolLeader, "Skoleleder", dk751, nil),
            (
                "Sofie Example Andersen", .committeeChair, "Formand for Børne- og Skoleudvalget",
                MunicipalityKey(.dk, "101"),
                nil
            ),
            ("Erik Example Johansson", .educationDirector, "Utbildningsdirektör", se0680, nil),
            ("Maria Example Karlsson", .committeeChair, "Ordförande i barn- och utbildningsnämnden", se0680, nil),
            ("Anna Example Berg", .teacher, "Förstelärare", se0680, nil),
            ("Ole Example Kristensen", .researcher, "Lektor, følgeforskning", nil, university),
        ]
        for (name, position, title, municipality, organisation) in people {
            let person = Person()
            person.name = name
            person.position = position.rawValue
            person.title = title
            person.email =
                name.lowercased().replacingOccurrences(of: " ", with: ".")
                .folding(options: .diacriticInsensitive, locale: nil)
                .replacingOccurrences(of: "ø", with: "o") + "@example.org"
            person.municipalityCountry = municipality?.country.rawValue
            person.municipalityCode = municipality?.code
            person.organisationID = organisation
            person.isExample = true
            try await person.create(on: db)
            examples.people[name] = try person.requireID()
        }
    }
}
