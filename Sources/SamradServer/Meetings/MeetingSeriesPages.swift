import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingPages: A series.
extension MeetingPages {
    struct SeriesContext: Encodable {
        var page: PageContext
        var title: String
        var action: String
        var backHref: String
        var form: FormState
        var clusters: [Option]
        var kinds: [Option]
        var zones: [Option]
        var patterns: [Option]
        var units: [Option]
        var rotationNote: String
    }

    static let seriesFields = [
        "title", "clusterID", "kind", "firstStart", "durationMinutes", "count", "every", "unit", "timeZone", "pattern",
        "venueName", "venueAddress", "avoidWeekends", "capacity", "reminderHours",
    ]

    func seriesContext(_ request: Request, _ c: Collaboration, form: FormState) async throws -> SeriesContext {
        let v = form.values
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$position
        ).all()
        let clusterID = v["clusterID"].flatMap(UUID.init(uuidString:))
        let rotation = try await MeetingPlanning.rotation(c, clusterID: clusterID, request: request, on: request.db)
        let zone = v["timeZone"] ?? c.timeZone
        return SeriesContext(
            page: PageContext(request, titleKey: "meetings.series_title"), title: c.title,
            action: "/collaborations/\(c.slug)/meetings/series",
            backHref: "/collaborations/\(c.slug)/meetings", form: form,
            clusters: [Option(value: "", label: request.t("meetings.whole_collaboration"), selected: clusterID == nil)]
                + clusters.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == clusterID) },
            kinds: MeetingKind.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_kind.\($0.rawValue)"),
                    selected: v["kind"] == $0.rawValue)
            },
            zones: TimeZoneChoice.options(selected: zone, request),
            patterns: MeetingSeriesRequest.Pattern.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("meeting_pattern.\($0.rawValue)"),
                    selected: (v["pattern"] ?? "rotation") == $0.rawValue)
            },
            units: ["months", "weeks"].map {
                Option(value: $0, label: request.t("meetings.unit_\($0)"), selected: (v["unit"] ?? "months") == $0)
            },
            rotationNote: request.t(
                "meetings.rotation_note", [String(rotation.hosts.count), String(rotation.hosted.reduce(0, +))]))
    }

    func seriesForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let clusterID = request.query[String.self, at: "cluster"] ?? ""
        let values = [
            "timeZone": c.timeZone, "durationMinutes": "180", "count": "4", "every": "6", "unit": "months",
            "pattern": "rotation",
            "avoidWeekends": "on", "reminderHours": "24", "clusterID": clusterID,
        ]
        return try await request.view.render(
            "meetings/series", seriesContext(request, c, form: FormState(values: values)))
    }

    func planSeries(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let values = try request.content.decode([String: String].self).filter { Self.seriesFields.contains($0.key) }
        do {
            var v = Validation()
            func number(_ field: String) -> Int? {
                guard let text = values[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let n = Int(text) else { v.add(field, "validation.whole_number"); return nil }
                return n
            }
            let input = MeetingSeriesInput(
                title: values["title"], clusterID: values["clusterID"].flatMap(UUID.init(uuidString:)),
                kind: values["kind"],
                firstStart: values["firstStart"], durationMinutes: number("durationMinutes"), count: number("count"),
                every: number("every"), unit: values["unit"], timeZone: values["timeZone"], pattern: values["pattern"],
                venueName: values["venueName"], venueAddress: values["venueAddress"],
                avoidWeekends: values["avoidWeekends"] == "on",
                capacity: number("capacity"), reminderHours: number("reminderHours"))
            try v.check()
            let meetings = try await MeetingPlanning.planSeries(c, input, request: request)
            request.setNotice("meetings.series_saved")
            let cluster = meetings.first?.clusterID.map { "?cluster=\($0.uuidString)" } ?? ""
            return request.redirect(to: "/collaborations/\(c.slug)/meetings\(cluster)")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/series",
                seriesContext(request, c, form: FormState(values: values, error: error, request: request)))
        }
    }
}
