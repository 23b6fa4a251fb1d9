import Fluent
import Foundation
import SamradCore
import Vapor

/// EInvoices: the page, where the municipalities ready for an invoice are ticked and issued at once.
extension EInvoices {
    struct Row: Encodable {
        var id: String; var name: String; var region: String; var amount: String; var format: String
        var endpoint: String?
        var reference: String; var error: String?; var ready: Bool; var chosen: Bool
    }
    /// An issued invoice or credit note.
    struct Document: Encodable {
        var number: String; var name: String; var format: String; var issued: String; var payable: String
        var href: String; var status: String?; var creditAction: String?
    }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var title: String; var backHref: String; var action: String
        var sellerReady: Bool; var sellerHref: String?; var addressesHref: String?
        var pending: [Row]; var issued: [Document]; var anyReady: Bool; var summary: String; var zipHref: String?
        var done: Int?
        /// The number of the credit note just issued.
        var credited: String?
    }

    static func fieldName(_ key: MunicipalityKey) -> String { "m_\(key.country.rawValue)_\(key.code)" }

    func context(
        _ request: Request, _ ledger: Ledger, form: FormState, done: Int? = nil, credited: String? = nil
    ) -> Context {
        let c = ledger.collaboration
        let money = { (minor: Int) in
            NumberText.decimal(Double(minor) / 100, request.language, fractionDigits: 2) + " " + c.currency
        }
        let pending = ledger.rows.filter { $0.invoice == nil }.map { row -> Row in
            let id = Self.fieldName(row.municipality.key)
            return Row(
                id: id, name: row.municipality.name, region: row.municipality.regionName,
                amount: money(row.registration.acceptedPriceMinor ?? 0),
                format: request.t("einvoices.format.\(row.format.rawValue)"), endpoint: row.endpoint,
                reference: form.values["\(id)_reference"] ?? row.registeredBy, error: form.errors[id],
                ready: row.endpoint != nil && ledger.seller != nil,
                chosen: form.values.isEmpty ? row.endpoint != nil : form.values[id] != nil)
        }
        let notes = ledger.creditNotes
        let numbers = Dictionary(ledger.documents.compactMap { d in d.id.map { ($0, d.number) } }) { a, _ in a }
        let issued = ledger.documents.map { d -> Document in
            let creditedBy = d.id.flatMap { notes[$0]?.number }
            let status =
                d.isCreditNote
                ? request.t("einvoices.credit_note_for", [d.creditsID.flatMap { numbers[$0] } ?? ""])
                : creditedBy.map { request.t("einvoices.credited_by", [$0]) }
            return Document(
                number: d.number, name: ledger.name(of: d), format: request.t("einvoices.format.\(d.format)"),
                issued: d.isCreditNote
                    ? request.t("einvoices.issued_credit", [d.issueDate])
                    : request.t("einvoices.issued_on", [d.issueDate, d.dueDate]),
                // A credit note's amount is what the municipality is credited.
                payable: money(d.isCreditNote ? -d.payableMinor : d.payableMinor),
                href: "/collaborations/\(c.slug)/einvoices/\(d.number)", status: status,
                creditAction: d.isCreditNote || creditedBy != nil
                    ? nil : "/collaborations/\(c.slug)/einvoices/\(d.number)/credit")
        }
        return Context(
            page: PageContext(request, titleKey: "einvoices.title"), form: form, title: c.title,
            backHref: "/collaborations/\(c.slug)/board", action: "/collaborations/\(c.slug)/einvoices",
            sellerReady: ledger.seller != nil,
            sellerHref: InvoicingPolicy.mayKeepSellerDetails(request.actor, organisationID: c.organiserID)
                ? "/organisations/\(c.organiserID.uuidString)/invoicing" : nil,
            addressesHref: AccountPolicy.mayKeepInvoiceAddresses(request.actor) ? "/admin/invoicing" : nil,
            pending: pending, issued: issued, anyReady: pending.contains(where: \.ready),
            summary: request.t(
                "einvoices.summary", [String(ledger.rows.count - pending.count), String(ledger.rows.count),
                    String(pending.filter(\.ready).count)]),
            zipHref: issued.isEmpty ? nil : "/collaborations/\(c.slug)/einvoices.zip", done: done, credited: credited)
    }

    func page(_ request: Request) async throws -> View {
        let ledger = try await Self.ledger(request)
        return try await request.view.render(
            "collaborations/einvoices",
            context(
                request, ledger, form: FormState(), done: request.query[Int.self, at: "issued"],
                credited: request.query[String.self, at: "credited"]))
    }

    func creditFromForm(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        do {
            let note = try await Self.credit(ledger, number: request.parameters.get("number") ?? "", request: request)
            let query = note.number.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            return request.redirect(to: "/collaborations/\(ledger.collaboration.slug)/einvoices?credited=\(query)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "collaborations/einvoices",
                context(request, ledger, form: FormState(values: ["_": ""], error: error, request: request)))
        }
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
