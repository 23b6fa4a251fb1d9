import Leaf
import SamradCore
import Vapor

/// Chooses the language of each request: the picker's cookie first, then the account's setting,
/// then Accept-Language.
struct LanguageResolver: AsyncMiddleware {
    static let cookieName = "samrad_lang"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let language: Language
        if let picked = request.query[String.self, at: "lang"].flatMap(Language.init(rawValue:)) {
            language = picked
        } else if let cookie = request.cookies[Self.cookieName]?.string, let picked = Language(rawValue: cookie) {
            language = picked
        } else if let setting = request.currentUser?.language.flatMap(Language.init(rawValue:)) {
            language = setting
        } else {
            language = Language.negotiate(acceptLanguage: request.headers.first(name: .acceptLanguage))
        }
        request.storage[LanguageKey.self] = language
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        if !response.headers.contains(name: .vary)
            || !(response.headers.first(name: .vary) ?? "").contains("Accept-Language")
        {
            response.headers.add(name: .vary, value: "Accept-Language, Cookie")
        }
        return response
    }
}

struct LanguageKey: StorageKey { typealias Value = Language }

extension Request {
    var language: Language { storage[LanguageKey.self] ?? .en }

    func t(_ key: String, _ arguments: [String] = []) -> String {
        catalog.text(key, language, arguments)
    }

    /// A count in its plural form: `key.one` or `key.other`, `{0}` the count.
    func t(_ key: String, count n: Int, _ arguments: [String] = []) -> String {
        catalog.count(key, n, language, arguments)
    }
}

/// `#tc("key", count, arg…)` in a template: a count in the request's language and plural form.
struct CountTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string, let n = ctx.parameters.dropFirst().first?.int else {
            throw Abort(.internalServerError, reason: "#tc needs a key and a count")
        }
        guard let request = ctx.request else { return .string(key) }
        let arguments = ctx.parameters.dropFirst(2).map {
            $0.int.map { NumberText.integer($0, request.language) } ?? $0.string ?? ""
        }
        return .string(request.catalog.count(key, n, request.language, arguments))
    }
}

/// `#t("key", arg…)` in a template: the text of a key in the request's language, HTML-escaped.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#t needs a key")
        }
        guard let request = ctx.request else { return .string(key) }
        let arguments = ctx.parameters.dropFirst().map {
            $0.int.map { NumberText.integer($0, request.language) } ?? $0.string ?? ""
        }
        return .string(request.catalog.text(key, request.language, arguments))
    }
}
