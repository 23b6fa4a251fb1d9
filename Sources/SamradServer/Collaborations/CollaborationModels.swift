import Fluent
import SQLKit
import Foundation
import SamradCore
import Vapor

/// A group of collaborations joined separately, e.g. "Kommunesamarbejde om folkeskolen 2014": one
/// political track and three professional tracks.
final class Programme: Model, @unchecked Sendable {
    static let schema = "programmes"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "organiser_id") var organiserID: UUID
    /// The season this one was copied from ("2014" for "2015").
    @OptionalField(key: "previous_id") var previousID: UUID?
    @Field(key: "is_example") var isExample: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class Collaboration: Model, @unchecked Sendable {
    static let schema = "collaborations"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @OptionalField(key: "programme_id") var programmeID: UUID?
    /// The season this one was copied from ("2014" for "2015").
    @OptionalField(key: "previous_id") var previousID: UUID?
    @Field(key: "title") var title: String
    /// Markdown; rendered without raw HTML.
    @Field(key: "description") var description: String
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "organiser_id") var organiserID: UUID
    @Field(key: "themes") var themes: [String]
    @Field(key: "target_groups") var targetGroups: [String]
    /// ISO dates of the period, e.g. 2014-05-01 … 2015-12-31.
    @OptionalField(key: "period_start") var periodStart: String?
    @OptionalField(key: "period_end") var periodEnd: String?
    /// The organiser's zone: deadlines are entered and shown in it.
    @Field(key: "time_zone") var timeZone: String
    @OptionalField(key: "opens_at") var opensAt: Date?
    @OptionalField(key: "deadline") var deadline: Date?
    @OptionalField(key: "capacity") var capacity: Int?
    /// `AdmissionMode`: first come, or applications the organiser chooses among.
    @Field(key: "admission") var admission: String
    /// When the organiser chose among the applications and everyone was told.
    @OptionalField(key: "places_chosen_at") var placesChosenAt: Date?
    @Field(key: "seats") var seats: [SeatRequirement]
    @Field(key: "price_kind") var priceKind: String
    @OptionalField(key: "price_minor") var priceMinor: Int?
    @Field(key: "currency") var currency: String
    @OptionalField(key: "price_meetings") var priceMeetings: Int?
    @OptionalField(key: "vat_note") var vatNote: String?
    /// The body of the organiser that owns the collaboration ("KL's children and culture committee").
    @OptionalField(key: "host_body") var hostBody: String?
    /// The organiser's case number (journal reference), in exports.
    @OptionalField(key: "case_number") var caseNumber: String?
    /// Months after it is concluded that its personal data are kept; nil keeps them until erased.
    @OptionalField(key: "retention_months") var retentionMonths: Int?
    @OptionalField(key: "concluded_at") var concludedAt: Date?
    /// When the retention job cleared its personal data.
    @OptionalField(key: "retention_applied_at") var retentionAppliedAt: Date?
    @Field(key: "funding") var funding: [Funding]
    @Field(key: "reminder_days") var reminderDays: [Int]
    @OptionalField(key: "reminder_text") var reminderText: String?
    /// Counts registrations; every registration first increments it, which takes the
    /// collaboration's write lock and numbers the arrivals for the waiting list.
    @Field(key: "registration_sequence") var registrationSequence: Int
    @Field(key: "is_example") var isExample: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {
        // Written before any other field, so code that builds a collaboration need not know of it.
        admission = AdmissionMode.firstCome.rawValue
    }

    var price: PriceModel {
        Self.price(kind: priceKind, minor: priceMinor, currency: currency, meetings: priceMeetings)
    }

    /// The price model from its columns.
    static func price(kind: String, minor: Int?, currency: String, meetings: Int?) -> PriceModel {
        let amount = Money(minorUnits: minor ?? 0, currency: Currency(rawValue: currency) ?? .dkk)
        switch kind {
        case "per_municipality": return .perMunicipality(amount)
        case "per_meeting": return .perMeeting(amount, meetings: meetings ?? 1)
        case "per_participant": return .perParticipant(amount)
        default: return .free
        }
    }

    func setPrice(_ price: PriceModel) {
        priceKind = price.kind
        priceMinor = price.unitPrice?.minorUnits
        if let currency = price.unitPrice?.currency { self.currency = currency.rawValue }
        if case .perMeeting(_, let meetings) = price { priceMeetings = meetings } else { priceMeetings = nil }
    }

    var statusValue: CollaborationStatus { CollaborationStatus(rawValue: status) ?? .draft }

    var admissionMode: AdmissionMode { AdmissionMode(rawValue: admission) ?? .firstCome }

    var terms: RegistrationTerms {
        RegistrationTerms(
            status: statusValue, opensAt: opensAt, deadline: deadline, capacity: capacity, seats: seats, price: price,
            admission: admissionMode, placesChosen: placesChosenAt != nil)
    }
}

