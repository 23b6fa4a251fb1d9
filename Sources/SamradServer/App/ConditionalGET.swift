import Crypto
import Foundation
import NIOConcurrencyHelpers
import OrderedCollections
import SamradCore
import Vapor

/// Conditional GET (RFC 9110 §13) for answers that follow only from the data, who asks and the
/// language: calendar feeds, Atom feeds and JSON that programs poll. The label (`ETag`) is the data
/// version with a digest of the software, the address, the language and everything that decides
/// what the asker may see; one that still matches is answered 304 before the data is read. That is
/// safe without asking the feature's permissions again: any change to roles, passes' sessions or
/// the data moves the version or the digest, so a matching label was given to this asker for
/// exactly this answer. For the same reason the answer itself is kept under its label
/// (`KeptAnswers`): the next asker with the same label gets it without the data being read.
struct ConditionalGET: AsyncMiddleware {
    /// How long clients may use the answer without asking (0: always ask; the 304 is cheap).
    var maxAge = 0
    /// Public answers (the same for every asker) may be kept by shared caches.
    var isPublic = false

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD else { return try await next.respond(to: request) }
        let stamp = try await DataVersion.current(on: request.db)
        let tag = Self.tag(stamp, request)
        let lastModified = Self.lastModified(stamp)
        if Self.isFresh(request, tag: tag, stamp: stamp) {
            let response = Response(status: .notModified)
            label(response, tag: tag, lastModified: lastModified)
            return response
        }
        let kept = request.application.keptAnswers
        if request.method == .GET, let answer = kept.answer(tag, now: Date()) {
            let response = Response(status: .ok, headers: answer.headers, body: .init(buffer: answer.body))
            label(response, tag: tag, lastModified: lastModified)
            return response
        }
        let response = try await next.respond(to: request)
        guard response.status == .ok else { return response }
        label(response, tag: tag, lastModified: lastModified)
        // An answer that starts a session or streams is not the same for the next asker.
        if request.method == .GET, !response.headers.contains(name: .setCookie), let body = response.body.buffer {
            var headers = HTTPHeaders()
            for name in [HTTPHeaders.Name.contentType, .contentDisposition] {
                if let value = response.headers.first(name: name) { headers.add(name: name, value: value) }
            }
            kept.keep(
                tag, version: stamp.number,
                KeptAnswers.Answer(body: body, headers: headers, until: request.storage[KeptUntil.self]))
        }
        return response
    }

    private func label(_ response: Response, tag: String, lastModified: Date) {
        response.headers.replaceOrAdd(name: .eTag, value: tag)
        response.headers.replaceOrAdd(name: .lastModified, value: Self.httpDate(lastModified))
        response.headers.replaceOrAdd(
            name: .cacheControl, value: "\(isPublic ? "public" : "private"), max-age=\(maxAge), must-revalidate")
        if !isPublic { response.headers.replaceOrAdd(name: .vary, value: "Cookie, Authorization, Accept-Language") }
    }

    /// `If-None-Match` decides when present; otherwise `If-Modified-Since`.
    static func isFresh(_ request: Request, tag: String, stamp: DataVersion.Stamp) -> Bool {
        let candidates = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if !candidates.isEmpty {
            // Weak comparison (§13.1.2): a proxy that compressed the answer marks the label weak.
            return candidates.contains { $0 == "*" || $0 == tag || $0 == "W/" + tag }
        }
        guard let since = request.headers.first(name: .ifModifiedSince).flatMap(Self.httpDate) else { return false }
        // Last-Modified is whole seconds; a change later in the same second must still count.
        return floor(stamp.changedAt) < since.timeIntervalSince1970
    }

    static func tag(_ stamp: DataVersion.Stamp, _ request: Request) -> String {
        let actor = request.actor
        var facts = [
            build, request.application.settings.publicBaseURL, request.url.path, request.url.query ?? "",
            request.language.rawValue,
            actor.userID?.uuidString ?? "-", actor.personID?.uuidString ?? "-",
        ]
        facts += actor.grants.map { "\($0)" }.sorted()
        facts += actor.passes.map { "\($0)" }.sorted()
        facts += actor.meetingPasses.map { "\($0)" }.sorted()
        let digest = SHA256.hash(data: Data(facts.joined(separator: "\u{1F}").utf8))
        return "\"\(stamp.number)-\(digest.prefix(9).map { String(format: "%02x", $0) }.joined())\""
    }

    /// The end of the second of the last change, unless that is still to come: then a client's
    /// `If-Modified-Since` could not tell a second change in the same second from the first.
    static func lastModified(_ stamp: DataVersion.Stamp, now: Date = Date()) -> Date {
        Date(timeIntervalSince1970: min(floor(stamp.changedAt) + 1, floor(now.timeIntervalSince1970)))
    }

    /// The running program: a new release renders differently from the same data.
    static let build: String = {
        let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(attributes?[.size] as? Int ?? 0)-\(modified)"
    }()

    private static func httpDate(_ value: String) -> Date? {
        HTTPHeaders([("Last-Modified", value)]).lastModified?.value
    }

    /// IMF-fixdate (RFC 9110 §5.6.7), without a formatter per answer.
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(1900 + parts.tm_year) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// Pages kept under the same label as `ConditionalGET`'s (the data version, the address, the
/// language and everything that decides what the asker may see, so a visitor's page is every
/// visitor's and a signed-in person's their own) until the data change or the clock passes a moment
/// the page depends on (`Request.keepUntil`). Pages carry no label of their own: the browser asks
/// again and gets the kept page, with its own form token written in by `CSRFGuard`. A page that
/// shows a notice is shown once and not kept; a reload that asks for no cache gets a page made anew.
struct KeptPages: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET, Self.mayKeep(request) else { return try await next.respond(to: request) }
        let stamp = try await DataVersion.current(on: request.db)
        let tag = ConditionalGET.tag(stamp, request)
        let kept = request.application.keptAnswers
        if let answer = kept.answer(tag, now: Date()) {
            return Response(status: .ok, headers: answer.headers, body: .init(buffer: answer.body))
        }
        let response = try await next.respond(to: request)
        guard response.status == .ok, !response.headers.contains(name: .setCookie), let body = response.body.buffer
        else { return response }
        var headers = HTTPHeaders()
        if let value = response.headers.first(name: .contentType) { headers.add(name: .contentType, value: value) }
        kept.keep(
            tag, version: stamp.number,
            KeptAnswers.Answer(body: body, headers: headers, until: request.storage[KeptUntil.self]))
        return response
    }

    static func mayKeep(_ request: Request) -> Bool {
        if request.headers[.cacheControl].contains(where: { $0.lowercased().contains("no-cache") }) { return false }
        return !(request.hasSession && request.session.data["notice"] != nil)
    }
}

