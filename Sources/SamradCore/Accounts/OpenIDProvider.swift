import Foundation

/// An identity provider that people may sign in with (OpenID Connect): a municipality's Entra ID,
/// Unilogin's broker, a Freja eID or MitID Erhverv broker. Configured by the installation.
public struct OpenIDProvider: Sendable, Equatable {
    /// Lowercase letters, digits and hyphens: in the sign-in address and on account links.
    public var name: String
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// The button's label per language (`da`, `sv`, `en`); `""` is the label for any language.
    public var labels: [String: String]
    public var scopes: [String]
    /// The claim that names the person's municipality (a municipality code, or `dk:101`).
    public var municipalityClaim: String?
    /// The country of bare municipality codes in that claim.
    public var country: Country?
    /// Whether the provider's word on the municipality approves an access request by itself.
    public var approvesMunicipality: Bool
    /// `acr` values that mean the provider asked for a second factor (e.g. NSIS substantial).
    public var secondFactorLevels: Set<String>

    public init(
        name: String, issuer: String, clientID: String, clientSecret: String, labels: [String: String] = [:],
        scopes: [String] = OpenIDProvider.standardScopes, municipalityClaim: String? = nil, country: Country? = nil,
        approvesMunicipality: Bool = false, secondFactorLevels: Set<String> = []
    ) {
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.labels = labels
        self.scopes = scopes
        self.municipalityClaim = municipalityClaim
        self.country = country
        self.approvesMunicipality = approvesMunicipality
        self.secondFactorLevels = secondFactorLevels
    }

    public static let standardScopes = ["openid", "email", "profile"]

    public func label(in language: Language) -> String {
        labels[language.rawValue] ?? labels[""] ?? name
    }