extension Collaboration: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $slug, $programmeID, $previousID, $title, $description, $kind, $status, $organiserID, $themes,
            $targetGroups,
            $periodStart, $periodEnd, $timeZone, $opensAt, $deadline, $capacity, $admission,
            $placesChosenAt, $seats, $priceKind, $priceMinor,
            $currency, $priceMeetings, $vatNote, $hostBody, $caseNumber, $retentionMonths, $concludedAt,
            $retentionAppliedAt, $funding, $reminderDays, $reminderText, $registrationSequence, $isExample, $createdAt,
            $updatedAt
        ]
    }
}

/// Partner organisations besides the organiser.
final class CollaborationPartner: Model, @unchecked Sendable {
    static let schema = "collaboration_partners"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "organisation_id") var organisationID: UUID

    init() {}
}

/// People attached to a collaboration with a role: researchers, the following group, contacts.
final class CollaborationRole: Model, @unchecked Sendable {
    static let schema = "collaboration_roles"

    enum Role: String, CaseIterable { case researcher, followingGroup = "following_group", facilitator, contact }

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "role") var role: String

    init() {}
}

/// A municipality invited to a collaboration, addressed to positions; `sentAt` says when the
/// e-mails went to the outbox.
final class Invitation: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "positions") var positions: [String]
    @Field(key: "recipients") var recipients: Int
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// Who the last sending reached, and how.
    @OptionalField(key: "reached") var reached: [Delivery]?
    /// Offsets (days before the deadline) whose reminder went out.
    @Field(key: "reminders_sent") var remindersSent: [Int]
    /// The document number of the invitation letter in the organiser's records (journal reference).
    @OptionalField(key: "document_number") var documentNumber: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    struct Delivery: Codable, Sendable, Equatable {
        var channel: InvitationReach.Channel
        var personID: UUID?
        var userID: UUID?
        /// Only for the mailbox: an organisation's address, not a person's.
        var mailbox: String?
    }
}

/// The personal link in an invitation or reminder e-mail (only its SHA-256 is kept). Opening it gives
/// the browser session a `RegistrationPass` for the municipality and collaboration.
final class InvitationLink: Model, @unchecked Sendable {
    static let schema = "invitation_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    /// nil for a link sent to the municipality's official mailbox.
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var pass: RegistrationPass {
        RegistrationPass(collaborationID: collaborationID, municipality: municipality, personID: personID)
    }
}

final class Registration: Model, @unchecked Sendable {
    static let schema = "registrations"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "status") var status: String
    /// Order of arrival, from the collaboration's sequence.
    @Field(key: "sequence") var sequence: Int
    @OptionalField(key: "registered_by") var registeredBy: UUID?
    /// The price the municipality accepted, in minor units (nil when free).
    @OptionalField(key: "accepted_price_minor") var acceptedPriceMinor: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var statusValue: RegistrationStatus { RegistrationStatus(rawValue: status) ?? .withdrawn }

    /// The keys of a collaboration's registered municipalities: two columns, no models, since
    /// meeting and questionnaire permissions ask it on every request.
    static func registeredMunicipalities(_ collaborationID: UUID, on db: any Database) async throws -> [MunicipalityKey]
    {
        try await MunicipalityRow.keys(
            db.sql.raw(
                """
                SELECT municipality_country, municipality_code FROM registrations
                WHERE collaboration_id = \(bind: collaborationID)
                AND status = \(bind: RegistrationStatus.registered.rawValue)
                """
            ).all(decoding: MunicipalityRow.self))
    }
}

