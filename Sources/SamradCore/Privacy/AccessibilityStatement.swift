import Foundation

/// How far a service meets the accessibility requirements (EN 301 549, WCAG 2.1 AA), in the words
/// the directive's model statement uses.
public enum ComplianceStatus: String, CaseIterable, Codable, Sendable {
    case full, partial, none
}

/// How the service was assessed.
public enum AssessmentMethod: String, CaseIterable, Codable, Sendable {
    case selfAssessment = "self_assessment", thirdParty = "third_party"
}

/// The operator's part of the accessibility statement every public body must publish (directive
/// (EU) 2016/2102 and implementing decision 2018/1523; in Denmark made in WAS-Tool, in Sweden with
/// DIGG's fields): who runs the service, how compliant it is and what is not, when and how that was
/// assessed, and how to reach them by phone and in writing. Samrad adds what its own tests check.
public struct AccessibilityStatement: Codable, Sendable, Equatable {
    public var country: Country
    public var body: String
    public var service: String
    public var status: ComplianceStatus
    public var nonCompliant: String
    public var exemptions: String
    public var assessedOn: String
    public var method: AssessmentMethod
    public var methodNote: String
    public var email: String
    public var phone: String
    /// Denmark: the statement's standard address in WAS-Tool, where `/was` leads.
    public var wasURL: String?
    public var updatedOn: String

    /// Checks a filled-in form; what is not compliant must be listed unless the service is fully so.
    public static func validated(_ values: [String: String], today: String) throws -> AccessibilityStatement {
        var v = Validation()
        let country = v.oneOf("country", values["country"], as: Country.self) ?? .dk
        let status = v.oneOf("status", values["status"], as: ComplianceStatus.self) ?? .partial
        let nonCompliant = v.optional("nonCompliant", values["nonCompliant"], maxLength: 10_000) ?? ""
        if status != .full && nonCompliant.isEmpty { v.add("nonCompliant", "accessibility_statement.list_required") }
        let assessedOn = v.required("assessedOn", values["assessedOn"], maxLength: 10)
        if !assessedOn.isEmpty && (!DateText.isISODate(assessedOn) || assessedOn > today) {
            v.add("assessedOn", "accessibility_statement.date")
        }
        var wasURL = v.optional("wasURL", values["wasURL"], maxLength: 300)
        if let url = wasURL, !url.hasPrefix("https://was.digst.dk/") {
            v.add("wasURL", "accessibility_statement.was_url_invalid")
            wasURL = nil
        }
        let statement = AccessibilityStatement(
            country: country,
            body: v.required("body", values["body"], maxLength: 200),
            service: v.required("service", values["service"], maxLength: 200),
            status: status, nonCompliant: nonCompliant,
            exemptions: v.optional("exemptions", values["exemptions"], maxLength: 5000) ?? "",
            assessedOn: assessedOn,
            method: v.oneOf("method", values["method"], as: AssessmentMethod.self) ?? .selfAssessment,
            methodNote: v.optional("methodNote", values["methodNote"], maxLength: 2000) ?? "",
            email: v.email("email", values["email"]) ?? "",
            phone: v.phone("phone", values["phone"]) ?? {
                v.add("phone", "validation.required"); return ""
            }(),
            wasURL: country == .dk ? wasURL : nil, updatedOn: today)
        try v.check()
        return statement
    }

    /// Where a person turns when the operator does not put things right: Denmark's Agency for
    /// Digital Government, Sweden's DIGG (its reporting form).
    public static func enforcement(_ country: Country) -> (name: String, url: String) {
        switch country {
        case .dk: ("Digitaliseringsstyrelsen", "https://digst.dk/digital-inklusion/webtilgaengelighed/")
        case .se: ("Myndigheten för digital förvaltning (DIGG)", "https://www.digg.se/tdosanmalan")
        case .no: ("Digitaliseringsdirektoratet (Uu-tilsynet)", "https://www.uutilsynet.no/")
        case .fi: ("Etelä-Suomen aluehallintovirasto", "https://www.saavutettavuusvaatimukset.fi/")
        }
    }
}
