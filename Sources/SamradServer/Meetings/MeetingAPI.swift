import Fluent
import Foundation
import SamradCore
import Vapor

/// Meetings over the JSON API, sharing the pages' rules: list, create, plan a series, read, change,
/// publish or cancel; the agenda, materials, attendance with check-in, minutes and commitments; and a
/// person's own meetings. Times are given in the meeting's zone ("2027-04-20T13:00") and answered in
/// both that form and UTC.
struct MeetingAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("api", "v1", "collaborations", ":slug")
        c.grouped(ConditionalGET()).get("meetings", use: list)
        c.post("meetings", use: create)
        c.post("meeting-series", use: planSeries)
        let m = routes.grouped("api", "v1", "meetings", ":meeting")
        m.grouped(ConditionalGET()).get(use: show)
        m.put(use: update)
        m.post("status", use: changeStatus)
        m.put("agenda", use: replaceAgenda)
        m.upload(
            "materials", maxBytes: MaterialRules.maxBytes + 1_000_000, tooLarge: "materials.error.too_large",
            [String(MaterialRules.maxBytes / 1_000_000)], gate: { _ = try await MeetingAccess.agenda($0) }, use: upload)
        m.get("attendees", use: attendees)
        m.post("attendees", use: register)
        m.delete("attendees", ":person", use: cancel)
        m.post("attendees", ":person", "check-in", use: checkIn)
        m.put("minutes", use: saveMinutes)
        m.get("commitments", use: commitments)
        m.post("commitments", use: addCommitment)
        routes.post("api", "v1", "commitments", ":commitment", "status", use: markCommitment)
        routes.delete("api", "v1", "materials", ":material", use: deleteMaterial)
        routes.get("api", "v1", "me", "meetings", use: mine)
        routes.post("api", "v1", "me", "calendar-feed", use: renewFeed)
    }


    struct ListJSON: Content { var meetings: [SummaryJSON] }

    func list(_ request: Request) async throws -> ListJSON {
        let c = try await CollaborationAccess.load(request)
        let meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$startsAt
        ).all()
        return ListJSON(
            meetings: try await MeetingAccess.visible(c, meetings, request: request).map {
                Self.summary($0.meeting, request: request)
            })
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let meeting = try await MeetingPlanning.create(
            c, try request.content.decode(MeetingInput.self), request: request)
        let access = try await MeetingAccess.of(meeting, request: request)
        return try await Self.json(access, request: request).created(at: "/api/v1" + meeting.href, for: request)
    }

    func planSeries(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(MeetingPolicy.mayPlan(request.actor, organiserID: c.organiserID))
        let meetings = try await MeetingPlanning.planSeries(
            c, try request.content.decode(MeetingSeriesInput.self), request: request)
        return try await ListJSON(meetings: meetings.map { Self.summary($0, request: request) }).encodeResponse(
            status: .created, for: request)
    }


    func show(_ request: Request) async throws -> MeetingJSON {
        try await Self.json(try await MeetingAccess.load(request), request: request)
    }

    func update(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingPlanning.update(access, try request.content.decode(MeetingInput.self), request: request)
        return try await Self.json(access, request: request)
    }

    struct StatusInput: Content { var status: String? }

    func changeStatus(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.run(request)
        try await MeetingPlanning.changeStatus(
            access, to: try request.content.decode(StatusInput.self).status, request: request)
        return try await Self.json(try await MeetingAccess.of(access.meeting, request: request), request: request)
    }

    struct AgendaInput: Content { var items: [MeetingAgenda.ItemInput] }

    func replaceAgenda(_ request: Request) async throws -> MeetingJSON {
        let access = try await MeetingAccess.agenda(request)
        let input = try request.content.decode(AgendaInput.self)
        try await MeetingAgenda.replace(input.items, access: access, request: request)
        return try await Self.json(access, request: request)
    }

    func upload(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let material = try await MeetingAgenda.store(
            try request.content.decode(MeetingAgenda.Upload.self), access: access, request: request)
        return try await MaterialJSON(
            id: material.id!, title: material.title, filename: material.filename, contentType: material.contentType,
            size: material.size, agendaItemID: material.agendaItemID,
            href: "/materials/\(material.id!.uuidString.lowercased())"
        )
        .encodeResponse(status: .created, for: request)
    }
}
