import Fluent
import Vapor

/// Meetings and series: agendas, materials, registration and attendance, minutes, calendars.
struct MeetingsFeature: Feature {
    var routes: [any RouteCollection] {
        [MeetingPages(), MeetingAgenda(), MeetingMinutes(), AttendancePages(), MeetingAPI()]
    }
    var migrations: [any Migration] { [M009Meetings(), M018CalendarFeeds(), M020MeetingLinks(), M029MeetingModes()] }
    var scheduled: [ScheduledTask] {
        [ScheduledTask(under: .reminders) { app in _ = try await MeetingNotices.sendDue(application: app) }]
    }

    func export(into export: MunicipalityExport, on db: any Database) async throws {
        try await MeetingExport.add(to: export, on: db)
    }
}
