import Foundation

/// Where a municipality receives e-invoices and who it is in the business register: its
/// electronic address (Denmark: the EAN/GLN number of NemHandel; Sweden, Norway and Finland: a
/// Peppol participant id such as "0007:2120000142") and its organisation number (CVR,
/// organisationsnummer, organisasjonsnummer, Y-tunnus). Invoices for paid tracks are addressed
/// with them.
public struct InvoiceAddress: Sendable, Equatable, Codable {
    public var electronicAddress: String?
    public var organisationNumber: String?

    public init(electronicAddress: String?, organisationNumber: String?) {
        self.electronicAddress = electronicAddress
        self.organisationNumber = organisationNumber
    }

    public var isEmpty: Bool { electronicAddress == nil && organisationNumber == nil }

    /// Where a message about a wrong identifier is said: a spreadsheet's line, or a form's
    /// municipality.
    public enum Place: Sendable { case line, municipality }

    /// The message key of `read`'s `key` said of a line ("Line 3: …") or of a municipality ("Odense: …").
    public static func message(_ key: String, of place: Place) -> String {
        switch (key, place) {
        case ("invoicing.error.gln", .line): "invoicing.error.gln_line"
        case ("invoicing.error.gln", .municipality): "invoicing.error.gln_of"
        case ("invoicing.error.peppol", .line): "invoicing.error.peppol_line"
        case ("invoicing.error.peppol", .municipality): "invoicing.error.peppol_of"
        case (_, .line): key + "_line"
        case (_, .municipality): key + "_of"
        }
    }

    /// The Peppol participant an invoice goes to (scheme and id): a Danish EAN/GLN as 0088, an id as
    /// given, or for a Swedish municipality with only its organisation number, 0007 with it.
    public func endpoint(in country: Country) -> (scheme: String, id: String)? {
        if let address = electronicAddress {
            if country == .dk { return ("0088", address) }
            let parts = address.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        if country == .se, let number = organisationNumber { return ("0007", number) }
        return nil
    }

    /// Reads what an administrator typed or imported for a municipality of `country`; each field is
    /// named in `v` when it is not a valid identifier of its kind. Empty fields are nil.
    public static func read(
        country: Country, electronicAddress: String?, organisationNumber: String?,
        fields: (address: String, number: String), into v: inout Validation
    ) -> InvoiceAddress {
        let address = electronicAddress?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let number = organisationNumber?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var result = InvoiceAddress(electronicAddress: nil, organisationNumber: nil)
        if !address.isEmpty {
            if country == .dk {
                let digits = address.filter { !$0.isWhitespace }
                if InvoiceIdentifier.isGLN(digits) { result.electronicAddress = digits } else {
                    v.add(fields.address, "invoicing.error.gln")
                }
            } else if let id = InvoiceIdentifier.peppolID(address) {
                result.electronicAddress = id
            } else {
                v.add(fields.address, "invoicing.error.peppol")
            }
        }
        if !number.isEmpty {
            if let digits = InvoiceIdentifier.organisationNumber(number, in: country) {
                result.organisationNumber = digits
            } else {
                v.add(fields.number, "invoicing.error.number.\(country.rawValue)")
            }
        }
        return result
    }
}

/// The check digits of the identifiers invoices are addressed with.
public enum InvoiceIdentifier {
    static func digits(_ text: String) -> [Int]? {
        let values = text.compactMap { $0.wholeNumberValue }
        return values.count == text.count && text.allSatisfy(\.isASCII) ? values : nil
    }

    /// An organisation number of `country` as typed (digits, dashes, spaces), as digits when valid.
    public static func organisationNumber(_ text: String, in country: Country) -> String? {
        let digits = text.filter { $0.isNumber }
        guard digits.count + text.filter({ $0 == "-" || $0 == " " }).count == text.count else { return nil }
        let valid: Bool
        switch country {
        case .dk: valid = isCVR(digits)
        case .se: valid = isSwedishOrganisationNumber(digits)
        case .no: valid = isNorwegianOrganisationNumber(digits)
        case .fi: valid = isFinnishBusinessID(digits)
        }
        return valid ? digits : nil
    }

