import Fluent
import Foundation
import SamradCore
import Vapor

/// Example content from the five real cases in DESIGN.md, marked `is_example` and shown with an
/// "example" label: each feature adds its part (`Feature.loadDemo`), in the order the features are
/// listed, and finds what earlier ones made here by name. Loaded by `samrad serve --demo`; loading
/// it again adds nothing.
final class DemoExamples {
    /// Organisations by a short name ("kl", "skr", "foundation", "aarhus", "university").
    var organisations: [String: UUID] = [:]
    /// People by name.
    var people: [String: UUID] = [:]
    /// Organisations' display names, for the funding lines that name them.
    var organisationNames: [String: String] = [:]

    static func load(
        _ features: [any Feature], isLoaded: @escaping @Sendable (any Database) async throws -> Bool,
        on db: any Database, logger: Logger
    ) async throws {
        if try await isLoaded(db) { return }
        try await db.transaction { db in
            let examples = DemoExamples()
            for feature in features { try await feature.loadDemo(into: examples, on: db) }
        }
        logger.info("Loaded the example content (marked as examples)")
    }

    static func at(_ local: String, _ zone: String = "Europe/Copenhagen") -> Date {
        DateText.parseLocal(local, zone: zone)!
    }
}
