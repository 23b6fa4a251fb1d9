import Fluent
import Foundation
import SamradCore
import Vapor

/// CollaborationPages: the organiser's form.
extension CollaborationPages {
    struct FormContext: Encodable {
        var page: PageContext
        var form: FormState
        var action: String
        var kinds: [Option]
        var organisers: [Option]
        var programmes: [Option]
        var positions: [SeatOption]
        var priceKinds: [Option]
        var admissions: [Option]
        var currencies: [Option]
        var zones: [Option]
    }
    struct SeatOption: Encodable {
        var value: String; var label: String; var count: String; var required: Bool; var target: Bool
    }

    func formContext(_ request: Request, form: FormState, action: String, titleKey: String) async throws -> FormContext
    {
        let organisations = try await Organisation.query(on: request.db).sort(\.$name).all()
            .filter { CollaborationPolicy.mayCreate(request.actor, organiserID: $0.id!) }
        let programmes = try await Programme.query(on: request.db).sort(\.$title).all()
        let v = form.values
        return FormContext(
            page: PageContext(request, titleKey: titleKey), form: form, action: action,
            kinds: CollaborationKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("collaboration_kind.\($0.rawValue)"),
                    selected: v["kind"] == $0.rawValue)
            },
            organisers: organisations.map {
                Option(value: $0.id!.uuidString, label: $0.name, selected: v["organiserID"] == $0.id!.uuidString)
            },
            programmes: [
                Option(
                    value: "", label: request.t("collaborations.no_programme"),
                    selected: (v["programmeID"] ?? "").isEmpty)
            ]
                + programmes.map {
                    Option(value: $0.id!.uuidString, label: $0.title, selected: v["programmeID"] == $0.id!.uuidString)
                },
            positions: Position.allCases.map { p in
                SeatOption(
                    value: p.rawValue, label: request.t("position.\(p.rawValue)"), count: v["seat_\(p.rawValue)"] ?? "",
                    required: v["required_\(p.rawValue)"] == "on", target: v["target_\(p.rawValue)"] == "on")
            },
            priceKinds: ["free", "per_municipality", "per_meeting", "per_participant"].map {
                Option(value: $0, label: request.t("price_kind.\($0)"), selected: (v["priceKind"] ?? "free") == $0)
            },
            admissions: AdmissionMode.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("admission.\($0.rawValue)"),
                    selected: (v["admission"] ?? AdmissionMode.firstCome.rawValue) == $0.rawValue)
            },
            currencies: Currency.allCases.map {
                Option(value: $0.rawValue, label: $0.rawValue, selected: (v["currency"] ?? "DKK") == $0.rawValue)
            },
            zones: TimeZoneChoice.options(selected: v["timeZone"] ?? "Europe/Copenhagen", request))
    }

    /// The form's fields as they were typed, and as the input the API takes.
    static func formInput(_ request: Request) throws -> (values: [String: String], input: CollaborationInput) {
        let values = try request.content.decode([String: String].self)
        var seats: [SeatRequirement] = []
        var targets: [String] = []
        var v = Validation()
        for p in Position.allCases {
            if let text = values["seat_\(p.rawValue)"], !text.isEmpty {
                if let count = Int(text), count > 0 {
                    seats.append(
                        SeatRequirement(position: p, count: count, required: values["required_\(p.rawValue)"] == "on"))
                } else {
                    v.add("seat_\(p.rawValue)", "collaboration.seat_count")
                }
            }
            if values["target_\(p.rawValue)"] == "on" { targets.append(p.rawValue) }
        }
        var capacity: Int? = nil
        if let text = values["capacity"], !text.isEmpty {
            if let number = Int(text) { capacity = number } else { v.add("capacity", "validation.whole_number") }
        }
        var meetings: Int? = nil
        if let text = values["priceMeetings"], !text.isEmpty {
            if let number = Int(text) { meetings = number } else { v.add("priceMeetings", "validation.whole_number") }
        }
        var reminders: [Int]? = nil
        if let text = values["reminderDays"], !text.isEmpty {
            if let schedule = ReminderSchedule.parse(text) {
                reminders = schedule.daysBeforeDeadline
            } else {
                v.add("reminderDays", "collaboration.reminder_days")
            }
        }
        let retention = v.wholeNumber("retentionMonths", values["retentionMonths"], in: 1...120, default: 0)
        try v.check()
        let input = CollaborationInput(
            title: values["title"], description: values["description"], kind: values["kind"],
            organiserID: values["organiserID"].flatMap(UUID.init(uuidString:)),
            programmeID: values["programmeID"].flatMap(UUID.init(uuidString:)),
            themes: (values["themes"] ?? "").split(separator: ",").map(String.init), targetGroups: targets,
            periodStart: values["periodStart"], periodEnd: values["periodEnd"], timeZone: values["timeZone"],
            opensAt: values["opensAt"], deadline: values["deadline"], capacity: capacity,
            admission: values["admission"], seats: seats,
            priceKind: values["priceKind"], priceAmount: values["priceAmount"], currency: values["currency"],
            priceMeetings: meetings,
            vatNote: values["vatNote"], hostBody: values["hostBody"], caseNumber: values["caseNumber"],
            retentionMonths: retention == 0 ? nil : retention,
            funding: [
                CollaborationInput.FundingInput(
                    funder: values["funder"], amount: values["fundingAmount"], currency: values["currency"],
                    purpose: values["fundingPurpose"])
            ],
            reminderDays: reminders, reminderText: values["reminderText"])
        return (values, input)
    }

    static func values(of c: Collaboration) -> [String: String] {
        var v: [String: String] = [
            "title": c.title, "description": c.description, "kind": c.kind, "organiserID": c.organiserID.uuidString,
            "programmeID": c.programmeID?.uuidString ?? "", "themes": c.themes.joined(separator: ", "),
            "periodStart": c.periodStart ?? "", "periodEnd": c.periodEnd ?? "", "timeZone": c.timeZone,
            "opensAt": c.opensAt.map { DateText.local($0, zone: c.timeZone) } ?? "",
            "deadline": c.deadline.map { DateText.local($0, zone: c.timeZone) } ?? "",
            "capacity": c.capacity.map(String.init) ?? "", "admission": c.admission, "priceKind": c.priceKind,
            "priceAmount": c.priceMinor.map { String(format: "%.2f", Double($0) / 100) } ?? "", "currency": c.currency,
            "priceMeetings": c.priceMeetings.map(String.init) ?? "", "vatNote": c.vatNote ?? "",
            "hostBody": c.hostBody ?? "", "caseNumber": c.caseNumber ?? "",
            "retentionMonths": c.retentionMonths.map(String.init) ?? "",
            "reminderDays": c.reminderDays.map(String.init).joined(separator: ", "),
            "reminderText": c.reminderText ?? "",
            "funder": c.funding.first?.funder ?? "",
            "fundingAmount": c.funding.first.map { String(format: "%.2f", Double($0.amount.minorUnits) / 100) } ?? "",
            "fundingPurpose": c.funding.first?.purpose ?? "",
        ]
        for seat in c.seats {
            v["seat_\(seat.position.rawValue)"] = String(seat.count)
            if seat.required { v["required_\(seat.position.rawValue)"] = "on" }
        }
        for group in c.targetGroups { v["target_\(group)"] = "on" }
        return v
    }

    func newForm(_ request: Request) async throws -> View {
        try request.require(request.actor.isAdministrator || request.actor.isOrganiser)
        var values = [
            "kind": "political_forum", "timeZone": "Europe/Copenhagen", "reminderDays": "14, 3", "currency": "DKK",
        ]
        // "New track in this programme" comes with the programme and its organiser chosen.
        if let id = request.query[UUID.self, at: "programme"],
            let programme = try await Programme.find(id, on: request.db)
        {
            values["programmeID"] = id.uuidString
            values["organiserID"] = programme.organiserID.uuidString
            values["kind"] = "professional_collaboration"
        }
        let form = FormState(values: values)
        return try await request.view.render(
            "collaborations/form",
            formContext(request, form: form, action: "/collaborations", titleKey: "collaborations.new_title"))
    }

    func create(_ request: Request) async throws -> Response {
        try request.require(CollaborationPolicy.mayCreateAny(request.actor))
        let (values, input): ([String: String], CollaborationInput)
        do { (values, input) = try Self.formInput(request) } catch let error as SamradError {
            let typed = (try? request.content.decode([String: String].self)) ?? [:]
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: typed, error: error, request: request), action: "/collaborations",
                    titleKey: "collaborations.new_title"))
        }
        do {
            let c = try await CollaborationAPI.create(input, request: request)
            return request.redirect(to: "/collaborations/\(c.slug)", notice: "collaborations.saved")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: values, error: error, request: request), action: "/collaborations",
                    titleKey: "collaborations.new_title"))
        }
    }

    func editForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        return try await request.view.render(
            "collaborations/form",
            formContext(
                request, form: FormState(values: Self.values(of: c)), action: "/collaborations/\(c.slug)",
                titleKey: "collaborations.edit_title"))
    }

    func update(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let action = "/collaborations/\(c.slug)"
        do {
            let (values, input) = try Self.formInput(request)
            do {
                try await CollaborationAPI.update(c, with: input, request: request)
            } catch let error as SamradError where error.kind == .invalidInput {
                return try await request.renderForm(
                    "collaborations/form",
                    formContext(
                        request, form: FormState(values: values, error: error, request: request), action: action,
                        titleKey: "collaborations.edit_title"))
            }
        } catch let error as SamradError where error.kind == .invalidInput {
            let typed = (try? request.content.decode([String: String].self)) ?? [:]
            return try await request.renderForm(
                "collaborations/form",
                formContext(
                    request, form: FormState(values: typed, error: error, request: request), action: action,
                    titleKey: "collaborations.edit_title"))
        }
        return request.redirect(to: action, notice: "collaborations.saved")
    }

    struct StatusForm: Content { var status: String? }

    func changeStatus(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try await CollaborationAPI.changeStatus(
            c, to: try request.content.decode(StatusForm.self).status, request: request)
        return request.redirect(to: "/collaborations/\(c.slug)", notice: "collaborations.status_changed")
    }
}
