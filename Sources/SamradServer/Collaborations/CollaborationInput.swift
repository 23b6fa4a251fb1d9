import Fluent
import Foundation
import SamradCore
import Vapor

/// What an organiser says about a collaboration, from a form or a JSON body. One validation for both.
struct CollaborationInput: Content {
    var title: String?
    var description: String?
    var kind: String?
    var organiserID: UUID?
    var programmeID: UUID?
    var themes: [String]?
    var targetGroups: [String]?
    var periodStart: String?
    var periodEnd: String?
    var timeZone: String?
    /// Local date-times in `timeZone`, "2014-05-09T12:00".
    var opensAt: String?
    var deadline: String?
    var capacity: Int?
    /// `AdmissionMode`: "first_come" (the default) or "selection".
    var admission: String?
    var seats: [SeatRequirement]?
    var priceKind: String?
    /// Major units, "12.500,00" or "12500".
    var priceAmount: String?
    var currency: String?
    var priceMeetings: Int?
    var vatNote: String?
    /// The body of the organiser that owns it, e.g. "KL's children and culture committee".
    var hostBody: String?
    /// The organiser's case number (journal reference).
    var caseNumber: String?
    /// Months after it is concluded that attendance, personal links and names in minutes are kept.
    var retentionMonths: Int?
    var funding: [FundingInput]?
    var reminderDays: [Int]?
    var reminderText: String?

    struct FundingInput: Content {
        var funder: String?
        /// Major units.
        var amount: String?
        var currency: String?
        var purpose: String?
    }

