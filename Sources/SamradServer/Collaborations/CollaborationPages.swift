import Fluent
import Foundation
import SamradCore
import Vapor

/// The pages of collaborations: list, detail, the organiser's form, invitations and status board
/// (with CSV exports), and a municipality's registration.
struct CollaborationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("collaborations", use: list)
        routes.get("collaborations", "new", use: newForm)
        routes.post("collaborations", use: create)
        routes.grouped(KeptPages()).get("collaborations", ":slug", use: detail)
        routes.get("collaborations", ":slug", "edit", use: editForm)
        routes.post("collaborations", ":slug", use: update)
        routes.post("collaborations", ":slug", "status", use: changeStatus)
        routes.get("collaborations", ":slug", "invitations", use: inviteForm)
        routes.post("collaborations", ":slug", "invitations", use: invite)
        routes.grouped(KeptPages()).get("collaborations", ":slug", "board", use: board)
        routes.get("collaborations", ":slug", "selection", use: selectionPage)
        routes.post("collaborations", ":slug", "selection", use: choosePlaces)
        routes.spreadsheet("collaborations", ":slug", "registrations", use: registrationsCSV)
        routes.spreadsheet("collaborations", ":slug", "participants", use: participantsCSV)
        routes.spreadsheet("collaborations", ":slug", "invoices", use: invoicesCSV)
        routes.get("registration-links", ":key", use: openLink)
        let registration = routes.grouped("collaborations", ":slug", "registrations", ":country", ":code")
        registration.get(use: registrationForm)
        registration.post(use: register)
        registration.post("decline", use: decline)
        registration.post("withdraw", use: withdraw)
        registration.post("people", use: addPerson)
    }

    static func when(_ date: Date?, _ request: Request) -> String? { request.dateTimeText(date) }

    static func money(_ minor: Int?, _ currency: String, _ request: Request) -> String? {
        minor.map { NumberText.decimal(Double($0) / 100, request.language, fractionDigits: 2) + " " + currency }
    }

    static func priceText(_ c: Collaboration, _ request: Request) -> String {
        switch c.price {
        case .free: return request.t("price.free")
        case .perMunicipality(let m):
            return request.t("price.per_municipality", [money(m.minorUnits, m.currency.rawValue, request)!])
        case .perMeeting(let m, let meetings):
            return request.t(
                "price.per_meeting",
                [
                    money(m.minorUnits, m.currency.rawValue, request)!, String(meetings),
                    money(m.minorUnits * meetings, m.currency.rawValue, request)!,
                ])
        case .perParticipant(let m):
            return request.t("price.per_participant", [money(m.minorUnits, m.currency.rawValue, request)!])
        }
    }


    struct Row: Encodable {
        var href: String; var title: String; var kind: String; var status: String; var deadline: String?;
        var isExample: Bool
    }
    struct ListContext: Encodable { var page: PageContext; var rows: [Row]; var canCreate: Bool }

    func list(_ request: Request) async throws -> View {
        let all = try await Collaboration.query(on: request.db).sort(\.$createdAt, .descending).all()
        let rows = all.filter {
            CollaborationPolicy.mayView(request.actor, status: $0.statusValue, organiserID: $0.organiserID)
        }.map {
            Row(
                href: "/collaborations/\($0.slug)", title: $0.title, kind: request.t("collaboration_kind.\($0.kind)"),
                status: request.t("collaboration_status.\($0.status)"), deadline: Self.when($0.deadline, request),
                isExample: $0.isExample)
        }
        return try await request.view.render(
            "collaborations/list",
            ListContext(
                page: PageContext(request, titleKey: "collaborations.title"), rows: rows,
                canCreate: request.actor.isAdministrator || request.actor.isOrganiser))
    }

    struct Fact: Encodable { var label: String; var value: String }
    struct StatusButton: Encodable { var value: String; var label: String }
    struct DetailContext: Encodable {
        var page: PageContext
        var title: String
        var slug: String
        var isExample: Bool
        var kind: String
        var status: String
        var descriptionHTML: String
        var facts: [Fact]
        var seats: [String]
        var funding: [String]
        var canManage: Bool
        /// The visitor's municipality is in one of the clusters.
        var ownCluster: Bool
        var statusButtons: [StatusButton]
        var registerLinks: [Link]
        var placesLeft: String?
        var programme: Link?
        var members: CollaborationMembers.Summary
        var choosesPlaces: Bool
        var seasons: [NextSeason.Entry]
        var documents: [Link]
        var face: CollaborationPublicFace?
    }

    func detail(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        request.keepUntil(c.opensAt)
        request.keepUntil(c.deadline)
        struct Named: Decodable { var name: String }
        let organiser = try await request.db.sql.raw(
            "SELECT name FROM organisations WHERE id = \(bind: c.organiserID)"
        ).first(decoding: Named.self)
        var facts = [Fact(label: request.t("collaborations.organiser"), value: organiser?.name ?? "—")]
        if let body = c.hostBody { facts.append(Fact(label: request.t("collaborations.host_body"), value: body)) }
        facts.append(Fact(label: request.t("collaborations.price"), value: Self.priceText(c, request)))
        if let start = c.periodStart {
            // Days as the page's language writes them, as every other date on the page.
            let day = { (iso: String) in DateText.day(iso, request.language) ?? iso }
            facts.append(
                Fact(label: request.t("collaborations.period"), value: "\(day(start)) – \(c.periodEnd.map(day) ?? "")"))
        }
        if let opens = Self.when(c.opensAt, request) {
            facts.append(Fact(label: request.t("collaborations.opens_at"), value: opens))
        }
        if let deadline = Self.when(c.deadline, request) {
            facts.append(Fact(label: request.t("collaborations.deadline"), value: deadline))
        }
        if let capacity = c.capacity {
            facts.append(
                Fact(
                    label: request.t("collaborations.capacity"),
                    value: request.t("collaborations.capacity_value", [String(capacity)])))
        }
        if c.admissionMode == .selection {
            facts.append(
                Fact(
                    label: request.t("collaborations.admission"),
                    value: request.t(
                        c.placesChosenAt == nil ? "admission.selection_public" : "admission.selection_made")))
        }
        if !c.themes.isEmpty {
            facts.append(Fact(label: request.t("collaborations.themes"), value: c.themes.joined(separator: ", ")))
        }
        if !c.targetGroups.isEmpty {
            facts.append(
                Fact(
                    label: request.t("collaborations.target_groups"),
                    value: c.targetGroups.map { request.t("position.\($0)") }.joined(separator: ", ")))
        }
        var placesLeft: String? = nil
        if let capacity = c.capacity {
            let registered = try await RegistrationDesk.registeredCount(c.requireID(), on: request.db)
            placesLeft =
                c.admissionMode == .selection && c.placesChosenAt == nil
                ? request.t("collaborations.places_to_choose", count: capacity)
                : request.t(
                    "collaborations.places_left", [String(max(0, capacity - registered)), String(capacity)])
        }
        let canManage = CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID)
        var programme: Link? = nil
        struct ProgrammeRow: Decodable { var slug: String; var title: String }
        if let id = c.programmeID,
            let p = try await request.db.sql.raw("SELECT slug, title FROM programmes WHERE id = \(bind: id)")
                .first(decoding: ProgrammeRow.self)
        {
            programme = Link(href: "/programmes/\(p.slug)", label: p.title)
        }
        let members = try await CollaborationMembers.summary(c, request: request)
        let answerable =
            request.actor.grants.compactMap(\.municipality)
            + request.actor.passes.filter { $0.collaborationID == c.id }.map(\.municipality)
        let registerLinks = Array(Set(answerable)).sorted().compactMap { request.municipalities[$0] }.map {
            Link(
                href: "/collaborations/\(c.slug)/registrations/\($0.country.rawValue)/\($0.code)",
                label: request.t("collaborations.register_for", [$0.name]))
        }
        var ownCluster = false
        if !canManage, c.statusValue != .draft {
            let keys = answerable + request.actor.municipalities
            if !keys.isEmpty {
                let members = try await request.db.sql.raw(
                    """
                    SELECT municipality_country, municipality_code FROM cluster_members
                    WHERE collaboration_id = \(bind: c.requireID())
                    """
                ).all(decoding: MunicipalityRow.self)
                ownCluster = !Set(MunicipalityRow.keys(members)).isDisjoint(with: keys)
            }
        }
        return try await request.view.render(
            "collaborations/detail",
            DetailContext(
                page: PageContext(request, titleKey: "", title: c.title), title: c.title, slug: c.slug,
                isExample: c.isExample,
                kind: request.t("collaboration_kind.\(c.kind)"), status: request.t("collaboration_status.\(c.status)"),
                descriptionHTML: SafeMarkdown.html(c.description), facts: facts,
                seats: c.seats.map {
                    request.t(
                        $0.required ? "collaborations.seat_required" : "collaborations.seat_optional",
                        [String($0.count), request.t("position.\($0.position.rawValue)")])
                },
                funding: c.funding.map {
                    "\($0.funder): \(Self.money($0.amount.minorUnits, $0.amount.currency.rawValue, request)!)"
                        + ($0.purpose.isEmpty ? "" : " – \($0.purpose)")
                },
                canManage: canManage, ownCluster: ownCluster,
                statusButtons: canManage
                    ? c.statusValue.next.map {
                        StatusButton(value: $0.rawValue, label: request.t("collaboration_action.\($0.rawValue)"))
                    } : [],
                registerLinks: c.statusValue == .draft ? [] : registerLinks, placesLeft: placesLeft,
                programme: programme, members: members, choosesPlaces: c.admissionMode == .selection,
                seasons: try await NextSeason.line(of: c, request: request),
                documents: try await CollaborationDocuments.readable(c, request: request).map {
                    Link(
                        href: "/collaborations/\(c.slug)/documents/\($0.id!.uuidString.lowercased())",
                        label: "\($0.title) (\(CollaborationDocuments.detail($0, request: request)))")
                },
                face: c.statusValue == .draft ? nil : try await CollaborationPublicFace.of(c, request: request)))
    }
}
