// Renders the directory list and the meeting page from the same typed data with Leaf (as Samrad
// does: Encodable context, templates cached), with Plot (HTML written in Swift) and with
// swift-mustache, and prints the time per page and whether each escapes text and attributes
// (issue 25). The templates in bench/render/Views are the production pages' shape with fixed
// labels, so the three do the same work. Usage: render-bench VIEWS_DIRECTORY [ROUNDS]
import Foundation
import Leaf
import LeafKit
import Mustache
import NIOCore
import NIOPosix
import Plot

struct Option: Encodable { var value: String; var label: String; var selected: Bool }
struct OptionGroup: Encodable { var label: String; var options: [Option] }
struct Row: Encodable { var href, name, code, country, region, population: String }
struct LanguageLink: Encodable { var code, name, href: String; var current: Bool }
struct MenuItem: Encodable { var href, label: String; var current: Bool }
struct Page: Encodable {
    var lang, title: String
    var isSignedIn: Bool
    var userName: String?
    var csrf: String
    var languages: [LanguageLink]
    var menu: [MenuItem]
}
struct ListPage: Encodable {
    var page: Page
    var q: String
    var countries: [Option]
    var regions: [OptionGroup]
    var rows: [Row]
    var total: Int
}
struct Fact: Encodable { var label, value: String }
struct Item: Encodable {
    var number: Int
    var time, duration, title: String
    var presenter: String?
    var descriptionHTML: String
}
struct MeetingPage: Encodable {
    var page: Page
    var title, statusLabel, when: String
    var facts: [Fact]
    var descriptionHTML: String
    var agenda: [Item]
}

/// What every engine gets; `hostile` goes into one name, one attribute and one title.
func data(hostile: String) -> (ListPage, MeetingPage) {
    let page = Page(
        lang: "sv", title: "Kommuner", isSignedIn: true, userName: "Kim Berg", csrf: String(repeating: "x", count: 43),
        languages: [("da", "Dansk"), ("sv", "Svenska"), ("en", "English")].map {
            LanguageLink(
                code: $0.0, name: $0.1, href: "/language/\($0.0)?return=%2Fmunicipalities", current: $0.0 == "sv")
        },
        menu: ["Samarbeten", "Kommuner", "Indikatorer", "Kunskap", "Vägledningar", "Organisationer", "Mina möten"]
            .enumerated().map { MenuItem(href: "/section-\($0.offset)", label: $0.element, current: $0.offset == 1) })
    let regions = ["Stockholm", "Skåne", "Västra Götaland", "Uppsala", "Östergötland"].map { name in
        OptionGroup(
            label: name,
            options: (1...5).map { Option(value: "\(name.prefix(3))\($0)", label: "\(name) \($0)", selected: false) })
    }
    let rows = (0..<50).map { i in
        Row(
            href: "/municipalities/se/\(1000 + i)", name: i == 7 ? hostile : "Kommun \(i) – Ängelholm & Åre",
            code: "\(1000 + i)", country: "Sverige", region: "Region Skåne", population: "\(12_000 + i * 731)")
    }
    let list = ListPage(
        page: page, q: hostile,
        countries: ["", "dk", "se", "no", "fi"].map {
            Option(value: $0, label: $0.isEmpty ? "Alla" : $0, selected: $0 == "se")
        },
        regions: regions, rows: rows, total: 290)
    let agenda = (1...8).map { n in
        Item(
            number: n, time: "\(9 + n / 2):\(n % 2 == 0 ? "00" : "30")", duration: "30 minuter",
            title: n == 3 ? hostile : "Punkt \(n): Läsning & skrivande i åk 4–6",
            presenter: n % 2 == 0 ? "Anna Lind, Malmö stad" : nil,
            descriptionHTML:
                "<p>Vi går igenom <strong>resultaten</strong> från enkäten och diskuterar nästa steg.</p>")
    }
    var meetingPage = page
    meetingPage.title = "Nätverksmöte"
    let meeting = MeetingPage(
        page: meetingPage, title: "Nätverksmöte i Lund", statusLabel: "Publicerat",
        when: "20 april 2027 10:00–16:00",
        facts: [
            Fact(label: "När", value: "20 april 2027 10:00–16:00"), Fact(label: "Var", value: "Lunds rådhus, Lund"),
            Fact(label: "Värd", value: "Lunds kommun"), Fact(label: "Sista anmälningsdag", value: "1 april 2027"),
            Fact(label: "Målgrupp", value: "Skolchefer och utvecklingsledare"),
        ],
        descriptionHTML: "<p>Vårens nätverksmöte om <em>läsning</em>.</p>", agenda: agenda)
    return (list, meeting)
}

