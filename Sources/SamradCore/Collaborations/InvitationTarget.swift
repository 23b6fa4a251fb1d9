/// Which municipalities an organiser invites: all of a country, a region, a national group, or a
/// hand-picked list.
public enum InvitationTarget: Sendable, Equatable {
    case country(Country)
    case region(Country, String)
    case group(Country, String)
    case list([MunicipalityKey])

    /// Parses the form of the invitation page: scope `country` / `region` / `group` / `list`, with
    /// the country, the region or group code, or the list of municipalities by name or key
    /// ("Aarhus, Odense" or "dk/751, dk/461"), resolved in the directory.
    public static func parse(
        scope: String?, country: String?, code: String?, list: String?,
        directory: MunicipalityDirectory
    ) throws -> InvitationTarget {
        var v = Validation()
        let parsedCountry = country.flatMap(Country.init(rawValue:))
        var target: InvitationTarget? = nil
        switch scope ?? "" {
        case "country":
            if let parsedCountry { target = .country(parsedCountry) } else { v.add("country", "validation.country") }
        case "region", "group":
            if parsedCountry == nil { v.add("country", "validation.country") }
            if (code ?? "").isEmpty { v.add("code", "validation.required") }
            if let parsedCountry, let code, !code.isEmpty {
                target = scope == "region" ? .region(parsedCountry, code) : .group(parsedCountry, code)
            }
        case "list":
            let found = directory.resolveList(list ?? "", field: "list", &v)
            if found.isEmpty && v.errors.isEmpty { v.add("list", "validation.required") }
            target = .list(found.map(\.key))
        default:
            v.add("scope", "validation.choice")
        }
        try v.check()
        return target!
    }
}

extension MunicipalityDirectory {
    /// The municipalities of a target; a list naming an unknown municipality is refused whole.
    public func municipalities(for target: InvitationTarget) throws -> [Municipality] {
        let result: [Municipality]
        switch target {
        case .country(let country):
            result = all.filter { $0.country == country }
        case .region(let country, let code):
            result = all.filter { $0.country == country && $0.regionCode == code }
        case .group(let country, let code):
            result = all.filter { $0.country == country && $0.groupCode == code }
        case .list(let keys):
            var found: [Municipality] = []
            var unknown: [FieldError] = []
            for key in keys {
                if let m = self[key] {
                    found.append(m)
                } else {
                    unknown.append(FieldError(field: "list", "invitation.unknown_municipality", [key.description]))
                }
            }
            if !unknown.isEmpty { throw SamradError.invalid(unknown) }
            var seen: Set<MunicipalityKey> = []
            result = found.filter { seen.insert($0.key).inserted }
        }
        if result.isEmpty { throw SamradError.invalid([FieldError(field: "scope", "invitation.nobody")]) }
        return result
    }
}