/// A municipality's two key columns as plain rows read them.
struct MunicipalityRow: Decodable {
    var municipality_country: String
    var municipality_code: String

    static func keys(_ rows: [MunicipalityRow]) -> [MunicipalityKey] {
        rows.compactMap { row in
            Country(rawValue: row.municipality_country).map { MunicipalityKey($0, row.municipality_code) }
        }
    }
}

/// Rows that name a municipality by its country and code columns: one way to read the key and one
/// way to query for several municipalities.
protocol MunicipalityColumns: Model {
    static var countryColumn: KeyPath<Self, FieldProperty<Self, String>> { get }
    static var codeColumn: KeyPath<Self, FieldProperty<Self, String>> { get }
}

extension MunicipalityColumns {
    var municipality: MunicipalityKey {
        MunicipalityKey(
            Country(rawValue: self[keyPath: Self.countryColumn].wrappedValue) ?? .dk,
            self[keyPath: Self.codeColumn].wrappedValue)
    }
}

extension QueryBuilder where Model: MunicipalityColumns {
    /// Rows of these municipalities (country and code), in one query.
    func filter(municipalities keys: some Collection<MunicipalityKey>) -> Self {
        group(.or) { or in
            for key in keys {
                or.group(.and) {
                    $0.filter(Model.countryColumn == key.country.rawValue).filter(Model.codeColumn == key.code)
                }
            }
        }
    }
}

extension Invitation: MunicipalityColumns {
    static var countryColumn: KeyPath<Invitation, FieldProperty<Invitation, String>> { \.$municipalityCountry }
    static var codeColumn: KeyPath<Invitation, FieldProperty<Invitation, String>> { \.$municipalityCode }
}

extension InvitationLink: MunicipalityColumns {
    static var countryColumn: KeyPath<InvitationLink, FieldProperty<InvitationLink, String>> { \.$municipalityCountry }
    static var codeColumn: KeyPath<InvitationLink, FieldProperty<InvitationLink, String>> { \.$municipalityCode }
}

extension Registration: MunicipalityColumns {
    static var countryColumn: KeyPath<Registration, FieldProperty<Registration, String>> { \.$municipalityCountry }
    static var codeColumn: KeyPath<Registration, FieldProperty<Registration, String>> { \.$municipalityCode }
}

final class RegistrationSeat: Model, @unchecked Sendable {
    static let schema = "registration_seats"

    @ID(key: .id) var id: UUID?
    @Field(key: "registration_id") var registrationID: UUID
    @Field(key: "position") var position: String
    @Field(key: "person_id") var personID: UUID

    init() {}
}

/// A collaboration's own document: its project description, the invitation letter, an agreement
/// or a report. The bytes live in `CollaborationDocumentContent`.
final class CollaborationDocument: Model, @unchecked Sendable {
    static let schema = "collaboration_documents"

    @ID(key: .id) var id: UUID?
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "title") var title: String
    @Field(key: "kind") var kind: String
    @Field(key: "visibility") var visibility: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var visibilityValue: DocumentVisibility { DocumentVisibility(rawValue: visibility) ?? .members }
}

final class CollaborationDocumentContent: FileBytes, @unchecked Sendable {
    static let schema = "collaboration_document_contents"

    @ID(custom: "document_id", generatedBy: .user) var id: UUID?
    @Field(key: "bytes") var bytes: Data

    init() {}
}