// MARK: Plot

func layout(_ page: Page, _ body: Node<HTML.BodyContext>) -> HTML {
    HTML(
        .attribute(named: "lang", value: page.lang),
        .head(
            .meta(.charset(.utf8)), .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
            .element(named: "title", text: "\(page.title) · Samrad"), .stylesheet("/css/samrad.css")),
        .body(
            .a(.class("skip-link"), .href("#main"), .text("Skip to content")),
            .header(
                .class("site-header"),
                .div(
                    .class("bar top"), .a(.class("brand"), .href("/"), .text("Samrad")),
                    .div(
                        .class("account"),
                        .if(
                            page.isSignedIn,
                            .group(
                                .a(.href("/profile"), .text(page.userName ?? "")),
                                .form(
                                    .method(.post), .action("/sign-out"), .class("inline"),
                                    .input(.type(.hidden), .name("_csrf"), .value(page.csrf)),
                                    .button(.type(.submit), .class("link"), .text("Sign out")))),
                            else: .a(.href("/sign-in"), .text("Sign in")))),
                    .nav(
                        .attribute(named: "aria-label", value: "Language"), .class("languages"),
                        .ul(
                            .forEach(page.languages) { l in
                                .li(
                                    .a(
                                        .href(l.href), .attribute(named: "lang", value: l.code),
                                        .attribute(named: "hreflang", value: l.code),
                                        .if(l.current, .attribute(named: "aria-current", value: "true")),
                                        .text(l.name)))
                            }))),
                .div(
                    .class("bar menu-row"),
                    .nav(
                        .attribute(named: "aria-label", value: "Main"), .class("main"), .id("main-menu"),
                        .ul(
                            .class("nav"),
                            .forEach(page.menu) { m in
                                .li(
                                    .a(
                                        .href(m.href), .if(m.current, .attribute(named: "aria-current", value: "page")),
                                        .text(m.label)))
                            })))),
            .main(.id("main"), .attribute(named: "tabindex", value: "-1"), body),
            .footer(
                .class("site-footer"),
                .p(
                    .text("Samrad · "), .a(.href("/privacy"), .text("Privacy")), .text(" · "),
                    .a(.href("/accessibility"), .text("Accessibility")))),
            .script(.src("/js/page.js"), .attribute(named: "defer", value: "", ignoreIfValueIsEmpty: false))))
}

func option(_ o: Option) -> Node<HTML.SelectContext> {
    // Plot's `.option` takes attributes only (no label), so the element is named.
    .element(
        named: "option",
        nodes: [
            Node<HTML.BodyContext>.attribute(named: "value", value: o.value),
            o.selected ? .attribute(named: "selected") : .group([]), .text(o.label),
        ])
}

func plotList(_ c: ListPage) -> String {
    layout(
        c.page,
        .group(
            .h1("Municipalities"),
            .form(
                .method(.get), .action("/municipalities"), .class("filters"),
                .attribute(named: "role", value: "search"),
                .div(
                    .class("field"), .label(.for("q"), .text("Search")),
                    .input(.id("q"), .attribute(named: "name", value: "q"), .type(.search), .value(c.q))),
                .div(
                    .class("field"), .label(.for("country"), .text("Country")),
                    .select(
                        .id("country"), .attribute(named: "name", value: "country"), .forEach(c.countries, option))),
                .div(
                    .class("field"), .label(.for("region"), .text("Region")),
                    .select(
                        .id("region"), .attribute(named: "name", value: "region"),
                        option(Option(value: "", label: "All", selected: false)),
                        .forEach(c.regions) { g in
                            .element(named: "optgroup", nodes: [.attribute(named: "label", value: g.label)]
                                + g.options.map(option))
                        })),
                .div(.class("actions"), .button(.type(.submit), .text("Filter")))),
            .p(.id("result-count"), .attribute(named: "role", value: "status"), .text("\(c.total) municipalities")),
            .table(
                .class("list"), .attribute(named: "aria-describedby", value: "result-count"),
                .thead(
                    .tr(
                        .forEach(["Name", "Code", "Country", "Region", "Population"]) {
                            .th(.attribute(named: "scope", value: "col"), .text($0))
                        })),
                .tbody(
                    .forEach(c.rows) { r in
                        .tr(
                            .th(.attribute(named: "scope", value: "row"), .a(.href(r.href), .text(r.name))),
                            .td(.text(r.code)), .td(.text(r.country)), .td(.text(r.region)),
                            .td(.class("num"), .text(r.population)))
                    })))
    ).render()
}

