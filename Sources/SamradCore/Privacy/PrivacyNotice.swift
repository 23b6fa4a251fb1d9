import Foundation

/// What the operator of an installation tells people about their personal data (GDPR article 13):
/// who is responsible, how to reach them and their data protection officer, why and on what legal
/// basis data are processed, who receives them. Samrad adds what it knows itself (what each
/// feature keeps and for how long, people's rights and where to complain).
public struct PrivacyNotice: Codable, Sendable, Equatable {
    /// The operator's country: whose supervisory authority hears complaints.
    public var country: Country
    public var controller: String
    public var address: String
    public var email: String
    public var phone: String?
    public var protectionOfficer: String
    public var purposes: String
    public var legalBasis: String
    public var recipients: String
    public var updatedOn: String

    public init(
        country: Country, controller: String, address: String, email: String, phone: String?, protectionOfficer: String,
        purposes: String, legalBasis: String, recipients: String, updatedOn: String
    ) {
        self.country = country
        self.controller = controller
        self.address = address
        self.email = email
        self.phone = phone
        self.protectionOfficer = protectionOfficer
        self.purposes = purposes
        self.legalBasis = legalBasis
        self.recipients = recipients
        self.updatedOn = updatedOn
    }

    /// Checks a filled-in form; every field but the phone is required.
    public static func validated(_ values: [String: String], today: String) throws -> PrivacyNotice {
        var v = Validation()
        let country = v.oneOf("country", values["country"], as: Country.self)
        let notice = PrivacyNotice(
            country: country ?? .dk, controller: v.required("controller", values["controller"], maxLength: 200),
            address: v.required("address", values["address"], maxLength: 500),
            email: v.email("email", values["email"]) ?? "",
            phone: v.phone("phone", values["phone"]),
            protectionOfficer: v.required("protectionOfficer", values["protectionOfficer"], maxLength: 500),
            purposes: v.required("purposes", values["purposes"], maxLength: 5000),
            legalBasis: v.required("legalBasis", values["legalBasis"], maxLength: 5000),
            recipients: v.required("recipients", values["recipients"], maxLength: 5000),
            updatedOn: today)
        try v.check()
        return notice
    }
}

/// Where a person can complain about the processing of their data, by the operator's country.
public enum SupervisoryAuthority {
    public static func of(_ country: Country) -> (name: String, url: String) {
        switch country {
        case .dk: ("Datatilsynet", "https://www.datatilsynet.dk/")
        case .se: ("Integritetsskyddsmyndigheten (IMY)", "https://www.imy.se/")
        case .no: ("Datatilsynet", "https://www.datatilsynet.no/")
        case .fi: ("Tietosuojavaltuutetun toimisto", "https://tietosuoja.fi/")
        }
    }
}
