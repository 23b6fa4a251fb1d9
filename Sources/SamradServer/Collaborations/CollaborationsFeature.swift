import Fluent
import Vapor

/// Collaborations and programmes: invitations, registration by the deadline, seats, the status
/// board.
struct CollaborationsFeature: Feature {
    var routes: [any RouteCollection] {
        [
            CollaborationAPI(), CollaborationPages(), CollaborationMembers(), Programmes(), NextSeasonRoutes(),
            CollaborationDocuments(),
        ]
    }
    var migrations: [any Migration] {
        [
            M006Collaborations(), M007InvitationLinks(), M019InvitationReach(), M027CollaborationRetention(),
            M030CollaborationReferences(), M031PlaceSelection(), M032Seasons(),
            M033CollaborationDocuments(),
        ]
    }
    var scheduled: [ScheduledTask] {
        [ScheduledTask(under: .reminders) { app in _ = try await InvitationReminders.sendDue(application: app) }]
    }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await CollaborationExport.add(to: export, on: db)
    }

    func loadDemo(into examples: DemoExamples, on db: any Database) async throws {
        try await CollaborationDemo.load(into: examples, on: db)
    }
}
