import Foundation
import NIOCore
@testable import SamradServer
import Logging
import Vapor
import XCTest

/// Behind nginx every request comes from the proxy; the sign-in throttle must still count by the
/// person's own address, and nobody else may choose it by writing X-Forwarded-For.
final class ClientAddressTests: XCTestCase {
    func testTheForwardedAddressIsBelievedOnlyFromATrustedProxy() async throws {
        let app = try await makeTestApp()
        app.storage[SettingsKey.self]!.trustedProxies = ["127.0.0.1"]
        func address(from peer: String, forwarded: String?) throws -> String {
            var headers = HTTPHeaders()
            if let forwarded { headers.add(name: .xForwardedFor, value: forwarded) }
            let request = Request(
                application: app, method: .GET, url: "/", headers: headers,
                remoteAddress: try SocketAddress(ipAddress: peer, port: 40_000), on: app.eventLoopGroup.next())
            return request.clientAddress
        }
        XCTAssertEqual(try address(from: "127.0.0.1", forwarded: "198.51.100.7"), "198.51.100.7")
        // What the person wrote comes first; nginx appends the address it saw.
        XCTAssertEqual(try address(from: "127.0.0.1", forwarded: "203.0.113.9, 198.51.100.7"), "198.51.100.7")
        XCTAssertEqual(try address(from: "127.0.0.1", forwarded: nil), "127.0.0.1")
        XCTAssertEqual(
            try address(from: "192.0.2.44", forwarded: "198.51.100.7"), "192.0.2.44", "not from a trusted proxy")
        try await app.asyncShutdown()
    }
}

/// Secrets that travel in paths stay out of the log.
final class RequestLogTests: XCTestCase {
    /// L7: a query's values never reach the log, at any level.
    func testQueriesAreLoggedWithoutTheirValues() {
        final class Captured: @unchecked Sendable { var lines: [(String, Logger.Metadata?)] = [] }
        struct Capture: LogHandler {
            let captured: Captured
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                captured.lines.append((event.message.description, event.metadata))
            }
        }
        let captured = Captured()
        let logger = Logger(label: "test") { _ in QueryValuesLeftOut(inner: Capture(captured: captured)) }
        logger.debug(
            "Running query", metadata: ["filters": "[users[email] = kim@example.dk]", "input": "$2b$12$secrethash"])
        logger.info("Imported the directory", metadata: ["count": "1054"])
        XCTAssertEqual(captured.lines.count, 2)
        let query = captured.lines[0].1 ?? [:]
        XCTAssertEqual(query["filters"]?.description, "(values left out)")
        XCTAssertFalse(query.description.contains("kim@example.dk"))
        XCTAssertFalse(query.description.contains("secrethash"))
        XCTAssertEqual(captured.lines[1].1?["count"]?.description, "1054", "other lines keep their metadata")
    }

    func testLinksFromMailsAreLoggedWithoutTheirSecret() {
        XCTAssertEqual(RequestLog.redacted("/setup/oxMNlYdhtiNIWwhkrdYf3CCQN53Wo5wcoq3SnSJS"), "/setup/…")
        XCTAssertEqual(RequestLog.redacted("/answer/abc123/reopen"), "/answer/…/reopen")
        XCTAssertEqual(RequestLog.redacted("/survey/oxMNlYdhtiNIWwhkrdYf3CCQ"), "/survey/…")
        XCTAssertEqual(RequestLog.redacted("/class/K7RM2XQP/thanks"), "/class/…/thanks")
        XCTAssertEqual(RequestLog.redacted("/newsletters/unsubscribe/t0k3n"), "/newsletters/unsubscribe/…")
        XCTAssertEqual(RequestLog.redacted("/calendar/feed-secret.ics"), "/calendar/…")
        XCTAssertEqual(RequestLog.redacted("/password/reset/x"), "/password/reset/…")
        XCTAssertEqual(RequestLog.redacted("/collaborations/skoleudvikling"), "/collaborations/skoleudvikling")
    }
}
