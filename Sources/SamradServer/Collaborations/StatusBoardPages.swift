import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationPages: status board and exports.
extension CollaborationPages {
    struct BoardContext: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var summary: String
        var counts: [Fact]
        var regions: [Option]
        var statuses: [Option]
        var reaches: [Option]
        var notReached: String?
        /// The table's rows, written in Swift (`boardRows`): Leaf took 60 % of the page for 290 rows.
        var rowsHTML: HTMLFragment
        var downloads: [DownloadLinks]
        /// The e-invoices of a paid track (the Invoicing feature's page).
        var einvoicesHref: String?
    }

    func board(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let board = try await StatusBoard.load(c, request: request)
        let region = request.query[String.self, at: "region"].flatMap { $0.isEmpty ? nil : $0 }
        let status = request.query[String.self, at: "status"].flatMap(RegistrationStatus.init(rawValue:))
        let reach = request.query[String.self, at: "reach"].flatMap(InvitationReach.State.init(rawValue:))
        let regionsShown = Dictionary(
            board.rows.map { ($0.municipality.regionCode, $0.municipality.regionName) }, uniquingKeysWith: { a, _ in a }
        )
        let rows = Self.boardRows(board.filtered(region: region, status: status, reach: reach), c, request)
        return try await request.view.render(
            "collaborations/board",
            BoardContext(
                page: PageContext(request, titleKey: "board.title"), title: c.title,
                backHref: "/collaborations/\(c.slug)",
                summary: board.summaryText(request),
                counts: RegistrationStatus.allCases.map {
                    Fact(label: request.t("registration_status.\($0.rawValue)"), value: String(board.summary.count($0)))
                },
                regions: [Option(value: "", label: request.t("directory.all_regions"), selected: region == nil)]
                    + regionsShown.sorted { $0.value < $1.value }.map {
                        Option(value: $0.key, label: $0.value, selected: region == $0.key)
                    },
                statuses: [Option(value: "", label: request.t("board.all_statuses"), selected: status == nil)]
                    + RegistrationStatus.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("registration_status.\($0.rawValue)"),
                            selected: status == $0)
                    },
                reaches: [Option(value: "", label: request.t("board.reach_all"), selected: reach == nil)]
                    + InvitationReach.State.allCases.map {
                        Option(
                            value: $0.rawValue, label: request.t("board.reach.\($0.rawValue)"), selected: reach == $0)
                    },
                notReached: board.notReached == 0 ? nil : request.t("board.not_reached", count: board.notReached),
                rowsHTML: rows,
                downloads: [
                    DownloadLinks(
                        base: "/collaborations/\(c.slug)/registrations", label: request.t("board.csv_registrations")),
                    DownloadLinks(
                        base: "/collaborations/\(c.slug)/participants", label: request.t("board.csv_participants")),
                ]
                    + (c.price == .free
                        ? []
                        : [
                            DownloadLinks(
                                base: "/collaborations/\(c.slug)/invoices", label: request.t("board.csv_invoices"))
                        ]),
                einvoicesHref: c.price == .free ? nil : "/collaborations/\(c.slug)/einvoices"
            ))
    }

    /// One row per municipality, as the template around it writes the rest of the page.
    static func boardRows(_ rows: [StatusBoard.Row], _ c: Collaboration, _ request: Request) -> HTMLFragment {
        let nobody = request.t("board.reach.nobody")
        let addPerson = request.t("board.add_person")
        // Each word is looked up once for the whole table, not once per row.
        var words: [String: String] = [:]
        func t(_ key: String) -> String {
            if let word = words[key] { return word }
            let word = request.t(key)
            words[key] = word
            return word
        }
        var html = HTMLFragment()
        for row in rows {
            let m = row.municipality
            let status = t("registration_status.\(row.status.rawValue)") + (row.waitlistPlace.map { " (\($0))" } ?? "")
            let answered = row.status == .notAnswered ? nil : Self.when(row.answeredAt, request)
            let reached: HTMLFragment =
                row.reach == .nobody
                ? """
                <strong class="tag tag-warning">\(nobody)</strong>
                    <a href="/people/new?municipality=\(m.key.description)">\(addPerson)<span \
                class="visually-hidden"> – \(m.name)</span></a>
                """
                : HTMLFragment(
                    joining: row.reached.map {
                        "\($0.name) (\(t("board.reached_by.\($0.channel.rawValue)")))<br>"
                    })
            let seats = HTMLFragment(
                joining: row.seats.map { "\(t("position.\($0.position)")): \($0.name)<br>" })
            html.append(
                """
                <tr class="status-\(row.status.rawValue)"><th scope="row"><a \
                href="/collaborations/\(c.slug)/registrations/\(m.country.rawValue)/\(m.code)">\(m.name)</a></th>
                    <td>\(m.regionName)</td><td><span class="tag status-\(row.status.rawValue)">\(status)</span></td>\
                <td>\(Self.when(row.invitedAt, request))</td>
                    <td>\(reached)</td><td>\(answered)</td>
                    <td>\(seats)</td></tr>

                """)
        }
        return html
    }

    func managedBoard(_ request: Request) async throws -> StatusBoard {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return try await StatusBoard.load(c, request: request)
    }

    func registrationsCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "region", "status", "waitlist_place", "invited_at", "reach",
            "reached", "answered_at", "seats", "case_number", "invitation_document",
        ])
        let iso = ISO8601DateFormatter()
        for row in board.rows {
            let reached = row.reached.map { "\($0.name) (\($0.channel.rawValue))" }.joined(separator: "; ")
            writer.append([
                row.municipality.country.rawValue, row.municipality.code, row.municipality.name,
                row.municipality.regionName,
                row.status.rawValue, row.waitlistPlace.map(String.init) ?? "", row.invitedAt.map(iso.string) ?? "",
                row.reach?.rawValue ?? "", reached,
                row.status == .notAnswered ? "" : row.answeredAt.map(iso.string) ?? "", String(row.seats.count),
                board.collaboration.caseNumber ?? "", row.invitationDocument ?? "",
            ])
        }
        return try writer.download(request, name: "\(board.collaboration.slug)-registrations")
    }

    func participantsCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "status", "position", "name", "email", "phone",
        ])
        for row in board.rows where row.status.isActive {
            for seat in row.seats {
                writer.append([
                    row.municipality.country.rawValue, row.municipality.code, row.municipality.name,
                    row.status.rawValue,
                    seat.position, seat.name, seat.email ?? "", seat.phone ?? "",
                ])
            }
        }
        return try writer.download(request, name: "\(board.collaboration.slug)-participants")
    }

    /// One line per registered municipality of a paid collaboration, addressed with the invoice
    /// addresses administrators keep (`/admin/invoicing`): the EAN/GLN or Peppol id, and the
    /// organisation number; empty where none is known yet.
    func invoicesCSV(_ request: Request) async throws -> Response {
        let board = try await managedBoard(request)
        let c = board.collaboration
        var writer = CSVWriter(header: [
            "country", "code", "municipality", "ean_gln_or_org_number", "description", "amount", "currency", "vat_note",
            "organisation_number", "case_number",
        ])
        let registered = board.rows.filter { $0.status == .registered }
        let addresses = try await OfficialInvoiceAddresses.of(registered.map(\.municipality.key), on: request.db)
        for row in registered {
            guard let minor = row.acceptedPriceMinor else { continue }
            let address = addresses[row.municipality.key]
            writer.append([
                row.municipality.country.rawValue, row.municipality.code, row.municipality.name,
                address?.electronicAddress ?? address?.organisationNumber ?? "", c.title,
                String(format: "%.2f", Double(minor) / 100), c.currency, c.vatNote ?? "",
                address?.organisationNumber ?? "", c.caseNumber ?? "",
            ])
        }
        return try writer.download(request, name: "\(c.slug)-invoices")
    }
}
