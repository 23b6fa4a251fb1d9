import SamradCore
import Vapor

/// What the layout of every page needs: language, title, the signed-in account, the CSRF token and
/// the links of the language picker. Pages embed it as `page`.
struct PageContext: Encodable {
    struct LanguageLink: Encodable {
        var code: String
        var name: String
        var href: String
        var current: Bool
    }

    /// A link of the main menu; `current` when the page is in its section.
    struct MenuItem: Encodable {
        var href: String
        var label: String
        var current: Bool
    }

    var lang: String
    var title: String
    var csrf: String
    var path: String
    var userName: String?
    var isSignedIn: Bool
    var isAdministrator: Bool
    var languages: [LanguageLink]
    var menu: [MenuItem]
    var notice: String?

    /// The main menu: what everyone may open, then what the account may.
    static func menu(_ request: Request) -> [MenuItem] {
        var items: [(String, String)] = [
            ("/collaborations", "nav.collaborations"), ("/municipalities", "nav.municipalities"),
            ("/indicators", "nav.indicators"), ("/knowledge", "nav.knowledge"),
            ("/guides", "nav.guides"), ("/organisations", "nav.organisations"),
        ]
        if request.actor.isAdministrator { items.append(("/admin/accounts", "nav.admin")) }
        if request.actor.isSignedIn { items.append(("/me/meetings", "nav.meetings")) }
        let path = request.url.path
        return items.map { href, key in
            let section = href == "/admin/accounts" ? "/admin" : href == "/me/meetings" ? "/me" : href
            return MenuItem(
                href: href, label: request.t(key), current: path == section || path.hasPrefix(section + "/"))
        }
    }

    init(_ request: Request, titleKey: String, _ arguments: [String] = [], title: String? = nil) {
        lang = request.language.rawValue
        self.title = title ?? request.t(titleKey, arguments)
        csrf = CSRFToken.placeholder
        path = request.url.path
        userName = request.currentUser?.name
        isSignedIn = request.actor.isSignedIn
        isAdministrator = request.actor.isAdministrator
        menu = Self.menu(request)
        let back = request.url.string
        languages = Language.allCases.map {
            LanguageLink(
                code: $0.rawValue, name: $0.endonym,
                href: "/language/\($0.rawValue)?return="
                    + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                current: $0 == request.language)
        }
        if request.hasSession, let key = request.session.data["notice"] {
            // A message may carry its arguments (e.g. a quota and the municipality it is reached for).
            let arguments = request.session.data["notice_args"].map { $0.components(separatedBy: "\u{1F}") } ?? []
            notice = request.t(key, arguments)
            request.session.data["notice"] = nil
            request.session.data["notice_args"] = nil
        }
    }
}

/// Form values and their messages for re-showing a form after bad input.
/// A choice in a select or a group of radios or checkboxes: its value, what it says, and whether
/// it is chosen. Every page uses this one.
struct Option: Encodable, Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// Choices under a heading (a select's `optgroup`), e.g. a country's regions.
struct OptionGroup: Encodable, Sendable {
    var label: String
    var options: [Option]
}

/// A link as a page shows it.
struct Link: Encodable, Sendable {
    var href: String
    var label: String
}

struct FormState: Encodable {
    var values: [String: String]
    var errors: [String: String]
    var summary: [Problem.FieldMessage]

    init(values: [String: String] = [:]) {
        self.values = values
        errors = [:]
        summary = []
    }

    init(values: [String: String], error: SamradError, request: Request) {
        self.values = values
        var errors: [String: String] = [:]
        var summary: [Problem.FieldMessage] = []
        for field in error.fieldErrors {
            let message = request.catalog.message(for: field, request.language)
            errors[field.field] = errors[field.field] ?? message
            summary.append(.init(field: field.field, message: message))
        }
        if summary.isEmpty {
            summary.append(.init(field: "", message: request.catalog.message(for: error, request.language)))
        }
        self.errors = errors
        self.summary = summary
    }
}

extension Request {
    /// A date and time in the reader's language, in the time of the country that language is spoken in.
    func dateTimeText(_ date: Date?) -> String? {
        date.map { DateText.dateTime($0, language, zone: language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen") }
    }
}
