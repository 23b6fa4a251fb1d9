import Fluent
import SamradCore
import Vapor

/// What Meetings offers other features: adding an item to a meeting's agenda (a guide puts its
/// discussion on it), and a municipality's commitments for its own page.
enum AgendaItems {
    typealias Input = MeetingAgenda.ItemInput

    static func add(_ input: Input, access: MeetingAccess, request: Request) async throws -> AgendaItem {
        try await MeetingAgenda.add(input, access: access, request: request)
    }
}

/// What a municipality committed to at meetings, as its own page lists them.
enum MunicipalityCommitments {
    typealias Row = MeetingPages.CommitmentRow

    static func of(_ key: MunicipalityKey, request: Request) async throws -> [Row] {
        try await MeetingMinutes.ofMunicipality(key, request: request)
    }
}
