import XCTest
@testable import SamradCore

final class SafeMarkdownTests: XCTestCase {
    func testOrdinaryMarkdown() {
        let html = SafeMarkdown.html(
            "# Folkeskolen\n\nThe **political** track, see [KL](https://www.kl.dk).\n\n- one\n- two")
        XCTAssertTrue(html.contains("<h1>Folkeskolen</h1>"))
        XCTAssertTrue(html.contains("<strong>political</strong>"))
        XCTAssertTrue(html.contains("<a href=\"https://www.kl.dk\">KL</a>"))
        XCTAssertTrue(html.contains("<li>one</li>"))
    }

    func testNoScriptGetsThrough() {
        for attack in [
            "<script>alert(1)</script>", "Hi <img src=x onerror=alert(1)> there", "[click](javascript:alert(1))",
            "[x](http://a\" onmouseover=\"alert(1))", "![x](javascript:alert(1))",
            "<div>\n<iframe src=//evil></iframe>\n</div>",
            "[x](//evil.example/path)",
        ] {
            let html = SafeMarkdown.html(attack).lowercased()
            XCTAssertFalse(html.contains("<script"), attack)
            XCTAssertFalse(html.contains("<img src=x"), attack)
            XCTAssertFalse(html.contains("<iframe"), attack)
            XCTAssertFalse(html.contains("href=\"javascript"), attack)
            XCTAssertFalse(html.contains("onmouseover=\""), attack)
            XCTAssertFalse(html.contains("evil.example"), attack)
        }
        XCTAssertTrue(SafeMarkdown.html("a < b").contains("a &lt; b"))
        // M3: a quote in an image's alt text does not leave the attribute (pages, feeds and e-mails
        // all take this HTML).
        for attack in [
            #"![x" onerror="alert(document.domain)](https://example.org/a.png)"#,
            "![x' onerror='alert(1)](https://example.org/a.png)",
            #"![<b>"/onload="x](https://example.org/a.png)"#,
        ] {
            let html = SafeMarkdown.html(attack)
            XCTAssertFalse(html.contains("onerror=\""), html)
            XCTAssertFalse(html.contains("onerror='"), html)
            XCTAssertFalse(html.contains("onload=\""), html)
            XCTAssertTrue(html.contains("<img src=\"https://example.org/a.png\" alt=\""), html)
        }
        XCTAssertTrue(
            SafeMarkdown.html(#"![x" onerror="y](https://example.org/a.png)"#).contains(
                #"alt="x&quot; onerror=&quot;y""#))
    }
}