    /// The municipality a claim value names: `0180` with the provider's country, or `se:0180` (`se/0180`).
    public func municipality(fromClaim value: String?) -> MunicipalityKey? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let parts = value.split(maxSplits: 1, whereSeparator: { $0 == ":" || $0 == "/" }).map(String.init)
        if parts.count == 2, let country = Country(rawValue: parts[0].lowercased()) {
            return MunicipalityKey(country, parts[1])
        }
        guard let country, value.allSatisfy(\.isASCIIDigit) else { return nil }
        return MunicipalityKey(country, value)
    }

    /// The providers the environment names: `OIDC_PROVIDERS=name1,name2` and per name
    /// `OIDC_<NAME>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_LABEL` (and `_LABEL_DA`, `_LABEL_SV`,
    /// `_LABEL_EN`), optional `_SCOPES`, `_MUNICIPALITY_CLAIM`, `_COUNTRY`, `_APPROVES_MUNICIPALITY`
    /// and `_SECOND_FACTOR_ACR`. A mistake stops the start with a message that names the variable.
    public static func configured(in env: [String: String]) throws -> [OpenIDProvider] {
        let names = (env["OIDC_PROVIDERS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        var providers: [OpenIDProvider] = []
        for name in names {
            let allowed = name.allSatisfy { $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" }
            guard allowed, !providers.contains(where: { $0.name == name }) else {
                throw ConfigurationProblem("OIDC_PROVIDERS: \"\(name)\" must be unique and of a-z, 0-9 and -")
            }
            let prefix = "OIDC_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
            func value(_ key: String) -> String? {
                env[prefix + key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            func required(_ key: String) throws -> String {
                guard let found = value(key) else { throw ConfigurationProblem("\(prefix + key) is missing") }
                return found
            }
            let issuer = try required("ISSUER")
            guard let url = URL(string: issuer), let host = url.host,
                url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
            else {
                throw ConfigurationProblem("\(prefix)ISSUER must be an https address (http only on this machine)")
            }
            var labels: [String: String] = [:]
            labels[""] = value("LABEL")
            for language in ["da", "sv", "en"] { labels[language] = value("LABEL_" + language.uppercased()) }
            let country = try value("COUNTRY").map { code in
                guard let country = Country(rawValue: code.lowercased()) else {
                    throw ConfigurationProblem("\(prefix)COUNTRY must be dk, se, no or fi")
                }
                return country
            }
            var scopes = value("SCOPES").map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
                ?? standardScopes
            if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
            providers.append(
                OpenIDProvider(
                    name: name, issuer: issuer.trimmingSuffixSlash, clientID: try required("CLIENT_ID"),
                    clientSecret: try required("CLIENT_SECRET"), labels: labels, scopes: scopes,
                    municipalityClaim: value("MUNICIPALITY_CLAIM"), country: country,
                    approvesMunicipality: ["true", "1", "yes"].contains(value("APPROVES_MUNICIPALITY") ?? ""),
                    secondFactorLevels: Set((value("SECOND_FACTOR_ACR") ?? "").split(separator: " ").map(String.init))))
        }
        return providers
    }
}

/// A setting the installation got wrong: stops the start, with a message for the operator.
public struct ConfigurationProblem: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    fileprivate var trimmingSuffixSlash: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// What an ID token says, once its signature is verified, and the checks OpenID Connect Core 1.0
/// (3.1.3.7) asks of it.
public struct IdentityAssertion: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    public var audiences: [String]
    public var authorizedParty: String?
    public var expires: Date
    public var issuedAt: Date
    public var nonce: String?
    public var methods: [String]
    public var level: String?
    public var email: String?
    public var emailVerified: Bool
    public var name: String?
    /// Every other claim with a text or number value, for the municipality claim.
    public var claims: [String: String]

    public init(
        issuer: String, subject: String, audiences: [String], authorizedParty: String? = nil, expires: Date,
        issuedAt: Date, nonce: String?, methods: [String] = [], level: String? = nil, email: String? = nil,
        emailVerified: Bool = false, name: String? = nil, claims: [String: String] = [:]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.authorizedParty = authorizedParty
        self.expires = expires
        self.issuedAt = issuedAt
        self.nonce = nonce
        self.methods = methods
        self.level = level
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.claims = claims
    }

    /// Clocks differ a little between the provider and here.
    public static let leeway: TimeInterval = 120
    /// An ID token is used at once; an older one is a replay.
    public static let maximumAge: TimeInterval = 600

    /// Why the token may not sign anyone in, or nil when it may: the localization key's last part.
    public func problem(for provider: OpenIDProvider, nonce expected: String, now: Date) -> String? {
        if issuer != provider.issuer { return "issuer" }
        if !audiences.contains(provider.clientID) { return "audience" }
        // Several audiences: the party it was issued to must be this client.
        if audiences.count > 1, authorizedParty != provider.clientID { return "audience" }
        if let authorizedParty, authorizedParty != provider.clientID { return "audience" }
        if expires.addingTimeInterval(Self.leeway) < now { return "expired" }
        if issuedAt > now.addingTimeInterval(Self.leeway) || issuedAt < now.addingTimeInterval(-Self.maximumAge) {
            return "issued_at"
        }
        guard let nonce, !expected.isEmpty, nonce == expected else { return "nonce" }
        if subject.isEmpty { return "subject" }
        return nil
    }

    /// The municipality the provider's municipality claim names, if it has one.
    public func municipality(for provider: OpenIDProvider) -> MunicipalityKey? {
        provider.municipalityClaim.flatMap { provider.municipality(fromClaim: claims[$0]) }
    }

    /// Whether the provider asked for more than one factor: `amr` says `mfa`, or names factors of
    /// two kinds (RFC 8176), or `acr` is a level the installation counts as such.
    public func provesSecondFactor(for provider: OpenIDProvider) -> Bool {
        if let level, provider.secondFactorLevels.contains(level) { return true }
        if methods.contains("mfa") { return true }
        let knowledge: Set = ["pwd", "pin", "kba"]
        let possession: Set = ["otp", "sms", "tel", "hwk", "swk", "sc", "pop"]
        let inherence: Set = ["fpt", "face", "iris", "retina", "vbm", "user", "geo"]
        let kinds = [knowledge, possession, inherence].filter { !$0.isDisjoint(with: methods) }
        return kinds.count >= 2
    }
}