    /// Checks everything and copies it onto `collaboration`; registrations already made constrain
    /// the capacity and the price.
    /// `db` is the transaction the change runs in, if any: inside it the request's own connection may
    /// be the one the transaction holds.
    func apply(
        to collaboration: Collaboration, registeredCount: Int, activeRegistrations: Int, request: Request,
        on db: any Database
    ) async throws {
        var v = Validation()
        let title = v.required("title", title, maxLength: 200)
        let description = v.optional("description", description, maxLength: 20_000) ?? ""
        let kind = v.oneOf("kind", kind, as: CollaborationKind.self)
        if let organiserID {
            if try await Organisation.find(organiserID, on: db) == nil {
                v.add("organiserID", "validation.organisation")
            } else if !CollaborationPolicy.mayCreate(request.actor, organiserID: organiserID) {
                v.add("organiserID", "collaboration.not_your_organisation")
            }
        } else {
            v.add("organiserID", "validation.required")
        }
        if let programmeID, try await Programme.find(programmeID, on: db) == nil {
            v.add("programmeID", "collaboration.unknown_programme")
        }
        let themes = (themes ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if themes.count > 20 || themes.contains(where: { $0.count > 80 }) { v.add("themes", "collaboration.themes") }
        var groups: [String] = []
        for group in targetGroups ?? [] {
            if Position(rawValue: group) == nil {
                v.add("targetGroups", "validation.choice")
            } else if !groups.contains(group) {
                groups.append(group)
            }
        }
        let start = periodStart.flatMap { $0.isEmpty ? nil : $0 }
        let end = periodEnd.flatMap { $0.isEmpty ? nil : $0 }
        if let start, !DateText.isISODate(start) { v.add("periodStart", "validation.date") }
        if let end, !DateText.isISODate(end) { v.add("periodEnd", "validation.date") }
        if let start, let end, DateText.isISODate(start), DateText.isISODate(end), end < start {
            v.add("periodEnd", "collaboration.period_order")
        }
        let zone = timeZone.flatMap { $0.isEmpty ? nil : $0 } ?? "Europe/Copenhagen"
        if TimeZone(identifier: zone) == nil { v.add("timeZone", "collaboration.time_zone") }
        func moment(_ field: String, _ text: String?) -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = DateText.parseLocal(text, zone: zone) else {
                v.add(field, "validation.date_time"); return nil
            }
            return date
        }
        let opens = moment("opensAt", opensAt)
        let deadline = moment("deadline", deadline)
        if let opens, let deadline, deadline <= opens { v.add("deadline", "collaboration.deadline_order") }
        if let capacity {
            do { try RegistrationRules.checkCapacity(capacity, registeredCount: registeredCount) } catch let error
                as SamradError
            { for f in error.fieldErrors { v.add(f.field, f.messageKey, f.arguments) } }
        }
        var admission: AdmissionMode? = collaboration.id == nil ? .firstCome : collaboration.admissionMode
        if let text = self.admission, !text.isEmpty { admission = v.oneOf("admission", text, as: AdmissionMode.self) }
        if admission == .selection && capacity == nil {
            v.add("admission", "collaboration.selection_needs_capacity")
        }
        if let admission, collaboration.id != nil, admission != collaboration.admissionMode, activeRegistrations > 0 {
            v.add("admission", "collaboration.admission_locked", [String(activeRegistrations)])
        }
        let seats = seats ?? []
        if seats.contains(where: { $0.count < 1 || $0.count > 50 }) { v.add("seats", "collaboration.seat_count") }
        if Set(seats.map(\.position)).count != seats.count { v.add("seats", "collaboration.seat_twice") }
        let currency = Currency(rawValue: (currency ?? "DKK").uppercased())
        if currency == nil { v.add("currency", "validation.choice") }
        var price = PriceModel.free
        switch priceKind ?? "free" {
        case "free": price = .free
        case "per_municipality", "per_meeting", "per_participant":
            guard let currency, let amount = priceAmount.flatMap({ Money.parse($0, currency: currency) }),
                amount.minorUnits > 0
            else {
                v.add("priceAmount", "collaboration.price_amount"); break
            }
            if priceKind == "per_meeting" {
                guard let meetings = priceMeetings, meetings >= 1, meetings <= 100 else {
                    v.add("priceMeetings", "collaboration.price_meetings"); break
                }
                price = .perMeeting(amount, meetings: meetings)
            } else {
                price = priceKind == "per_municipality" ? .perMunicipality(amount) : .perParticipant(amount)
            }
        default:
            v.add("priceKind", "validation.choice")
        }
        if collaboration.id != nil {
            do {
                try RegistrationRules.checkPriceChange(
                    from: collaboration.price, to: price, activeRegistrations: activeRegistrations)
            } catch let error as SamradError {
                for f in error.fieldErrors {
                    v.add(f.field == "price" ? "priceKind" : f.field, f.messageKey, f.arguments)
                }
            }
        }
        var funding: [Funding] = []
        for (index, item) in (self.funding ?? []).enumerated() {
            let funder = (item.funder ?? "").trimmingCharacters(in: .whitespaces)
            if funder.isEmpty && (item.amount ?? "").isEmpty { continue }
            let fundingCurrency =
                Currency(rawValue: (item.currency ?? currency?.rawValue ?? "DKK").uppercased()) ?? .dkk
            guard !funder.isEmpty, let amount = item.amount.flatMap({ Money.parse($0, currency: fundingCurrency) })
            else {
                v.add("funding.\(index)", "collaboration.funding"); continue
            }
            funding.append(
                Funding(
                    funder: String(funder.prefix(200)), amount: amount,
                    purpose: String((item.purpose ?? "").prefix(500))))
        }
        let reminders = reminderDays ?? [14, 3]
        if reminders.contains(where: { $0 < 1 || $0 > 365 }) { v.add("reminderDays", "collaboration.reminder_days") }
        let vatNote = v.optional("vatNote", vatNote, maxLength: 200)
        let hostBody = v.optional("hostBody", hostBody, maxLength: 200)
        let caseNumber = v.optional("caseNumber", caseNumber, maxLength: 100)
        if let retentionMonths, !(1...120).contains(retentionMonths) {
            v.add("retentionMonths", "validation.range", ["1", "120"])
        }
        let reminderText = v.optional("reminderText", reminderText, maxLength: 2000)
        try v.check()

        collaboration.title = title
        collaboration.description = description
        collaboration.kind = kind!.rawValue
        collaboration.organiserID = organiserID!
        collaboration.programmeID = programmeID
        collaboration.themes = themes
        collaboration.targetGroups = groups
        collaboration.periodStart = start
        collaboration.periodEnd = end
        collaboration.timeZone = zone
        collaboration.opensAt = opens
        collaboration.deadline = deadline
        collaboration.capacity = capacity
        collaboration.admission = (admission ?? .firstCome).rawValue
        collaboration.seats = seats
        collaboration.setPrice(price)
        if case .free = price { collaboration.currency = currency?.rawValue ?? "DKK" }
        collaboration.vatNote = vatNote
        collaboration.hostBody = hostBody
        collaboration.caseNumber = caseNumber
        collaboration.retentionMonths = retentionMonths
        collaboration.funding = funding
        collaboration.reminderDays = ReminderSchedule(daysBeforeDeadline: reminders).daysBeforeDeadline
        collaboration.reminderText = reminderText
    }
}