    /// A VAT registration number of the four countries, normalised: DK and 8 CVR digits, SE and an
    /// organisation number with 01, NO and 9 digits with MVA, FI and a business id.
    public static func vatNumber(_ text: String) -> String? {
        let compact = text.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard compact.count > 2, let country = Country(rawValue: compact.prefix(2).lowercased()) else { return nil }
        var rest = String(compact.dropFirst(2))
        switch country {
        case .dk: return isCVR(rest) ? compact : nil
        case .se:
            let number = String(rest.prefix(10))
            return rest.count == 12 && rest.hasSuffix("01") && isSwedishOrganisationNumber(number) ? compact : nil
        case .no:
            if rest.hasSuffix("MVA") { rest.removeLast(3) }
            return isNorwegianOrganisationNumber(rest) ? "NO\(rest)MVA" : nil
        case .fi: return isFinnishBusinessID(rest) ? compact : nil
        }
    }

    /// An IBAN, without spaces, when its ISO 13616 mod-97 check holds.
    public static func iban(_ text: String) -> String? {
        let compact = text.uppercased().filter { !$0.isWhitespace }
        guard (15...34).contains(compact.count), compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            compact.prefix(2).allSatisfy(\.isLetter), compact.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
        else { return nil }
        var remainder = 0
        for character in compact.dropFirst(4) + compact.prefix(4) {
            let value = character.wholeNumberValue ?? Int(character.asciiValue! - 55)
            remainder = (value < 10 ? remainder * 10 + value : remainder * 100 + value) % 97
        }
        return remainder == 1 ? compact : nil
    }

    /// A BIC (SWIFT code): 8 or 11 letters and digits, the first six a bank and a country.
    public static func isBIC(_ text: String) -> Bool {
        (text.count == 8 || text.count == 11) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            && text.prefix(6).allSatisfy(\.isLetter)
    }

    /// The Luhn check (Swedish organisation numbers, bankgiro and plusgiro numbers).
    public static func luhn(_ text: String) -> Bool {
        guard let d = digits(text), !d.isEmpty else { return false }
        let sum = d.reversed().enumerated().map { index, digit -> Int in
            let n = index % 2 == 1 ? digit * 2 : digit
            return n > 9 ? n - 9 : n
        }.reduce(0, +)
        return sum % 10 == 0
    }

    /// A GS1 Global Location Number (Denmark's EAN number): 13 digits, the last a mod-10 check digit.
    public static func isGLN(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 13 else { return false }
        let sum = d.dropLast().reversed().enumerated().map { $0.offset % 2 == 0 ? $0.element * 3 : $0.element }
            .reduce(0, +)
        return (10 - sum % 10) % 10 == d[12]
    }

    /// A Danish CVR number: 8 digits whose weighted sum (2, 7, 6, 5, 4, 3, 2, 1) is divisible by 11.
    public static func isCVR(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 8 else { return false }
        return zip(d, [2, 7, 6, 5, 4, 3, 2, 1]).map(*).reduce(0, +) % 11 == 0
    }

    /// A Swedish organisation number: 10 digits, the last a Luhn check digit.
    public static func isSwedishOrganisationNumber(_ text: String) -> Bool {
        text.count == 10 && luhn(text)
    }

    /// A Norwegian organisation number: 9 digits, the last a mod-11 check digit (weights 3, 2, 7, 6, 5, 4, 3, 2).
    public static func isNorwegianOrganisationNumber(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 9 else { return false }
        let remainder = zip(d, [3, 2, 7, 6, 5, 4, 3, 2]).map(*).reduce(0, +) % 11
        let check = remainder == 0 ? 0 : 11 - remainder
        return check != 10 && check == d[8]
    }

    /// A Finnish business ID (Y-tunnus) without its dash: 8 digits, the last a mod-11 check digit
    /// (weights 7, 9, 10, 5, 8, 4, 2).
    public static func isFinnishBusinessID(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 8 else { return false }
        let remainder = zip(d, [7, 9, 10, 5, 8, 4, 2]).map(*).reduce(0, +) % 11
        if remainder == 1 { return false }
        return (remainder == 0 ? 0 : 11 - remainder) == d[7]
    }