/// The first moment a kept answer no longer holds because of the clock alone.
struct KeptUntil: StorageKey { typealias Value = Date }

extension Request {
    /// The answer being made changes when the clock passes `moment` (a deadline, a start): keep
    /// it no longer than that. Moments already past change nothing.
    func keepUntil(_ moment: Date?, now: Date = Date()) {
        guard let moment, moment > now else { return }
        storage[KeptUntil.self] = min(storage[KeptUntil.self] ?? moment, moment)
    }
}

/// Answers kept in memory under their label, bounded in bytes. A label holds the data version, so
/// a change makes every kept answer unreachable; the first answer of a newer version clears them.
final class KeptAnswers: Sendable {
    struct Answer: Sendable {
        var body: ByteBuffer
        var headers: HTTPHeaders
        /// When the clock makes the answer wrong, if it can.
        var until: Date? = nil
    }

    private struct State {
        var answers: OrderedDictionary<String, Answer> = [:]
        var bytes = 0
        var version: Int64 = 0
    }

    let maxBytes: Int
    private let state = NIOLockedValueBox(State())

    init(maxBytes: Int = 16 << 20) { self.maxBytes = maxBytes }

    func answer(_ tag: String, now: Date = Date()) -> Answer? {
        guard let answer = state.withLockedValue({ $0.answers[tag] }) else { return nil }
        if let until = answer.until, until <= now { return nil }
        return answer
    }

    func keep(_ tag: String, version: Int64, _ answer: Answer) {
        let size = answer.body.readableBytes + tag.utf8.count
        guard size <= maxBytes / 8 else { return }
        state.withLockedValue { state in
            guard version >= state.version else { return }
            if version > state.version {
                state = State(version: version)
            }
            if let old = state.answers.removeValue(forKey: tag) {
                state.bytes -= old.body.readableBytes + tag.utf8.count
            }
            // Oldest first out.
            while state.bytes + size > maxBytes, let oldest = state.answers.elements.first {
                state.answers.removeFirst()
                state.bytes -= oldest.value.body.readableBytes + oldest.key.utf8.count
            }
            state.answers[tag] = answer
            state.bytes += size
        }
    }

    var count: Int { state.withLockedValue { $0.answers.count } }

    /// Every kept answer by its label, as tests look at them.
    var all: [String: Answer] {
        state.withLockedValue { Dictionary(uniqueKeysWithValues: $0.answers.map { ($0, $1) }) }
    }

    struct Key: StorageKey { typealias Value = KeptAnswers }
}

extension Application {
    /// Set up once in `SamradApp.configure`.
    var keptAnswers: KeptAnswers { storage[KeptAnswers.Key.self]! }
}
