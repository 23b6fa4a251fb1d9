import Vapor

/// A collaboration's annual and final report, and a programme's across its tracks: read from what
/// the other features keep (registrations, meetings, commitments, questionnaires, goals, materials),
/// printable and as PDF. It keeps no tables of its own.
struct ReportsFeature: Feature {
    var routes: [any RouteCollection] { [CollaborationReportPages(), ProgrammeReportPages()] }
}