    /// A Peppol participant id "scheme:id" with a four-digit ISO 6523 scheme, normalised; the ids of
    /// the schemes Samrad knows (0088 GLN, 0007 Swedish, 0192 Norwegian, 0184 Danish CVR) are checked.
    public static func peppolID(_ text: String) -> String? {
        let parts = text.filter { !$0.isWhitespace }.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let scheme = digits(parts[0]), scheme.count == 4 else { return nil }
        var id = parts[1]
        switch parts[0] {
        case "0088": guard isGLN(id) else { return nil }
        case "0007":
            id = id.filter { $0 != "-" }
            guard isSwedishOrganisationNumber(id) else { return nil }
        case "0192": guard isNorwegianOrganisationNumber(id) else { return nil }
        case "0184":
            id = id.uppercased()
            guard id.hasPrefix("DK"), isCVR(String(id.dropFirst(2))) else { return nil }
        default:
            let allowed = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
            guard (1...50).contains(id.count), allowed else { return nil }
        }
        return "\(parts[0]):\(id)"
    }
}

/// A spreadsheet of municipalities' invoice addresses (`municipality;ean;cvr`, or the Swedish
/// `kommunkod;peppol-id;organisationsnummer`): every line checked and named by its number, nothing
/// kept when one is wrong. Empty cells clear what is stored.
public struct InvoiceAddressList: Sendable {
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var municipality: MunicipalityKey
        public var address: InvoiceAddress
    }

    static let addressHeaders: Set<String> = [
        "ean", "gln", "eannummer", "eanlokationsnummer", "glnnummer", "peppol", "peppolid", "electronicaddress",
        "einvoiceaddress", "endpoint", "endpointid", "efakturaadress", "elektroniskadresse",
    ]
    static let numberHeaders: Set<String> = [
        "cvr", "cvrnummer", "cvrnr", "organisationsnummer", "orgnr", "organisationnumber", "organisasjonsnummer",
        "ytunnus", "businessid",
    ]

    public let rows: [Row]

    /// Reads `text`; a bare code belongs to `country`, `dk/751` names its own.
    public init(csv text: String, country: Country, directory: MunicipalityDirectory) throws {
        let table = try CSVTable(parsing: text, separator: CSVTable.separator(of: text))
        func header(_ names: Set<String>) -> String? {
            table.header.first { names.contains($0.lowercased().filter { $0.isLetter }) }
        }
        let addressColumn = header(Self.addressHeaders), numberColumn = header(Self.numberHeaders)
        guard let codeColumn = header(MailboxList.municipalityHeaders), addressColumn != nil || numberColumn != nil
        else {
            throw SamradError.invalid([FieldError(field: "file", "invoicing.error.columns")])
        }
        if table.records.count > 5_000 {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.too_many", ["5000"])])
        }
        var v = Validation()
        var rows: [Row] = []
        var seen: [MunicipalityKey: Int] = [:]
        for record in table.records {
            let code = record[codeColumn].trimmingCharacters(in: .whitespacesAndNewlines)
            let line = String(record.line)
            let key = code.contains("/") ? MunicipalityKey(path: code.lowercased()) : MunicipalityKey(country, code)
            guard !code.isEmpty, let key, directory[key] != nil else {
                v.add(
                    "line \(line)", code.isEmpty ? "mailboxes.error.required" : "mailboxes.error.municipality",
                    [line, codeColumn, code])
                continue
            }
            if let first = seen[key] {
                v.add("line \(line)", "mailboxes.error.duplicate", [line, key.description, String(first)])
                continue
            }
            seen[key] = record.line
            var own = Validation()
            let address = InvoiceAddress.read(
                country: key.country, electronicAddress: addressColumn.map { record[$0] },
                organisationNumber: numberColumn.map { record[$0] }, fields: ("address", "number"), into: &own)
            for error in own.errors {
                let column = (error.field == "address" ? addressColumn : numberColumn) ?? ""
                let value = (error.field == "address" ? addressColumn : numberColumn).map { record[$0] }
                v.add("line \(line)", InvoiceAddress.message(error.messageKey, of: .line), [line, column, value ?? ""])
            }
            if own.errors.isEmpty { rows.append(Row(line: record.line, municipality: key, address: address)) }
        }
        try v.check()
        if rows.isEmpty { throw SamradError.invalid([FieldError(field: "file", "people_import.error.no_rows")]) }
        self.rows = rows
    }
}
