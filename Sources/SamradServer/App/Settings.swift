import Foundation
import SamradCore
import Vapor

/// Everything an instance is configured with: flags and environment variables only (12-factor).
public struct Settings: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqlite(path: String)
        case sqliteInMemory
        case postgres(url: String)
    }

    public var storage: Storage
    /// Where links in e-mails point, e.g. https://samrad.example.dk (no trailing slash).
    public var publicBaseURL: String
    /// smtp://user:password@host:port, with ?starttls=true to upgrade; nil writes .eml files.
    public var smtpURL: String?
    public var mailFrom: String
    /// Folder for .eml files when there is no SMTP server.
    public var outboxDirectory: String
    /// Seconds between outbox rounds, and the first retry delay.
    public var outboxInterval: Double
    public var outboxRetryBase: Double
    public var runsScheduledWork: Bool
    public var loadsDemoContent: Bool
    /// Loads the shipped indicator data set at start (skipped when already loaded); tests that do
    /// not read indicators leave it out to start faster.
    public var loadsIndicatorData: Bool
    /// Bcrypt cost; lower only in tests.
    public var bcryptCost: Int
    /// This instance among several (host, process, a random part): the holder of the job leases it
    /// takes, and in its log lines.
    public var instanceName: String
    /// Seconds a scheduled job's lease lasts: when its holder dies, another instance takes the job
    /// after this.
    public var jobLease: Double
    /// Addresses of the proxies in front (e.g. 127.0.0.1 for nginx on the same machine), whose
    /// X-Forwarded-For is believed.
    public var trustedProxies: [String]
    /// How long a signed-in session lasts in all and without a request (SESSION_LIFETIME_HOURS,
    /// SESSION_IDLE_MINUTES).
    public var sessions: SessionTerms
    /// Administrators' and organisers' roles take effect only after a second factor (REQUIRE_TWO_FACTOR=true).
    public var requiresTwoFactorForRoles: Bool
    /// The identity providers people may sign in with (OIDC_PROVIDERS and its OIDC_<NAME>_… variables).
    public var openIDProviders: [OpenIDProvider]
    /// Who may sign in with a password (PASSWORD_SIGN_IN): everyone, or, once an identity provider
    /// serves the rest, administrators only.
    public var passwordSignIn: PasswordSignIn
    /// The password Prometheus sends (basic authentication) to read `/metrics` (METRICS_PASSWORD);
    /// without one only the machine itself may.
    public var metricsPassword: String?
    /// Whether requests and their queries are traced to an OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT,
    /// see `Traces`).
    public var sendsTraces: Bool

    public enum PasswordSignIn: String, Sendable { case everyone, administrators }

    public init(
        storage: Storage, publicBaseURL: String = "http://127.0.0.1:8080", smtpURL: String? = nil,
        mailFrom: String = "Samrad <no-reply@samrad.localhost>", outboxDirectory: String = "outbox",
        outboxInterval: Double = 2, outboxRetryBase: Double = 30, runsScheduledWork: Bool = true,
        loadsDemoContent: Bool = false, loadsIndicatorData: Bool = true, bcryptCost: Int = 12,
        instanceName: String = Settings.defaultInstanceName, jobLease: Double = 300, trustedProxies: [String] = [],
        sessions: SessionTerms = .standard, requiresTwoFactorForRoles: Bool = false,
        openIDProviders: [OpenIDProvider] = [], passwordSignIn: PasswordSignIn = .everyone,
        metricsPassword: String? = nil, sendsTraces: Bool = false
    ) {
        self.storage = storage
        self.publicBaseURL = publicBaseURL
        self.smtpURL = smtpURL
        self.mailFrom = mailFrom
        self.outboxDirectory = outboxDirectory
        self.outboxInterval = outboxInterval
        self.outboxRetryBase = outboxRetryBase
        self.runsScheduledWork = runsScheduledWork
        self.loadsDemoContent = loadsDemoContent
        self.loadsIndicatorData = loadsIndicatorData
        self.bcryptCost = bcryptCost
        self.instanceName = instanceName
        self.jobLease = jobLease
        self.trustedProxies = trustedProxies
        self.sessions = sessions
        self.requiresTwoFactorForRoles = requiresTwoFactorForRoles
        self.openIDProviders = openIDProviders
        self.passwordSignIn = passwordSignIn
        self.metricsPassword = metricsPassword
        self.sendsTraces = sendsTraces
    }

    public static var defaultInstanceName: String {
        // gethostname, not ProcessInfo.hostName: that one may wait on a name lookup.
        var host = [CChar](repeating: 0, count: 256)
        let name =
            gethostname(&host, 255) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "samrad"
        return "\(name)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(4).lowercased())"
    }

    /// Reads the environment: DATABASE_URL (postgres://… or a SQLite file path / sqlite://path),
    /// PUBLIC_BASE_URL, SMTP_URL, MAIL_FROM, OUTBOX_DIR, OUTBOX_INTERVAL, OUTBOX_RETRY_BASE, INSTANCE_NAME,
    /// JOB_LEASE, TRUSTED_PROXIES, SESSION_LIFETIME_HOURS, SESSION_IDLE_MINUTES,
    /// REQUIRE_TWO_FACTOR, OIDC_PROVIDERS (with OIDC_<NAME>_…), PASSWORD_SIGN_IN, METRICS_PASSWORD,
    /// OTEL_EXPORTER_OTLP_ENDPOINT. A setting it cannot use stops the start with a `ConfigurationProblem`
    /// that names it.
    public static func fromEnvironment(
        databasePath: String?, host: String, port: Int, demo: Bool
    ) throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        let storage: Storage
        if let path = databasePath {
            storage = Settings.storage(from: path)
        } else if let url = env["DATABASE_URL"], !url.isEmpty {
            storage = Settings.storage(from: url)
        } else {
            storage = .sqlite(path: "samrad.sqlite")
        }
        return Settings(
            storage: storage,
            publicBaseURL: env["PUBLIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }?.trimmingSuffix("/")
                ?? "http://\(host):\(port)",
            smtpURL: env["SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 },
            mailFrom: env["MAIL_FROM"] ?? "Samrad <no-reply@samrad.localhost>",
            outboxDirectory: env["OUTBOX_DIR"] ?? "outbox",
            outboxInterval: env["OUTBOX_INTERVAL"].flatMap(Double.init) ?? 2,
            outboxRetryBase: env["OUTBOX_RETRY_BASE"].flatMap(Double.init) ?? 30,
            loadsDemoContent: demo,
            instanceName: env["INSTANCE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? Settings.defaultInstanceName,
            jobLease: env["JOB_LEASE"].flatMap(Double.init) ?? 300,
            trustedProxies: (env["TRUSTED_PROXIES"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty },
            sessions: SessionTerms(
                lifetimeHours: env["SESSION_LIFETIME_HOURS"], idleMinutes: env["SESSION_IDLE_MINUTES"]),
            requiresTwoFactorForRoles: ["true", "1", "yes"].contains((env["REQUIRE_TWO_FACTOR"] ?? "").lowercased()),
            openIDProviders: try OpenIDProvider.configured(in: env),
            passwordSignIn: try passwordSignIn(env["PASSWORD_SIGN_IN"]),
            metricsPassword: env["METRICS_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            sendsTraces: Traces.wanted(in: env)
        )
    }

    static func passwordSignIn(_ value: String?) throws -> PasswordSignIn {
        guard let value, !value.isEmpty else { return .everyone }
        guard let mode = PasswordSignIn(rawValue: value.lowercased()) else {
            throw ConfigurationProblem("PASSWORD_SIGN_IN must be everyone or administrators")
        }
        return mode
    }

    static func storage(from value: String) -> Storage {
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") { return .postgres(url: value) }
        if value.hasPrefix("sqlite://") { return .sqlite(path: String(value.dropFirst("sqlite://".count))) }
        if value == ":memory:" { return .sqliteInMemory }
        return .sqlite(path: value)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
