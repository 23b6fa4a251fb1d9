import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Accounts, roles, invitations, the audit log and the outbox, for administrators.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "accounts", use: accounts)
        routes.post("admin", "invitations", use: invite)
        // People are told to "use /admin/invitations": the address leads to the pending list.
        routes.get("admin", "invitations") { request -> Response in
            try request.require(AccountPolicy.mayManageAccounts(request.actor))
            return request.redirect(to: "/admin/accounts#invitations")
        }
        routes.post("admin", "accounts", ":id", "roles", use: grantRole)
        routes.post("admin", "accounts", ":id", "roles", ":role", "delete", use: revokeRole)
        routes.get("admin", "audit", use: auditPage)
        routes.get("admin", "outbox", use: outboxPage)
        routes.get("api", "v1", "audit", use: auditAPI)
    }

    static func describe(_ grant: RoleGrant, request: Request, organisations: [UUID: String] = [:]) -> String {
        var text = request.t("role.\(grant.kind.rawValue)")
        if let id = grant.organisationID { text += " · " + (organisations[id] ?? id.uuidString) }
        if let m = grant.municipality { text += " · " + (request.municipalities[m]?.name ?? m.description) }
        return text
    }

    /// The names of the organisations that `grants` name, in one query.
    static func organisationNames(
        of grants: some Collection<RoleGrant>, on db: any Database
    ) async throws -> [UUID: String] {
        let ids = Set(grants.compactMap(\.organisationID))
        guard !ids.isEmpty else { return [:] }
        let found = try await Organisation.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(found.compactMap { o in o.id.map { ($0, o.name) } }, uniquingKeysWith: { a, _ in a })
    }

    /// What the invited will be, in the mail's language: "organiser for KL", "coordinator for Aarhus".
    static func roleSentence(
        _ grant: RoleGrant?, language: Language, request: Request, on db: any Database
    ) async throws -> String {
        guard let grant else { return request.catalog.text("mail.invitation.role.none", language) }
        let organisations = try await organisationNames(of: [grant], on: db)
        let place =
            grant.organisationID.flatMap { organisations[$0] }
            ?? grant.municipality.map { request.municipalities[$0]?.name ?? $0.description } ?? ""
        return request.catalog.text("mail.invitation.role.\(grant.kind.rawValue)", language, [place])
    }

    struct RoleInput: Content { var kind: String?; var organisationID: String?; var municipality: String? }

    /// Reads a role from a form: organisers need an organisation, coordinators a municipality.
    static func grant(from input: RoleInput, request: Request) async throws -> RoleGrant {
        var v = Validation()
        let kind = v.oneOf("kind", input.kind, as: RoleKind.self)
        var organisationID: UUID? = nil
        var municipality: MunicipalityKey? = nil
        if kind == .organiser {
            if let id = input.organisationID.flatMap(UUID.init(uuidString:)),
                try await Organisation.find(id, on: request.db) != nil
            {
                organisationID = id
            } else {
                v.add("organisationID", "validation.organisation")
            }
        }
        if kind == .coordinator || kind == .member {
            municipality = request.municipalities.municipality("municipality", input.municipality, &v)?.key
            if municipality == nil && v.errors.isEmpty { v.add("municipality", "validation.required") }
        }
        try v.check()
        return RoleGrant(kind: kind!, organisationID: organisationID, municipality: municipality)
    }

    struct RoleRow: Encodable { var text: String; var deleteAction: String }
    struct AccountRow: Encodable {
        var id: String; var name: String; var email: String; var roles: [RoleRow]; var grantAction: String;
        var active: Bool
    }
    struct AccountsContext: Encodable {
        var page: PageContext
        var accounts: [AccountRow]
        var form: FormState
        var kinds: [Option]
        var organisations: [Option]
        var pending: [PendingRow]
    }
    /// An invitation sent and not yet accepted.
    struct PendingRow: Encodable { var email: String; var role: String; var sent: String; var expires: String }

    func accountsContext(_ request: Request, form: FormState = FormState()) async throws -> AccountsContext {
        let users = try await User.query(on: request.db).sort(\.$name).all()
        let roles = try await RoleAssignment.query(on: request.db).all()
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
        let names = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id!, $0.name) })
        let byUser = Dictionary(grouping: roles, by: \.userID)
        let now = Date()
        let waiting = try await AccountToken.query(on: request.db).filter(
            \.$purpose == AccountToken.Purpose.invitation.rawValue
        )
        .filter(\.$usedAt == nil).filter(\.$expiresAt > now).sort(\.$createdAt, .descending).all()
        let zone = request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen"
        return AccountsContext(
            page: PageContext(request, titleKey: "admin.accounts_title"),
            accounts: users.map { user in
                AccountRow(
                    id: user.id!.uuidString, name: user.name, email: user.email,
                    roles: (byUser[user.id!] ?? []).compactMap { r in
                        r.grant.map {
                            RoleRow(
                                text: Self.describe($0, request: request, organisations: names),
                                deleteAction: "/admin/accounts/\(user.id!.uuidString)/roles/\(r.id!.uuidString)/delete")
                        }
                    },
                    grantAction: "/admin/accounts/\(user.id!.uuidString)/roles", active: user.passwordHash != nil)
            },
            form: form,
            kinds: RoleKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("role.\($0.rawValue)"),
                    selected: form.values["kind"] == $0.rawValue)
            },
            organisations: organisations.map {
                Option(
                    value: $0.id!.uuidString, label: $0.name,
                    selected: form.values["organisationID"] == $0.id!.uuidString)
            },
            pending: waiting.map { token in
                PendingRow(
                    email: token.email ?? "",
                    role: token.grant.map { Self.describe($0, request: request, organisations: names) } ?? "",
                    sent: token.createdAt.map { DateText.date($0, request.language, zone: zone) } ?? "",
                    expires: DateText.date(token.expiresAt, request.language, zone: zone))
            })
    }

    func accounts(_ request: Request) async throws -> View {
        try request.require(AccountPolicy.mayManageAccounts(request.actor))
        return try await request.view.render("admin/accounts", accountsContext(request))
    }

    struct InvitationInput: Content {
        var email: String?; var kind: String?; var organisationID: String?; var municipality: String?;
        var language: String?
    }

    func invite(_ request: Request) async throws -> Response {
        try request.require(AccountPolicy.mayManageAccounts(request.actor))
        let input = try request.content.decode(InvitationInput.self)
        let values = [
            "email": input.email ?? "", "kind": input.kind ?? "", "organisationID": input.organisationID ?? "",
            "municipality": input.municipality ?? "",
        ]
        do {
            var v = Validation()
            let email = v.email("email", input.email)
            var grant: RoleGrant? = nil
            if let kind = input.kind, !kind.isEmpty {
                do {
                    grant = try await Self.grant(
                        from: RoleInput(
                            kind: kind, organisationID: input.organisationID, municipality: input.municipality),
                        request: request)
                } catch let error as SamradError {
                    for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) }
                }
            }
            try v.check()
            let language = input.language.flatMap(Language.init(rawValue:)) ?? request.language
            let role = grant
            try await request.db.transaction { db in
                try await Self.sendInvitation(to: email!, grant: role, language: language, request: request, on: db)
            }
            return request.redirect(to: "/admin/accounts", notice: "admin.invitation_sent")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "admin/accounts",
                accountsContext(request, form: FormState(values: values, error: error, request: request)))
        }
    }

    /// Mails a one-time link (14 days) that makes an account for `email`, with `grant` when given;
    /// audited in the caller's transaction.
    static func sendInvitation(
        to email: String, grant: RoleGrant?, language: Language, request: Request,
        on db: any Database
    ) async throws {
        let secret = Secret.make()
        let token = AccountToken(
            purpose: .invitation, tokenHash: Secret.hash(secret), email: email,
            expiresAt: Date().addingTimeInterval(14 * 24 * 3600))
        token.roleKind = grant?.kind.rawValue
        token.roleOrganisationID = grant?.organisationID
        token.roleMunicipality = grant?.municipality?.description
        let link = "\(request.settings.publicBaseURL)/invitations/\(secret)"
        let inviter = request.currentUser?.name ?? "Samrad"
        try await token.create(on: db)
        let role = try await roleSentence(grant, language: language, request: request, on: db)
        try await Outbox.enqueue(
            to: email, subject: request.catalog.text("mail.invitation.subject", language),
            body: request.catalog.text("mail.invitation.body", language, [inviter, link, role]),
            settings: request.settings, on: db)
        let scope = grant.map { " as \($0.kind.rawValue)" + ($0.municipality.map { " of \($0)" } ?? "") } ?? ""
        try await Audit.record(
            "account:invite", subject: "invitation", id: token.id!.uuidString,
            summary: email + scope, by: request, on: db)
    }

    func grantRole(_ request: Request) async throws -> Response {
        try request.require(AccountPolicy.mayManageAccounts(request.actor))
        guard let id = request.parameterID("id"),
            let user = try await User.find(id, on: request.db)
        else {
            throw SamradError.notFound()
        }
        let input = try request.content.decode(RoleInput.self)
        do {
            let grant = try await Self.grant(from: input, request: request)
            try await request.db.transaction { db in
                let assignment = RoleAssignment(userID: id, grant: grant)
                try await assignment.create(on: db)
                try await Audit.record(
                    "role:grant", subject: "user", id: id.uuidString,
                    summary:
                        "\(user.email): \(grant.kind.rawValue) "
                        + "\(grant.organisationID?.uuidString ?? grant.municipality?.description ?? "")",
                    by: request, on: db)
            }
            return request.redirect(to: "/admin/accounts")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "admin/accounts",
                accountsContext(
                    request, form: FormState(values: ["kind": input.kind ?? ""], error: error, request: request)))
        }
    }

    func revokeRole(_ request: Request) async throws -> Response {
        try request.require(AccountPolicy.mayManageAccounts(request.actor))
        guard let userID = request.parameterID("id"),
            let roleID = request.parameterID("role"),
            let assignment = try await RoleAssignment.find(roleID, on: request.db), assignment.userID == userID
        else {
            throw SamradError.notFound()
        }
        try await request.db.transaction { db in
            if assignment.kind == RoleKind.administrator.rawValue {
                // Two revocations at once must not both see another administrator left: on
                // PostgreSQL the administrators' rows are locked first (SQLite has one writer).
                if let sql = db as? any SQLDatabase, sql.isPostgres {
                    try await sql.raw(
                        """
                        SELECT id FROM role_assignments WHERE kind = \(bind: RoleKind.administrator.rawValue) FOR UPDATE
                        """
                    ).run()
                }
                let administrators = try await RoleAssignment.query(on: db)
                    .filter(\.$kind == RoleKind.administrator.rawValue).count()
                if administrators <= 1 {
                    throw SamradError(.conflict, "admin.last_administrator")
                }
            }
            try await assignment.delete(on: db)
            try await SessionStore.end(sessionsOf: userID, keeping: request.sessionKey, on: db)
            try await Audit.record(
                "role:revoke", subject: "user", id: userID.uuidString, summary: assignment.kind, by: request, on: db)
        }
        return request.redirect(to: "/admin/accounts")
    }

    struct AuditRow: Content {
        var at: Date; var actor: String; var action: String; var subject: String; var subjectID: String;
        var summary: String
    }
    struct AuditContext: Encodable { var page: PageContext; var rows: [AuditPageRow] }
    struct AuditPageRow: Encodable {
        var at: String; var actor: String; var action: String; var code: String; var subject: String;
        var summary: String
    }
    struct AuditJSON: Content { var items: [AuditRow] }

    func entries(_ request: Request) async throws -> [AuditEntry] {
        try request.require(AccountPolicy.mayReadAuditLog(request.actor))
        return try await AuditEntry.query(on: request.db).sort(\.$at, .descending).limit(500).all()
    }

    func auditPage(_ request: Request) async throws -> View {
        let rows = try await entries(request).map {
            AuditPageRow(
                at: AccountPages.date($0.at, request), actor: $0.actorName,
                action: request.t("audit." + $0.action.replacingOccurrences(of: ":", with: "_")), code: $0.action,
                subject: "\($0.subjectType) \($0.subjectID.prefix(8))", summary: $0.summary)
        }
        return try await request.view.render(
            "admin/audit", AuditContext(page: PageContext(request, titleKey: "admin.audit_title"), rows: rows))
    }

    func auditAPI(_ request: Request) async throws -> AuditJSON {
        AuditJSON(
            items: try await entries(request).map {
                AuditRow(
                    at: $0.at, actor: $0.actorName, action: $0.action, subject: $0.subjectType, subjectID: $0.subjectID,
                    summary: $0.summary)
            })
    }

    struct OutboxRow: Encodable {
        var to: String; var subject: String; var status: String; var attempts: Int; var next: String; var error: String?
    }
    struct OutboxContext: Encodable { var page: PageContext; var rows: [OutboxRow] }

    func outboxPage(_ request: Request) async throws -> View {
        try request.require(AccountPolicy.mayReadOutbox(request.actor))
        let messages = try await OutboxMessage.query(on: request.db).sort(\.$createdAt, .descending).limit(200).all()
        return try await request.view.render(
            "admin/outbox",
            OutboxContext(
                page: PageContext(request, titleKey: "admin.outbox_title"),
                rows: messages.map {
                    OutboxRow(
                        to: $0.recipient, subject: $0.subject, status: request.t("outbox.status.\($0.status)"),
                        attempts: $0.attempts,
                        next: $0.status == "pending" ? AccountPages.date($0.nextAttemptAt, request) : "",
                        error: $0.lastError)
                }))
    }
}
