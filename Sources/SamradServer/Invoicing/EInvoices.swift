import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor
import ZIPFoundation

/// A paid collaboration's e-invoices: one per registered municipality, issued by those who manage it
/// (`InvoicingPolicy.mayIssue`) under its organisation's numbers, credited in full by a credit note
/// when withdrawn or wrong, and downloaded as the document the buyer's country reads.
/// `/collaborations/{slug}/einvoices` and `/api/v1/collaborations/{slug}/einvoices`.
struct EInvoices: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("collaborations", ":slug", "einvoices", use: page)
        routes.post("collaborations", ":slug", "einvoices", use: issueFromForm)
        routes.get("collaborations", ":slug", "einvoices.zip", use: archive)
        routes.get("collaborations", ":slug", "einvoices", ":number", use: document)
        routes.post("collaborations", ":slug", "einvoices", ":number", "credit", use: creditFromForm)
        let api = routes.grouped("api", "v1", "collaborations", ":slug", "einvoices")
        api.get(use: listAPI)
        api.post(use: issueAPI)
        api.get(":number", use: document)
        api.post(":number", "credit", use: creditAPI)
    }

    /// A collaboration's invoicing as it stands: every registered municipality that accepted a price,
    /// its invoice address, and its invoice once issued; and every document issued, in order.
    struct Ledger {
        struct Row {
            var municipality: Municipality
            var registration: Registration
            var address: InvoiceAddress?
            /// Its invoice that no credit note cancels.
            var invoice: IssuedInvoice?
            /// Who registered the municipality: the reference an invoice carries unless told another.
            var registeredBy: String
            var format: EInvoiceFormat

            var endpoint: String? { address?.endpoint(in: municipality.country).map { "\($0.scheme):\($0.id)" } }
        }

        var collaboration: Collaboration
        var seller: SellerDetails?
        var rows: [Row]
        var documents: [IssuedInvoice]
        var directory: MunicipalityDirectory

        func row(_ key: MunicipalityKey) -> Row? { rows.first { $0.municipality.key == key } }
        /// The municipality a document was issued to, by name, also when it is no longer registered.
        func name(of d: IssuedInvoice) -> String {
            d.municipality.flatMap { directory[$0]?.name } ?? d.municipalityCode
        }
        /// The credit note that cancels an invoice, by the invoice's id.
        var creditNotes: [UUID: IssuedInvoice] { Self.creditNotes(documents) }

        static func creditNotes(_ documents: [IssuedInvoice]) -> [UUID: IssuedInvoice] {
            Dictionary(
                documents.compactMap { d in d.creditsID.map { ($0, d) } }, uniquingKeysWith: { a, _ in a })
        }

        /// The invoices no credit note cancels: a municipality has at most one.
        static func standing(_ documents: [IssuedInvoice]) -> [IssuedInvoice] {
            let credited = creditNotes(documents)
            return documents.filter { !$0.isCreditNote && credited[$0.id!] == nil }
        }
    }

    static func ledger(_ request: Request) async throws -> Ledger {
        let c = try await CollaborationAccess.load(request)
        try request.require(InvoicingPolicy.mayIssue(request.actor, organiserID: c.organiserID))
        let registrations = try await Registration.query(on: request.db)
            .filter(\.$collaborationID == c.id!)
            .filter(\.$status == RegistrationStatus.registered.rawValue)
            .filter(\.$acceptedPriceMinor != nil)
            .sort(\.$sequence).all()
        let documents = try await IssuedInvoice.query(on: request.db).filter(\.$collaborationID == c.id!)
            .sort(\.$createdAt).all()
        let byKey = Dictionary(
            Ledger.standing(documents).compactMap { i in i.municipality.map { ($0, i) } },
            uniquingKeysWith: { a, _ in a })
        let keys = registrations.map { r in
            Country(rawValue: r.municipalityCountry).map { MunicipalityKey($0, r.municipalityCode) }
        }
        let addresses = try await OfficialInvoiceAddresses.of(keys.compactMap { $0 }, on: request.db)
        let people = try await Person.query(on: request.db)
            .filter(\.$id ~~ Set(registrations.compactMap(\.registeredBy))).all()
        let names = Dictionary(people.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let seller = try await SellerDetails.of(c.organiserID, on: request.db)
        var rows: [Ledger.Row] = []
        for (registration, key) in zip(registrations, keys) {
            guard let key, let m = request.municipalities[key] else { continue }
            rows.append(
                Ledger.Row(
                    municipality: m, registration: registration, address: addresses[key], invoice: byKey[key],
                    registeredBy: registration.registeredBy.flatMap { names[$0] } ?? "",
                    format: seller?.details.format(for: m.country) ?? (m.country == .dk ? .oioubl : .peppolBIS3)))
        }
        return Ledger(
            collaboration: c, seller: seller, rows: rows, documents: documents, directory: request.municipalities)
    }

    /// Issues invoices to the municipalities `chosen` (with the reference each carries): all or none.
    /// Numbers are taken from the seller's row in the same transaction, which also holds other issuers
    /// of the organisation back until it ends, so a number and a municipality's invoice are given once.
    static func issue(
        _ ledger: Ledger, chosen: [(MunicipalityKey, String?)], field: @escaping @Sendable (MunicipalityKey) -> String,
        request: Request
    ) async throws -> [IssuedInvoice] {
        let c = ledger.collaboration
        guard let seller = ledger.seller else {
            throw SamradError.invalid([FieldError(field: "seller", "einvoices.error.no_seller")])
        }
        guard !chosen.isEmpty else {
            throw SamradError.invalid([FieldError(field: "municipalities", "einvoices.error.none_chosen")])
        }
        var v = Validation()
        var issuing: [(Ledger.Row, String)] = []
        for (key, reference) in chosen {
            guard let row = ledger.row(key) else {
                v.add(field(key), "einvoices.error.not_registered", [key.description])
                continue
            }
            let name = row.municipality.name
            if row.invoice != nil { v.add(field(key), "einvoices.error.already", [name]) }
            if row.endpoint == nil { v.add(field(key), "einvoices.error.no_address", [name]) }
            let text = (reference ?? row.registeredBy).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty || text.count > 100 { v.add(field(key), "einvoices.error.reference", [name]) }
            issuing.append((row, text))
        }
        try v.check()
        let zone = TimeZone(identifier: seller.details.country.timeZoneIdentifier)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = Date()
        func day(_ date: Date) -> String {
            let d = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", d.year!, d.month!, d.day!)
        }
        let issueDate = day(now)
        let dueDate = day(calendar.date(byAdding: .day, value: seller.details.paymentDays, to: now)!)
        let period = c.periodStart.flatMap { start in c.periodEnd.map { (start: start, end: $0) } }
        return try await request.db.transaction { [issuing] db in
            struct Next: Decodable { var next_number: Int }
            guard
                let next = try await db.sql.raw(
                    """
                    UPDATE seller_details SET next_number = next_number + \(bind: issuing.count)
                    WHERE id = \(bind: seller.id!) RETURNING next_number
                    """
                ).first(decoding: Next.self)
            else { throw SamradError.notFound("seller.error.none") }
            let taken = Ledger.standing(
                try await IssuedInvoice.query(on: db).filter(\.$collaborationID == c.id!).all()
            ).compactMap(\.municipality)
            if let twice = issuing.first(where: { taken.contains($0.0.municipality.key) }) {
                throw SamradError.invalid([
                    FieldError(
                        field: field(twice.0.municipality.key), "einvoices.error.already", [twice.0.municipality.name])
                ])
            }
            var issued: [IssuedInvoice] = []
            for (index, (row, reference)) in issuing.enumerated() {
                let number = seller.details.numberPrefix + String(next.next_number - issuing.count + index)
                let invoice = EInvoice(
                    number: number, documentID: UUID(), issueDate: issueDate, dueDate: dueDate, currency: c.currency,
                    seller: seller.details,
                    buyer: EInvoice.Buyer(
                        name: row.municipality.name, country: row.municipality.country, address: row.address!,
                        reference: reference),
                    lines: [
                        EInvoice.Line(
                            name: c.title, description: c.hostBody, itemID: c.slug,
                            netMinor: row.registration.acceptedPriceMinor!)
                    ],
                    contractReference: c.caseNumber, period: period)
                let record = try IssuedInvoice(
                    invoice, organisationID: seller.organisationID, collaborationID: c.id!,
                    municipality: row.municipality.key, credits: nil, issuedBy: request.actor.userID)
                try await record.create(on: db)
                issued.append(record)
            }
            let numbers = issued.map(\.number)
            try await Audit.record(
                "einvoices:issue", subject: "collaboration", id: c.id!.uuidString,
                summary: "\(numbers.first ?? "")–\(numbers.last ?? "") (\(numbers.count))", by: request, on: db)
            return issued
        }
    }

    /// Cancels an invoice in full with a credit note under the seller's next number: the same buyer,
    /// lines, VAT and format as the invoice, with a reference to it. The municipality may then be
    /// invoiced again.
    static func credit(_ ledger: Ledger, number: String, request: Request) async throws -> IssuedInvoice {
        let c = ledger.collaboration
        guard let original = ledger.documents.first(where: { $0.number == number && !$0.isCreditNote }),
            let key = original.municipality
        else { throw SamradError.notFound("einvoices.error.not_found") }
        guard let seller = ledger.seller else {
            throw SamradError.invalid([FieldError(field: "seller", "einvoices.error.no_seller")])
        }
        if ledger.creditNotes[original.id!] != nil {
            throw SamradError.invalid([FieldError(field: "number", "einvoices.error.credited", [number])])
        }
        let zone = original.seller.country.timeZoneIdentifier
        let today = DateText.isoDay(Date(), zone: zone)
        let name = request.municipalities[key]?.name ?? original.municipalityCode
        let period = c.periodStart.flatMap { start in c.periodEnd.map { (start: start, end: $0) } }
        return try await request.db.transaction { db in
            struct Next: Decodable { var next_number: Int }
            guard
                let next = try await db.sql.raw(
                    """
                    UPDATE seller_details SET next_number = next_number + 1
                    WHERE id = \(bind: seller.id!) RETURNING next_number
                    """
                ).first(decoding: Next.self)
            else { throw SamradError.notFound("seller.error.none") }
            let twice = try await IssuedInvoice.query(on: db).filter(\.$creditsID == original.id!).count()
            if twice > 0 {
                throw SamradError.invalid([FieldError(field: "number", "einvoices.error.credited", [number])])
            }
            let creditNumber = seller.details.numberPrefix + String(next.next_number - 1)
            let note = EInvoice(
                kind: .creditNote(of: original.number, issued: original.issueDate), number: creditNumber,
                documentID: UUID(), issueDate: today, dueDate: today, currency: original.currency,
                seller: original.seller,
                buyer: EInvoice.Buyer(
                    name: name, country: key.country, address: original.buyerAddress,
                    reference: original.reference),
                lines: [
                    EInvoice.Line(name: c.title, description: c.hostBody, itemID: c.slug, netMinor: original.netMinor)
                ],
                contractReference: c.caseNumber, period: period)
            let record = try IssuedInvoice(
                note, organisationID: seller.organisationID, collaborationID: c.id!,
                municipality: key, credits: original.id,
                issuedBy: request.actor.userID)
            try await record.create(on: db)
            try await Audit.record(
                "einvoices:credit", subject: "collaboration", id: c.id!.uuidString,
                summary: "\(creditNumber) credits \(original.number)", by: request, on: db)
            return record
        }
    }

    /// One issued document, by its number, as XML to save or send.
    func document(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        let number = request.parameters.get("number") ?? ""
        guard let invoice = ledger.documents.first(where: { $0.number == number }) else {
            throw SamradError.notFound("einvoices.error.not_found")
        }
        let response = Response(status: .ok, body: .init(string: invoice.document))
        response.headers.contentType = HTTPMediaType(
            type: "application", subType: "xml", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "\(invoice.number).xml")
        return response
    }

    /// Every issued document of the collaboration in one ZIP, for an e-invoicing service's upload.
    func archive(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        let invoices = ledger.documents
        guard !invoices.isEmpty else { throw SamradError.notFound("einvoices.error.not_found") }
        let zip = try Archive(accessMode: .create)
        for invoice in invoices {
            let data = Data(invoice.document.utf8)
            try zip.addEntry(
                with: "\(invoice.number).xml", type: .file, uncompressedSize: Int64(data.count),
                modificationDate: invoice.createdAt ?? Date(), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        guard let data = zip.data else { throw Archive.ArchiveError.unwritableArchive }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.contentDisposition = .init(.attachment, filename: "\(ledger.collaboration.slug)-einvoices.zip")
        return response
    }

    // MARK: The API

    struct InvoiceJSON: Content {
        var number: String; var municipality: String; var name: String; var format: String
        /// "invoice" or "credit_note".
        var kind: String
        /// For a credit note: the invoice it cancels; for an invoice: the credit note that cancels it.
        var credits: String?; var creditedBy: String?
        var issueDate: String; var dueDate: String; var currency: String
        /// The amount due with VAT, as the document states it ("15431.88").
        var payable: String
        var href: String

        init(_ i: IssuedInvoice, name: String, slug: String, ledger: [IssuedInvoice]) {
            number = i.number
            municipality = i.municipality?.description ?? ""
            self.name = name
            format = i.format
            kind = i.kind
            credits = i.creditsID.flatMap { id in ledger.first { $0.id == id }?.number }
            creditedBy = i.id.flatMap { Ledger.creditNotes(ledger)[$0]?.number }
            issueDate = i.issueDate
            dueDate = i.dueDate
            currency = i.currency
            payable = EInvoice.amountText(i.payableMinor)
            href = "/api/v1/collaborations/\(slug)/einvoices/\(i.number)"
        }
    }

    struct PendingJSON: Content {
        var municipality: String; var name: String; var format: String
        /// The accepted price without VAT.
        var net: String
        var peppolEndpoint: String?
        var reference: String
        var ready: Bool
    }

    struct LedgerJSON: Content {
        var sellerReady: Bool
        var issued: [InvoiceJSON]
        var pending: [PendingJSON]

        init(_ ledger: Ledger) {
            let slug = ledger.collaboration.slug
            sellerReady = ledger.seller != nil
            issued = ledger.documents.map { d in
                InvoiceJSON(d, name: ledger.name(of: d), slug: slug, ledger: ledger.documents)
            }
            pending = ledger.rows.filter { $0.invoice == nil }.map { row in
                PendingJSON(
                    municipality: row.municipality.key.description, name: row.municipality.name,
                    format: row.format.rawValue, net: EInvoice.amountText(row.registration.acceptedPriceMinor ?? 0),
                    peppolEndpoint: row.endpoint, reference: row.registeredBy, ready: row.endpoint != nil)
            }
        }
    }

    func listAPI(_ request: Request) async throws -> LedgerJSON {
        LedgerJSON(try await Self.ledger(request))
    }

    struct IssueInput: Content {
        struct Choice: Content { var municipality: String?; var reference: String? }
        var municipalities: [Choice]?
    }

    /// Issues to the municipalities named, `{"municipalities": [{"municipality": "dk/461", "reference": "…"}]}`;
    /// errors name `municipalities[i]`.
    func issueAPI(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        let input = try request.content.decode(IssueInput.self)
        var v = Validation()
        var chosen: [(MunicipalityKey, String?)] = []
        var fields: [MunicipalityKey: String] = [:]
        for (index, choice) in (input.municipalities ?? []).enumerated() {
            guard let key = choice.municipality.flatMap({ MunicipalityKey(path: $0) }) else {
                v.add("municipalities[\(index)]", "validation.municipality")
                continue
            }
            fields[key] = "municipalities[\(index)]"
            chosen.append((key, choice.reference))
        }
        try v.check()
        let issued = try await Self.issue(
            ledger, chosen: chosen, field: { [fields] in fields[$0] ?? "municipalities" }, request: request)
        return try await issued.map {
            InvoiceJSON($0, name: ledger.name(of: $0), slug: ledger.collaboration.slug, ledger: issued)
        }.encodeResponse(status: .created, for: request)
    }

    func creditAPI(_ request: Request) async throws -> Response {
        let ledger = try await Self.ledger(request)
        let note = try await Self.credit(ledger, number: request.parameters.get("number") ?? "", request: request)
        return try await InvoiceJSON(
            note, name: ledger.name(of: note), slug: ledger.collaboration.slug, ledger: ledger.documents + [note]
        ).encodeResponse(status: .created, for: request)
    }
}

extension IssuedInvoice {
    /// The row of an invoice or a credit note as issued: its document, and what it was issued from.
    convenience init(
        _ e: EInvoice, organisationID: UUID, collaborationID: UUID, municipality: MunicipalityKey, credits: UUID?,
        issuedBy: UUID?
    ) throws {
        self.init()
        self.organisationID = organisationID
        number = e.number
        self.collaborationID = collaborationID
        municipalityCountry = municipality.country.rawValue
        municipalityCode = municipality.code
        format = e.format.rawValue
        issueDate = e.issueDate
        dueDate = e.dueDate
        currency = e.currency
        payableMinor = e.payableMinor
        document = try UBLInvoice.xml(e)
        kind = e.isCreditNote ? "credit_note" : "invoice"
        creditsID = credits
        seller = e.seller
        buyerAddress = e.buyer.address
        reference = e.buyer.reference
        netMinor = e.netMinor
        self.issuedBy = issuedBy
    }
}
