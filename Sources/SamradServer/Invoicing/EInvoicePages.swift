import Fluent
import Foundation
import SamradCore
import Vapor

/// EInvoices: the page, where the municipalities ready for an invoice are ticked and issued at once.
extension EInvoices {
    struct Row: Encodable {
        var id: String; var name: String; var region: String; var amount: String; var format: String
        var endpoint: String?
        /// Set once issued.
        var number: String?; var issued: String?; var payable: String?; var href: String?
        var reference: String; var error: String?; var ready: Bool; var chosen: Bool
    }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var title: String; var backHref: String; var action: String
        var sellerReady: Bool; var sellerHref: String?; var addressesHref: String?
        var pending: [Row]; var issued: [Row]; var anyReady: Bool; var summary: String; var zipHref: String?
        var done: Int?
    }

    static func fieldName(_ key: MunicipalityKey) -> String { "m_\(key.country.rawValue)_\(key.code)" }

    func context(_ request: Request, _ ledger: Ledger, form: FormState, done: Int? = nil) -> Context {
        let c = ledger.collaboration
        let rows = ledger.rows.map { row -> Row in
            let id = Self.fieldName(row.municipality.key)
            let money = { (minor: Int) in
                NumberText.decimal(Double(minor) / 100, request.language, fractionDigits: 2) + " " + c.currency
            }
            return Row(
                id: id, name: row.municipality.name, region: row.municipality.regionName,
                amount: money(row.registration.acceptedPriceMinor ?? 0),
                format: request.t("einvoices.format.\(row.format.rawValue)"), endpoint: row.endpoint,
                number: row.invoice?.number,
                issued: row.invoice.map { request.t("einvoices.issued_on", [$0.issueDate, $0.dueDate]) },
                payable: row.invoice.map { money($0.payableMinor) },
                href: row.invoice.map { "/collaborations/\(c.slug)/einvoices/\($0.number)" },
                reference: form.values["\(id)_reference"] ?? row.registeredBy, error: form.errors[id],
                ready: row.endpoint != nil && ledger.seller != nil,
                chosen: form.values.isEmpty ? row.endpoint != nil : form.values[id] != nil)
        }
        let pending = rows.filter { $0.number == nil }
        return Context(
            page: PageContext(request, titleKey: "einvoices.title"), form: form, title: c.title,
            backHref: "/collaborations/\(c.slug)/board", action: "/collaborations/\(c.slug)/einvoices",
            sellerReady: ledger.seller != nil,
            sellerHref: InvoicingPolicy.mayKeepSellerDetails(request.actor, organisationID: c.organiserID)
                ? "/organisations/\(c.organiserID.uuidString)/invoicing" : nil,
            addressesHref: AccountPolicy.mayKeepInvoiceAddresses(request.actor) ? "/admin/invoicing" : nil,
            pending: pending, issued: rows.filter { $0.number != nil }, anyReady: pending.contains(where: \.ready),
            summary: request.t(
                "einvoices.summary", [String(rows.count - pending.count), String(rows.count),
                    String(pending.filter(\.ready).count)]),
            zipHref: pending.count < rows.count ? "/collaborations/\(c.slug)/einvoices.zip" : nil, done: done)
    }

    func page(_ request: Request) async throws -> View {
        let ledger = try await Self.ledger(request)
        return try await request.view.render(
            "collaborations/einvoices",
            context(request, ledger, form: FormState(), done: request.query[Int.self, at: "issued"]))
    }

    func issueFromForm(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        let values = try request.content.decode([String: String].self).filter { $0.key.hasPrefix("m_") }
        let chosen = ledger.rows.filter { values[Self.fieldName($0.municipality.key)] != nil }.map { row in
            (row.municipality.key, values[Self.fieldName(row.municipality.key) + "_reference"])
        }
        do {
            let issued = try await Self.issue(ledger, chosen: chosen, field: Self.fieldName, request: request)
            return request.redirect(to: "/collaborations/\(ledger.collaboration.slug)/einvoices?issued=\(issued.count)")
        } catch let error as SamradError where error.kind == .invalidInput {
            var kept = values
            if kept.isEmpty { kept["_"] = "" }
            return try await request.renderForm(
                "collaborations/einvoices",
                context(request, ledger, form: FormState(values: kept, error: error, request: request)))
        }
    }
}
