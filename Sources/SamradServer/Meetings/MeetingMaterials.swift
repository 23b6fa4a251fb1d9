import Fluent
import Foundation
import SamradCore
import Vapor

/// MeetingAgenda: materials.
extension MeetingAgenda {
    struct Upload: Content {
        var title: String?
        var agendaItemID: String?
        var file: File?
    }

    static func store(_ upload: Upload, access: MeetingAccess, request: Request) async throws -> Material {
        var v = Validation()
        let file = try StoredFile(upload.file)
        let title = v.optional("title", upload.title, maxLength: 200) ?? file.filename
        var itemID: UUID?
        if let text = upload.agendaItemID, !text.isEmpty {
            if let id = UUID(uuidString: text), let item = try await AgendaItem.find(id, on: request.db),
                item.meetingID == access.meeting.id
            {
                itemID = id
            } else {
                v.add("agendaItemID", "meetings.error.item_unknown")
            }
        }
        try v.check()
        let material = Material()
        material.meetingID = try access.meeting.requireID()
        material.agendaItemID = itemID
        material.title = title
        material.filename = file.filename
        material.contentType = file.contentType
        material.size = file.bytes.count
        material.uploadedBy = request.actor.userID
        let summary = "\(access.meeting.title): \(title)"
        try await file.save(
            as: MaterialContent.self, on: request.db,
            describe: { db in
                try await material.create(on: db)
                return try material.requireID()
            },
            audit: { db in
                try await Audit.record(
                    "material:upload", subject: "material", id: material.requireID().uuidString, summary: summary,
                    by: request, on: db)
            })
        return material
    }

    func upload(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.agenda(request)
        let upload = try request.content.decode(Upload.self)
        do {
            _ = try await Self.store(upload, access: access, request: request)
        } catch let error as SamradError where error.kind == .invalidInput || error.kind == .payloadTooLarge {
            let values = ["title": upload.title ?? "", "agendaItemID": upload.agendaItemID ?? ""]
            return try await request.renderForm(
                "meetings/agenda",
                context(request, access, uploadForm: FormState(values: values, error: error, request: request)),
                refusing: error)
        }
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.material_saved")
    }

    /// The material and its meeting, if the actor may see the meeting's content (others get 404).
    static func material(_ request: Request) async throws -> (Material, MeetingAccess) {
        guard let id = request.parameterID("material"),
            let material = try await Material.find(id, on: request.db),
            let meeting = try await Meeting.find(material.meetingID, on: request.db)
        else { throw SamradError.notFound() }
        let access = try await MeetingAccess.of(meeting, request: request)
        guard access.mayViewContent else {
            if MeetingPolicy.mayView(request.actor, access.scope, attending: access.attending) {
                throw request.actor.isSignedIn ? SamradError.forbidden : SamradError.unauthenticated
            }
            throw SamradError.notFound()
        }
        return (material, access)
    }

    func download(_ request: Request) async throws -> Response {
        let (material, _) = try await Self.material(request)
        guard let content = try await MaterialContent.find(material.id, on: request.db) else {
            throw SamradError.notFound()
        }
        let response = Response(status: .ok, body: .init(data: content.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: material.contentType)
        let inline = MaterialRules.isInline(material.contentType)
        response.headers.contentDisposition = .init(inline ? .inline : .attachment, filename: material.filename)
        // Participants' files: never in shared caches.
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// Deletes a material (its bytes go with it), for those who shape the agenda.
    static func remove(_ material: Material, access: MeetingAccess, request: Request) async throws {
        try request.require(access.mayShapeAgenda)
        try await material.delete(on: request.db)
    }

    func deleteMaterial(_ request: Request) async throws -> Response {
        let (material, access) = try await Self.material(request)
        try await Self.remove(material, access: access, request: request)
        return request.redirect(to: access.meeting.href + "/agenda", notice: "meetings.material_deleted")
    }
}
