import SamradCore
import XCTest

/// Markup written in Swift is escaped like a template's: strings always, fragments never twice.
final class HTMLFragmentTests: XCTestCase {
    func testEveryInterpolatedStringIsEscapedAndFragmentsOnlyOnce() {
        let name = #"Malmö "Kungsgatan" <script>alert('x')</script> & co"#
        let cell: HTMLFragment = "<td title=\"\(name)\">\(name)</td>"
        XCTAssertEqual(
            cell.html,
            "<td title=\"Malmö &quot;Kungsgatan&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co\">"
                + "Malmö &quot;Kungsgatan&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</td>")
        let row: HTMLFragment = "<tr>\(cell)<td>\(42)</td><td>\(nil as String?)</td></tr>"
        XCTAssertEqual(row.html, "<tr>" + cell.html + "<td>42</td><td></td></tr>", "a fragment goes in as it is")

        var rows = HTMLFragment()
        rows.append(row)
        rows.append("<tr><td>\("a<b")</td></tr>")
        XCTAssertEqual(rows.html, row.html + "<tr><td>a&lt;b</td></tr>")
        let joined = HTMLFragment(joining: ["\("x&y")", "z"], separator: "<br>")
        XCTAssertEqual(joined.html, "x&amp;y<br>z")
    }

    func testMarkdownGoesInAsSafeMarkdownMakesIt() {
        let text = "Underlag och **frågor** <script>alert('x')</script> [länk](javascript:alert(1))"
        let fragment = HTMLFragment.markdown(text)
        XCTAssertEqual(fragment.html, SafeMarkdown.html(text))
        XCTAssertTrue(fragment.html.contains("<strong>frågor</strong>"))
        XCTAssertFalse(fragment.html.contains("<script"))
        XCTAssertFalse(fragment.html.contains("javascript:"))
        let item: HTMLFragment = "<div class=\"prose\">\(fragment)</div>"
        XCTAssertEqual(item.html, "<div class=\"prose\">" + fragment.html + "</div>", "not escaped twice")
        XCTAssertTrue(HTMLFragment.markdown("").isEmpty)
    }
}
