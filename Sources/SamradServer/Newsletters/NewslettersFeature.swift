import Fluent
import Vapor

/// Newsletters: written, sent at a time to an audience, archived, unsubscribed from.
struct NewslettersFeature: Feature {
    var routes: [any RouteCollection] { [NewsletterPages(), NewsletterAPI()] }
    var migrations: [any Migration] { [M014Newsletters()] }
    /// Every instance: a newsletter's recipients are claimed row by row, so none gets it twice.
    var scheduled: [ScheduledTask] {
        [ScheduledTask(under: nil) { app in _ = try await NewsletterSending.sendDue(application: app) }]
    }
}
