import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationPages: invitations.
extension CollaborationPages {
    struct InviteContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var title: String
        var backHref: String
        var countries: [Option]
        var regions: [Option]
        var groups: [Option]
        var positions: [Option]
        var result: InviteResult?
        /// Fills the list with the municipalities of the season before.
        var lastSeason: Link?
    }

    /// What a sending did, said plainly: a success only when every municipality was reached.
    struct InviteResult: Encodable {
        var complete: Bool
        var lines: [String]
        var notReached: String?
        var names: [String]
        var links: [Link]
    }

    static func inviteResult(_ sent: Invitations.Sent, boardHref: String, request: Request) -> InviteResult {
        var lines = [
            request.t("invitations.reached", count: sent.municipalities, [String(sent.reached)]),
            request.t("invitations.emails", count: sent.recipients),
        ]
        if sent.throughMailbox > 0 {
            lines.append(request.t("invitations.through_mailbox", count: sent.throughMailbox))
        }
        guard sent.notReached > 0 else {
            return InviteResult(complete: true, lines: lines, notReached: nil, names: [], links: [])
        }
        var links = [
            Link(href: boardHref + "?reach=nobody", label: request.t("invitations.see_not_reached")),
            Link(href: "/people/import", label: request.t("invitations.import_people")),
        ]
        if AccountPolicy.mayKeepMailboxes(request.actor) {
            links.append(Link(href: "/admin/mailboxes", label: request.t("invitations.fill_mailboxes")))
        }
        return InviteResult(
            complete: false, lines: lines, notReached: request.t("invitations.not_reached", count: sent.notReached),
            names: sent.withoutRecipient, links: links)
    }

    func inviteContext(
        _ request: Request, _ c: Collaboration, form: FormState, result: InviteResult? = nil
    ) -> InviteContext {
        Self.inviteContext(request, title: c.title, base: "/collaborations/\(c.slug)", form: form, result: result)
    }

    /// The invitation page of a collaboration or of a whole programme (`base` is its address).
    static func inviteContext(
        _ request: Request, title: String, base: String, form: FormState,
        result: InviteResult? = nil, previous: NextSeason.Previous? = nil
    ) -> InviteContext {
        let directory = request.municipalities
        let v = form.values
        let regions = Country.allCases.flatMap { country in
            directory.regions(of: country).map {
                Option(
                    value: "\(country.rawValue):\($0.code)",
                    label: "\(request.t("country.\(country.rawValue)")) – \($0.name)",
                    selected: v["region"] == "\(country.rawValue):\($0.code)")
            }
        }
        let groups = Country.allCases.flatMap { country in
            directory.groups(of: country).map {
                Option(
                    value: "\(country.rawValue):\($0.code)",
                    label: "\(request.t("country.\(country.rawValue)")) – \($0.name)",
                    selected: v["group"] == "\(country.rawValue):\($0.code)")
            }
        }
        let chosen = Set((v["positions"] ?? "").split(separator: ",").map(String.init))
        return InviteContext(
            page: PageContext(request, titleKey: "invitations.title"), form: form, action: base + "/invitations",
            title: title,
            backHref: base,
            countries: Country.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                    selected: (v["country"] ?? "dk") == $0.rawValue)
            },
            regions: regions, groups: groups,
            positions: Position.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("position.\($0.rawValue)"),
                    selected: chosen.contains($0.rawValue))
            },
            result: result,
            lastSeason: previous.flatMap { before in
                before.municipalities.isEmpty
                    ? nil
                    : Link(
                        href: base + "/invitations?from=previous",
                        label: request.t(
                            "next_season.invite_again", count: before.municipalities.count, [before.title]))
            })
    }

    /// The form's first values: all of a country, or with `?from=previous` the list of the
    /// municipalities that took part in the season before.
    static func firstValues(_ request: Request, previous: NextSeason.Previous?) -> [String: String] {
        if request.query[String.self, at: "from"] == "previous", let previous, !previous.municipalities.isEmpty {
            return ["scope": "list", "list": previous.municipalities.map(\.description).joined(separator: ", ")]
        }
        return ["scope": "country", "country": "dk"]
    }

    func inviteForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let previous = try await NextSeason.previous(of: c, on: request.db)
        return try await request.view.render(
            "collaborations/invite",
            Self.inviteContext(
                request, title: c.title, base: "/collaborations/\(c.slug)",
                form: FormState(values: Self.firstValues(request, previous: previous)), previous: previous))
    }

    func invite(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let (input, values) = try Self.invitationForm(request)
        do {
            let sent = try await CollaborationAPI.invite(c, input, request: request)
            let result = Self.inviteResult(sent, boardHref: "/collaborations/\(c.slug)/board", request: request)
            return try await request.view.render(
                "collaborations/invite", inviteContext(request, c, form: FormState(values: values), result: result)
            ).encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .conflict {
            return try await request.renderForm(
                "collaborations/invite",
                inviteContext(request, c, form: FormState(values: values, error: error, request: request)),
                refusing: error)
        }
    }

    /// The invitation form as the API's input, and its values to show again.
    static func invitationForm(_ request: Request) throws -> (CollaborationAPI.InvitationInput, [String: String]) {
        struct Form: Decodable {
            var scope: String?; var country: String?; var region: String?; var group: String?; var list: String?;
            var positions: [String]?; var documentNumber: String?
        }
        let form = try request.content.decode(Form.self)
        var country = form.country, code: String? = nil
        let picked = form.scope == "region" ? form.region : form.scope == "group" ? form.group : nil
        if let picked, let colon = picked.firstIndex(of: ":") {
            country = String(picked[..<colon])
            code = String(picked[picked.index(after: colon)...])
        }
        let values = [
            "scope": form.scope ?? "", "country": form.country ?? "", "region": form.region ?? "",
            "group": form.group ?? "",
            "list": form.list ?? "", "positions": (form.positions ?? []).joined(separator: ","),
            "documentNumber": form.documentNumber ?? "",
        ]
        return (
            .init(
                scope: form.scope, country: country, code: code, list: form.list, positions: form.positions,
                documentNumber: form.documentNumber),
            values
        )
    }
}