func plotMeeting(_ c: MeetingPage) -> String {
    layout(
        c.page,
        .group(
            .h1(.text(c.title)),
            .p(.class("status"), .span(.class("badge"), .text(c.statusLabel)), .text(" \(c.when)")),
            .dl(.class("facts"), .forEach(c.facts) { .group(.dt(.text($0.label)), .dd(.text($0.value))) }),
            .if(!c.descriptionHTML.isEmpty, .div(.class("prose"), .raw(c.descriptionHTML))),
            .h2("Agenda"),
            .ol(
                .class("agenda"),
                .forEach(c.agenda) { i in
                    .li(
                        .id("item-\(i.number)"), .p(.class("time"), .text("\(i.time) · \(i.duration)")),
                        .h3(.text(i.title)),
                        .unwrap(i.presenter) { .p(.class("presenter"), .text($0)) },
                        .if(!i.descriptionHTML.isEmpty, .div(.class("prose"), .raw(i.descriptionHTML))))
                }))
    ).render()
}

// MARK: Measuring

func measure(_ label: String, rounds: Int, _ render: () throws -> String) rethrows -> (String, Double) {
    var output = ""
    for _ in 0..<max(1, rounds / 10) { output = try render() }  // warm: parse and cache templates
    let clock = ContinuousClock()
    let elapsed = try clock.measure { for _ in 0..<rounds { output = try render() } }
    let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    return (output, micros / Double(rounds))
}

func run() async throws {
    let arguments = CommandLine.arguments
    let views = arguments.count > 1 ? arguments[1] : "bench/render/Views"
    let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
    let hostile = #"Kommun "><script>alert(1)</script>&amp;"#
    let (list, meeting) = data(hostile: hostile)

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop = group.next()
    let leaf = LeafRenderer(
        configuration: LeafConfiguration(rootDirectory: views),
        sources: .singleSource(NIOLeafFiles(
            fileio: NonBlockingFileIO(threadPool: .singleton), limits: .default, sandboxDirectory: views,
            viewDirectory: views)),
        eventLoop: loop)
    func leafRender<E: Encodable>(_ name: String, _ context: E) throws -> String {
        let view = try leaf.render(name, context).wait()
        return String(buffer: view.data)
    }
    let mustache = try await MustacheLibrary(directory: views)

    print("engine         page      µs/page   bytes  escapes text  escapes attributes")
    for (name, context) in [("directory", list as any Encodable), ("meeting", meeting as any Encodable)] {
        let results: [(String, (String, Double))] = try [
            ("Leaf", measure("leaf", rounds: rounds) {
                try leafRender(name == "directory" ? "list" : "meeting", context)
            }),
            ("Plot", measure("plot", rounds: rounds) {
                name == "directory" ? plotList(list) : plotMeeting(meeting)
            }),
            ("swift-mustache", measure("mustache", rounds: rounds) {
                (name == "directory"
                    ? mustache.render(list, withTemplate: "list")
                    : mustache.render(meeting, withTemplate: "meeting")) ?? ""
            }),
        ]
        for (engine, (output, micros)) in results {
            // A text that stays text: the script tag never appears as markup; an attribute that stays
            // one: the quote never closes it.
            let text = output.contains("&lt;script&gt;alert")
            let attribute = name == "directory" ? (!output.contains(#"value="Kommun ">"#) ? "yes" : "NO") : "—"
            print(
                engine.padding(toLength: 15, withPad: " ", startingAt: 0)
                    + name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "%8.1f %7d  %-12@  %@", micros, output.utf8.count, text ? "yes" : "NO", attribute))
        }
    }
    try await group.shutdownGracefully()
}

try await run()
