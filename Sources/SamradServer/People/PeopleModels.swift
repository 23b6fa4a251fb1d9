import Fluent
import Foundation
import SamradCore
import Vapor

final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    enum Kind: String, CaseIterable, Codable {
        case association, administration, union, foundation, university, other
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "country") var country: String?
    /// Set for a municipality's own administration.
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "website") var website: String?
    @Field(key: "is_example") var isExample: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(
        id: UUID? = nil, name: String, kind: Kind, country: Country?, municipalityCode: String? = nil,
        website: String? = nil, isExample: Bool = false
    ) {
        self.id = id
        self.name = name
        self.kind = kind.rawValue
        self.country = country?.rawValue
        self.municipalityCode = municipalityCode
        self.website = website
        self.isExample = isExample
    }
}

final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "position") var position: String
    /// The person's own job title, free text ("Skolechef", "Utbildningsdirektör").
    @OptionalField(key: "title") var title: String?
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "is_example") var isExample: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// Set when the person was erased: the record stays, pseudonymised, where a seat or an answer
    /// still points at it, and leaves every list of people.
    @OptionalField(key: "erased_at") var erasedAt: Date?

    init() {}

    /// The people who are still here: every list of people starts from it (erased ones stay
    /// only where a seat or an answer points at them).
    static func current(on db: any Database) -> QueryBuilder<Person> {
        query(on: db).filter(\.$erasedAt == nil)
    }

    var municipality: MunicipalityKey? {
        guard let country = municipalityCountry.flatMap(Country.init(rawValue:)), let code = municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, code)
    }

    var affiliation: Affiliation { Affiliation(municipality: municipality, organisationID: organisationID) }
}

extension Person: PlainRead {
    var columns: [any AnyDatabaseProperty] {
        [
            $id, $name, $email, $phone, $position, $title, $municipalityCountry, $municipalityCode, $organisationID,
            $isExample, $createdAt, $updatedAt, $erasedAt
        ]
    }
}
