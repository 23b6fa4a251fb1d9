import Fluent
import Foundation
import SamradCore
import Vapor

/// Example content from the five real cases in DESIGN.md, marked `is_example` and shown with an
/// "example" label. Loaded by `samrad serve --demo`; loading it again adds nothing.
enum DemoContent {
    static func load(on db: any Database, logger: Logger) async throws {
        if try await Organisation.query(on: db).filter(\.$isExample == true).count() > 0 { return }
        try await db.transaction { db in
            let kl = Organisation(name: "KL – Kommunernes Landsforening (eksempel)", kind: .association, country: .dk, website: "https://www.kl.dk", isExample: true)
            let skr = Organisation(name: "SKR – Sveriges Kommuner och Regioner (exempel)", kind: .association, country: .se, website: "https://skr.se", isExample: true)
            let foundation = Organisation(name: "Eksempelfonden for skoleudvikling (eksempel)", kind: .foundation, country: .dk, isExample: true)
            let aarhus = Organisation(name: "Aarhus Kommune, Børn og Unge (eksempel)", kind: .administration, country: .dk, municipalityCode: "751", isExample: true)
            let university = Organisation(name: "Forskningscenter for skoleudvikling (eksempel)", kind: .university, country: .dk, isExample: true)
            for organisation in [kl, skr, foundation, aarhus, university] { try await organisation.create(on: db) }

            // Case 1: the political track asks each municipality for its committee chair, a committee
            // member and an administration representative.
            let people: [(String, Position, String, MunicipalityKey?, UUID?)] = [
                ("Anne Example Jensen", .consultant, "Konsulent, skole og uddannelse", nil, kl.id),
                ("Peter Example Holm", .consultant, "Chefkonsulent", nil, kl.id),
                ("Karin Example Lund", .consultant, "Handläggare, skola", nil, skr.id),
                ("Mette Example Sørensen", .committeeChair, "Formand for Børn og Unge-udvalget", MunicipalityKey(.dk, "751"), nil),
                ("Lars Example Nielsen", .committeeMember, "Medlem af Børn og Unge-udvalget", MunicipalityKey(.dk, "751"), nil),
                ("Hanne Example Poulsen", .schoolChief, "Skolechef", MunicipalityKey(.dk, "751"), aarhus.id),
                ("Jens Example Madsen", .schoolLeader, "Skoleleder", MunicipalityKey(.dk, "751"), nil),
                ("Sofie Example Andersen", .committeeChair, "Formand for Børne- og Skoleudvalget", MunicipalityKey(.dk, "101"), nil),
                ("Erik Example Johansson", .educationDirector, "Utbildningsdirektör", MunicipalityKey(.se, "0680"), nil),
                ("Maria Example Karlsson", .committeeChair, "Ordförande i barn- och utbildningsnämnden", MunicipalityKey(.se, "0680"), nil),
                ("Anna Example Berg", .teacher, "Förstelärare", MunicipalityKey(.se, "0680"), nil),
                ("Ole Example Kristensen", .researcher, "Lektor, følgeforskning", nil, university.id),
            ]
            for (name, position, title, municipality, organisation) in people {
                let person = Person()
                person.name = name
                person.position = position.rawValue
                person.title = title
                person.email = name.lowercased().replacingOccurrences(of: " ", with: ".").folding(options: .diacriticInsensitive, locale: nil)
                    .replacingOccurrences(of: "ø", with: "o") + "@example.org"
                person.municipalityCountry = municipality?.country.rawValue
                person.municipalityCode = municipality?.code
                person.organisationID = organisation
                person.isExample = true
                try await person.create(on: db)
            }
        }
        logger.info("Loaded the example content (marked as examples)")
    }
}
