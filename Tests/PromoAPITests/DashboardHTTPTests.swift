import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("The operator page's HTTP surface")
struct DashboardHTTPTests {
    @Test("GET / is the page (public, no-cache, CSP, ETag); a matching If-None-Match is a 304 without a body")
    func page() async throws {
        try await APITest.withApp { client in
            let page = try await client.send(.get, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-cache")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.text.contains("促销运营台"))
            let etag = try #require(page.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.count == 34)

            var headers = HTTPFields()
            headers[.ifNoneMatch] = etag
            let cached = try await client.base.execute(uri: "/", method: .get, headers: headers, body: nil)
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            headers[.ifNoneMatch] = "\"stale\""
            let changed = try await client.base.execute(uri: "/", method: .get, headers: headers, body: nil)
            #expect(changed.status == .ok)
        }
    }

    @Test(
        "Assets are served with their type, an ETag and a max-age; Chart.js ships with its licence; anything else is a 404"
    )
    func assets() async throws {
        try await APITest.withApp { client in
            let script = try await client.send(.get, "/assets/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.cacheControl]?.contains("max-age=") == true)
            #expect(script.headers[.eTag] != nil)
            let chart = try await client.send(.get, "/assets/chart.min.js")
            #expect(chart.text.contains("Chart.js v3.9.1"))
            let licence = try await client.send(.get, "/assets/chart.js-LICENSE.txt")
            #expect(licence.status == .ok && licence.text.contains("Permission is hereby granted"))
            for path in ["/assets/nope.js", "/assets/..%2FPackage.swift", "/assets/"] {
                let missing = try await client.send(.get, path)
                #expect(missing.status == .notFound, "\(path)")
            }
        }
    }

    @Test("Every label of the page exists in Chinese and in English")
    func labelsInBothLanguages() async throws {
        try await APITest.withApp { client in
            let text = try await client.send(.get, "/assets/i18n.js").text
            let halves = text.components(separatedBy: "\n  en: {")
            #expect(halves.count == 2, "i18n.js has a zh and an en table")
            // A key starts a line or follows ", ", quoted or not, and its value is a string.
            let key = try Regex(#"(?m)(?:^\s+|, )(?:"([A-Za-z0-9_.]+)"|([A-Za-z][A-Za-z0-9]*)): ""#)
            func keys(_ table: String) -> Set<String> {
                Set(
                    table.matches(of: key).compactMap { match in
                        (match.output[1].substring ?? match.output[2].substring).map(String.init)
                    })
            }
            let chinese = keys(halves[0]), english = keys(halves.last ?? "")
            #expect(chinese.count > 200)
            #expect(chinese.subtracting(english).sorted() == [], "labels without English")
            #expect(english.subtracting(chinese).sorted() == [], "labels without Chinese")
        }
    }
}
