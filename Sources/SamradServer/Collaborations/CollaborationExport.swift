import Fluent
import SamradCore

/// registrations.csv and invitations.csv of a municipality's export.
enum CollaborationExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let collaborations = try await CollaborationNames.of(export, on: db)
        let registrations = try await Registration.query(on: db).filter(\.$municipalityCountry == country)
            .filter(\.$municipalityCode == code).sort(\.$createdAt).all()
        let seats = try await RegistrationSeat.query(on: db).filter(\.$registrationID ~~ registrations.compactMap(\.id))
            .all()
        let names = try await PersonNames.names(seats.map(\.personID), in: export, on: db)
        let seatsOf = Dictionary(grouping: seats, by: \.registrationID)
        export.csv(
            "registrations.csv", "Registrations for collaborations, with the seats and who holds them.",
            [
                "collaboration", "collaboration_title", "status", "arrival", "seats", "accepted_price_minor",
                "registered_at", "changed_at",
            ],
            registrations.map { r in
                [
                    collaborations.slug(r.collaborationID), collaborations.title(r.collaborationID), r.status,
                    String(r.sequence),
                    (seatsOf[r.id!] ?? []).map { "\($0.position): \(names[$0.personID] ?? "")" }
                        .joined(separator: "; "),
                    r.acceptedPriceMinor.map(String.init) ?? "", MunicipalityExport.timestamp(r.createdAt),
                    MunicipalityExport.timestamp(r.updatedAt),
                ]
            })

        let invitations = try await Invitation.query(on: db).filter(\.$municipalityCountry == country)
            .filter(\.$municipalityCode == code).all()
        export.csv(
            "invitations.csv", "Invitations to collaborations and the reminders sent (days before the deadline).",
            ["collaboration", "collaboration_title", "positions", "recipients", "sent_at", "reminders_sent"],
            invitations.map {
                [
                    collaborations.slug($0.collaborationID), collaborations.title($0.collaborationID),
                    $0.positions.joined(separator: "; "), String($0.recipients),
                    MunicipalityExport.timestamp($0.sentAt), $0.remindersSent.map(String.init).joined(separator: "; "),
                ]
            })
    }
}
