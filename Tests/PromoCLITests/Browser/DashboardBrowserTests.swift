import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PromoAPI
import PromoDomain
import PromoTestSupport
import Testing

/// The operator page in a real headless Chromium, against `promoctl serve` on a database of its own seeded by
/// `promoctl demo seed` through the API.
///
/// One test at a time: each runs a server, its projection workers and a browser, which on a 2-core machine beside
/// the other suites is load (and connections) enough.
@Suite(
    "Operator dashboard in Chromium", .serialized,
    .enabled(if: Browser.available, "needs chromium and chromium-driver (tools/test installs them)"))
struct DashboardBrowserTests {
    /// `promoctl serve` on a free port of 127.0.0.1, until `body` returns.
    static func withServer(
        _ url: DatabaseURL, _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let port = Int.random(in: 40_000..<50_000)
        let server = Process()
        server.executableURL = PromoctlBinary.url
        server.arguments = [
            "serve", "--host", "127.0.0.1", "--port", String(port), "--database-url", WorkerProcessTests.address(url),
            "--log-level", "error", "--max-connections", "6",
        ]
        // Its output kept beside the screenshots: a server that stops under a test says why.
        try FileManager.default.createDirectory(at: Browser.screenshots, withIntermediateDirectories: true)
        let log = Browser.screenshots.appendingPathComponent("serve-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        server.standardOutput = output
        server.standardError = output
        try server.run()
        defer {
            if !server.isRunning {
                Issue.record(
                    "promoctl serve stopped by itself (status \(server.terminationStatus)); its log: \(log.path)")
            }
            Self.stop(server)
            try? output.close()
        }
        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await get(base + "/healthz").0) != 200 {
            guard ContinuousClock.now < deadline, server.isRunning else {
                Issue.record("promoctl serve did not answer on \(base)")
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await body(base)
    }

    /// SIGTERM, and SIGKILL if the process has not ended 10 s later.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            Issue.record("\(process.arguments?.first ?? "process") did not stop on SIGTERM within 10 s")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func get(_ url: String, key: String? = nil) async throws -> (Int, JSONValue) {
        try await send("GET", url, key: key)
    }

    static func send(_ method: String, _ url: String, key: String? = nil, body: JSONValue? = nil) async throws -> (
        Int, JSONValue
    ) {
        // HummingbirdTesting's NIO client with a timeout: Foundation's URLSession on Linux once waited for good on
        // a connection the server had closed (CLOSE-WAIT), hanging a CI run.
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else {
            throw WebDriver.Failure(description: "not a URL with a host and port: \(url)")
        }
        let path = parsed.path.isEmpty ? "/" : parsed.path + (parsed.query.map { "?" + $0 } ?? "")
        let client = TestClient(host: host, port: port, configuration: .init(timeout: .seconds(30)))
        client.connect()
        defer { Task { try? await client.shutdown() } }
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            TestClient.Request(
                path, method: HTTPRequest.Method(method)!, authority: "\(host):\(port)", headers: headers,
                body: body.map { ByteBuffer(string: $0.canonicalString) }))
        let data = Data((response.body ?? ByteBuffer()).readableBytesView)
        return (Int(response.status.code), (try? JSONValue(parsing: data)) ?? .null)
    }

    /// ¥1,234.50 from fen, as the page writes money.
    static func yuan(_ fen: Int64) -> String {
        let whole = String(abs(fen) / 100)
        var grouped = ""
        for (index, digit) in whole.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let cents = String(abs(fen) % 100)
        return (fen < 0 ? "-¥" : "¥") + String(grouped.reversed()) + "." + (cents.count == 1 ? "0" + cents : cents)
    }

    @Test(
        "Sign in; the overview lists every seeded campaign with today's orders and GMV equal to the read model's; a campaign page shows an order placed through the API without a reload; screenshots at 1280 and 390 px"
    )
    func overview() async throws {
        try await Self.withSeededServer(orders: 30) { base, store, admin in
            let head = try await store.headPosition()
            var figures = JSONValue.null
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let (status, body) = try await Self.get(
                    base + "/v1/dashboards/campaigns?minPosition=\(head)", key: admin)
                if status == 200 {
                    figures = body
                    break
                }
            }
            let campaigns = try await Self.get(base + "/v1/campaigns", key: admin).1["campaigns"]?.arrayValue ?? []
            #expect(campaigns.count >= 6)
            let today = Dictionary(
                (figures["campaigns"]?.arrayValue ?? []).compactMap { item in
                    item["campaignId"]?.stringValue.map { ($0, item["today"] ?? .null) }
                }, uniquingKeysWith: { first, _ in first })
            #expect(today.values.contains { ($0["orders"]?.intValue ?? 0) > 0 }, "the seeded orders show today")

            let browser = try await WebDriver(width: 1280, height: 800)
            do {
                try await browser.open(base + "/")
                _ = try await browser.wait(
                    for: "return !document.getElementById('signin').hidden", "the sign-in form")
                try await browser.type("#key", admin)
                try await browser.click("#signin-form button[type=submit]")
                _ = try await browser.wait(
                    for: "return document.querySelectorAll('#campaigns tbody tr').length === \(campaigns.count)",
                    "the campaign rows")
                for campaign in campaigns {
                    let id = campaign["campaignId"]?.stringValue ?? ""
                    let shown =
                        try await browser.run(
                            """
                            const row = document.querySelector('tr[data-campaign="' + arguments[0] + '"]');
                            return row ? [row.querySelector('[data-field=orders]').textContent,
                                          row.querySelector('[data-field=gmv]').textContent] : null;
                            """, [id]) as? [String]
                    let expected = today[id] ?? .null
                    #expect(
                        shown
                            == [
                                String(expected["orders"]?.intValue ?? 0),
                                Self.yuan(expected["gmvFen"]?.intValue ?? 0),
                            ], "\(id)")
                }
                let title =
                    try await browser.run("return document.querySelector('#view h1').textContent") as? String
                #expect(title?.hasPrefix("活动总览") == true, "Chinese labels by default")
                try await browser.screenshot("overview-1280")
                try await browser.setSize(width: 390, height: 844)
                try await browser.screenshot("overview-390")
                try await browser.setSize(width: 1280, height: 800)
                try await Self.campaignPageFollowsAnOrder(browser, base: base, admin: admin)
                try await browser.click("#lang")
                _ = try await browser.wait(
                    for:
                        "return document.querySelector('#view h1') && document.querySelector('#view h1').textContent.startsWith('Campaigns')",
                    "the English switch")
                await browser.quit()
            } catch {
                try? await browser.screenshot("overview-failure")
                await browser.quit()
                throw error
            }
        }
    }

    /// `promoctl serve` on a database of its own, seeded by `promoctl demo seed` with `orders` orders; `body`
    /// gets the server's base URL, the store and an admin key.
    static func withSeededServer(
        orders: Int, _ body: @escaping @Sendable (String, PostgresEventStore, String) async throws -> Void
    ) async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "dash", migrations: APIMigrations.withEventStore
        ) { url, store in
            let admin = try await ApiKeyStore(store: store).create(role: .admin, name: "运营", actor: "tests").secret
            try await Self.withServer(url) { base in
                let seed = try OperatorCommandTests.promoctl(
                    [
                        "demo", "seed", "--url", base, "--key", admin, "--orders", String(orders), "--customers", "40",
                        "--quiet",
                    ], database: nil)
                #expect(seed.status == 0, "\(seed.errors)")
                try await body(base, store, admin)
            }
        }
    }

    /// A browser signed in with `key` at `base`, closed after `body` (a screenshot named `name-failure` when it
    /// throws).
    static func signedIn(
        _ base: String, key: String, name: String, _ body: (WebDriver) async throws -> Void
    ) async throws {
        let browser = try await WebDriver(width: 1280, height: 800)
        do {
            try await browser.open(base + "/")
            _ = try await browser.wait(for: "return !document.getElementById('signin').hidden", "the sign-in form")
            try await browser.type("#key", key)
            try await browser.click("#signin-form button[type=submit]")
            _ = try await browser.wait(for: "return document.getElementById('campaigns') !== null", "the overview")
            try await body(browser)
            await browser.quit()
        } catch {
            try? await browser.screenshot("\(name)-failure")
            await browser.quit()
            throw error
        }
    }

    @Test(
        "The console: a bad threshold is refused beside its field and nothing is created; fixed, the draft is created, simulated, activated, adjusted (its versions as a diff) and listed on the overview"
    )
    func console() async throws {
        try await Self.withSeededServer(orders: 0) { base, store, admin in
            let marketing = try await ApiKeyStore(store: store).create(role: .marketing, name: "市场部", actor: "tests")
                .secret
            try await Self.signedIn(base, key: marketing, name: "console") { browser in
                try await Self.createSimulateActivate(browser, base: base, key: marketing)
            }
        }
    }

    static func createSimulateActivate(_ browser: WebDriver, base: String, key: String) async throws {
        try await browser.click("#nav a[data-view=console]")
        _ = try await browser.wait(for: "return document.getElementById('campaign-form') !== null", "the form")
        let id = try #require(try await browser.run("return document.getElementById('f-campaignId').value") as? String)
        let threshold = "fieldset[data-path='rules.tiers'] .row input[name=thresholdFen]"
        let reduction = "fieldset[data-path='rules.tiers'] .row input[name=reductionFen]"
        try await browser.type("#f-name", "测试满减 满100减20")
        try await browser.type(threshold, "-100")
        try await browser.type(reduction, "20")
        try await browser.click("#campaign-submit")
        let error = try await browser.wait(
            for: """
                const input = document.querySelector("\(threshold)");
                const text = input.closest('.field').querySelector('.field-error').textContent;
                return input.classList.contains('invalid') && text ? text : null;
                """, "the API's error beside the threshold")
        #expect((error as? String)?.contains("rules.tiers[0].thresholdFen") == true, "\(error)")
        #expect(try await get(base + "/v1/campaigns/\(id)", key: key).0 == 404, "nothing was created")
        try await browser.screenshot("console-field-error")

        try await browser.clear(threshold)
        try await browser.type(threshold, "100")
        try await browser.click("#campaign-submit")
        _ = try await browser.wait(
            for:
                "return location.hash === '#/campaigns/\(id)/console' && document.getElementById('simulate-run') !== null",
            "the new draft's console")
        #expect(
            try await browser.run("return document.getElementById('campaign-status').textContent") as? String == "草稿")
        let created = try await get(base + "/v1/campaigns/\(id)", key: key).1
        #expect(created["rules"]?["tiers"] == [["thresholdFen": 10_000, "reductionFen": 2_000]])
        #expect(created["status"] == "draft")

        // Simulate the sample cart the page picked; the API, asked the same, gives the same difference.
        try await browser.click("#simulate-run")
        let shown = try await browser.wait(
            for: "const d = document.getElementById('simulation-difference'); return d ? d.textContent : null",
            "the simulation")
        let cart =
            try await browser.run(
                """
                const form = document.getElementById('simulate-form');
                return JSON.stringify({customerId: form.querySelector('#f-cart-customerId').value,
                  channel: form.querySelector('#f-cart-channel').value, storeId: form.querySelector('#f-cart-storeId').value,
                  lines: [...form.querySelectorAll('.rows .row')].map(row => ({sku: row.querySelectorAll('input')[0].value,
                    quantity: Number(row.querySelectorAll('input')[1].value)}))});
                """) as? String ?? ""
        let simulated = try await send(
            "POST", base + "/v1/campaigns/\(id)/simulate", key: key, body: ["cart": try JSONValue(parsing: cart)]
        ).1
        let difference = simulated["differenceFen"]?.intValue ?? 0
        #expect(difference > 0, "the sample cart reaches the campaign: \(simulated)")
        #expect(shown as? String == yuan(difference))
        #expect(
            try await browser.run("return document.querySelector('#simulation li[data-campaign=\"\(id)\"]') !== null")
                as? Bool == true, "the campaign is listed as applied")

        try await browser.click("#campaign-actions button[data-action=activate]")
        _ = try await browser.wait(
            for: "return document.getElementById('campaign-status').textContent === '进行中'", "the activation")
        #expect(try await get(base + "/v1/campaigns/\(id)", key: key).1["status"] == "active")

        // Adjust the running campaign: the reduction becomes 30 yuan, version 2 shows it as a diff.
        let adjusted = "#adjust fieldset[data-path='rules.tiers'] .row input[name=reductionFen]"
        try await browser.clear(adjusted)
        try await browser.type(adjusted, "30")
        try await browser.click("#adjust #campaign-submit")
        let diff = try await browser.wait(
            for:
                "const v = document.querySelector('#versions li[data-version=\"2\"] pre'); return v ? v.textContent : null",
            "version 2 in the history")
        #expect((diff as? String)?.contains("- rules.tiers[0].reductionFen: 2000") == true, "\(diff)")
        #expect((diff as? String)?.contains("+ rules.tiers[0].reductionFen: 3000") == true, "\(diff)")
        try await browser.screenshotWholePage("console-1280", width: 1280)
        try await browser.screenshotWholePage("console-390", width: 390)
        try await browser.setSize(width: 1280, height: 800)

        try await browser.click("#nav a[data-view=overview]")
        let status = try await browser.wait(
            for:
                "const row = document.querySelector('tr[data-campaign=\"\(id)\"] .status'); return row ? row.textContent : null",
            "the campaign on the overview")
        #expect(status as? String == "进行中")
    }

    @Test("An analyst sees the figures but not the console: no link, no actions, no form; the API refuses anyway")
    func analystHasNoConsole() async throws {
        try await Self.withSeededServer(orders: 0) { base, store, _ in
            let analyst = try await ApiKeyStore(store: store).create(role: .analyst, name: "分析", actor: "tests").secret
            try await Self.signedIn(base, key: analyst, name: "analyst") { browser in
                #expect(
                    try await browser.run("return document.querySelector('#nav a[data-view=console]').hidden") as? Bool
                        == true)
                try await browser.click("tr[data-campaign=\"c-hotpot-1111\"] a")
                _ = try await browser.wait(
                    for: "return document.querySelector('#campaign-figures [data-field=orders]') !== null",
                    "the campaign page")
                #expect(try await browser.run("return document.getElementById('campaign-actions')") is NSNull)
                _ = try await browser.run("location.hash = '#/campaigns/c-hotpot-1111/console'; return true")
                _ = try await browser.wait(
                    for: "return document.getElementById('no-rights') !== null", "the refusal of the console")
                #expect(try await browser.run("return document.getElementById('adjust')") is NSNull)
                _ = try await browser.run("location.hash = '#/console'; return true")
                _ = try await browser.wait(
                    for:
                        "return document.getElementById('no-rights') !== null && !document.getElementById('campaign-form')",
                    "the refusal of the form")
            }
            let (status, body) = try await Self.send(
                "POST", base + "/v1/campaigns/c-hotpot-1111/pause", key: analyst, body: [:])
            #expect(status == 403 && body["error"]?["code"] == "forbidden")
        }
    }

    /// Opens the campaign page of the demo's hot-pot campaign, places an order for it through the API, and waits
    /// (15 s at most) for the page to show one order more and the budget grown by the order's discount, with the
    /// page not reloaded; screenshots at both widths.
    static func campaignPageFollowsAnOrder(_ browser: WebDriver, base: String, admin: String) async throws {
        let campaign = "c-hotpot-1111"
        try await browser.click("tr[data-campaign=\"\(campaign)\"] a")
        let figure = "document.querySelector('#campaign-figures [data-field=orders]')"
        let net = "document.querySelector('#budget tr[data-budget=totalFen] [data-field=net]')"
        _ = try await browser.wait(for: "return \(figure) !== null && \(net) !== null", "the campaign's figures")
        let title = try await browser.run("return document.querySelector('#campaign-header h1').textContent") as? String
        #expect(title?.contains("双十一火锅节") == true)
        let board = try await get(base + "/v1/dashboards/campaigns/\(campaign)", key: admin).1
        let shownOrders = try await browser.run("return \(figure).textContent") as? String
        #expect(shownOrders == String(board["orders"]?.intValue ?? -1), "the page shows the read model's order count")
        let totalNet = board["budget"]?["bySubBudget"]?["totalFen"]?["netFen"]?.intValue ?? -1
        #expect(try await browser.run("return \(net).textContent") as? String == yuan(totalNet))
        _ = try await browser.run("window.promoMarker = 'not reloaded'; return true")
        _ = try await browser.wait(
            for: "return document.getElementById('live').classList.contains('live')", "the live stream")

        // Four packs of hot-pot base: over the 100-yuan tier of the campaign.
        let (status, order) = try await send(
            "POST", base + "/v1/orders", key: admin,
            body: [
                "orderId": .string("o-browser-\(UUID().uuidString.prefix(8).lowercased())"), "customerId": "u-1000",
                "channel": "store", "storeId": "s-cd-01", "paymentMethod": "cash",
                "lines": [["sku": "HP-001", "quantity": 4]],
            ])
        #expect(status == 201, "\(order)")
        let discount =
            order["applied"]?.arrayValue?.first { $0["campaignId"]?.stringValue == campaign }?["amountFen"]?.intValue
        #expect((discount ?? 0) > 0, "the order took the campaign's reduction: \(order)")
        let expectedOrders = String((board["orders"]?.intValue ?? 0) + 1)
        let expectedNet = yuan(totalNet + (discount ?? 0))
        let shown = try await browser.wait(
            for: """
                return \(figure).textContent === '\(expectedOrders)' && \(net).textContent === '\(expectedNet)'
                    && window.promoMarker === 'not reloaded' ? [\(figure).textContent, \(net).textContent] : null
                """, timeout: .seconds(15), "the new order on the page without a reload")
        #expect(shown as? [String] == [expectedOrders, expectedNet])
        try await browser.screenshotWholePage("campaign-1280", width: 1280)
        try await browser.screenshotWholePage("campaign-390", width: 390)
        try await browser.setSize(width: 1280, height: 800)
        try await browser.click("#campaign-header a")
        _ = try await browser.wait(for: "return document.getElementById('campaigns') !== null", "the overview again")
    }

    @Test(
        "Reports show the read models' sales rows and the day's reconciliation; operations lists every projection, and a rebuild started there runs until readers switch to it"
    )
    func reportsAndOperations() async throws {
        try await Self.withSeededServer(orders: 20) { base, store, admin in
            let head = try await store.headPosition()
            // Reports read what the read models hold once they have taken in the seeded orders.
            for name in ["sales", "reconciliation"] {
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.get(base + "/v1/projections", key: admin).1["projections"]?.arrayValue?
                    .first(where: { $0["name"]?.stringValue == name })?["position"]?.intValue ?? 0 < head
                {
                    guard ContinuousClock.now < deadline else { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try await Self.signedIn(base, key: admin, name: "reports") { browser in
                try await browser.click("#nav a[data-view=reports]")
                _ = try await browser.wait(
                    for: "return document.querySelector('#sales-rows, #sales .body p') !== null", "the sales report")
                let range =
                    try await browser.run(
                        "return [document.getElementById('sales-from').value, document.getElementById('sales-to').value]"
                    )
                    as? [String] ?? []
                let sales = try await Self.get(
                    base + "/v1/reports/sales?from=\(range.first ?? "")&to=\(range.last ?? "")&groupBy=category",
                    key: admin
                ).1
                let rows = sales["rows"]?.arrayValue ?? []
                #expect(!rows.isEmpty, "the seeded orders are in the sales report")
                let shown =
                    try await browser.run(
                        "return [...document.querySelectorAll('#sales-rows tbody tr')].map(r => r.children[5].textContent)"
                    )
                    as? [String]
                #expect(shown == rows.map { Self.yuan($0["netFen"]?.intValue ?? 0) }, "net sales per day and category")
                let balanced = try await browser.wait(
                    for: "const s = document.getElementById('reconciliation-ok'); return s ? s.textContent : null",
                    "the reconciliation")
                let reconciliation = try await Self.get(base + "/v1/reports/reconciliation", key: admin).1
                #expect(balanced as? String == (reconciliation["ok"] == true ? "平衡" : "不平衡"))
                try await browser.screenshotWholePage("reports-1280", width: 1280)
                try await browser.screenshotWholePage("reports-390", width: 390)
                try await browser.setSize(width: 1280, height: 800)

                try await browser.click("#nav a[data-view=operations]")
                _ = try await browser.wait(
                    for: "return document.getElementById('projection-table') !== null", "projections")
                let listed =
                    try await browser.run(
                        "return [...document.querySelectorAll('#projection-table tbody tr')].map(r => r.dataset.projection)"
                    )
                    as? [String]
                let projections =
                    try await Self.get(base + "/v1/projections", key: admin).1["projections"]?.arrayValue ?? []
                #expect(listed == projections.compactMap { $0["name"]?.stringValue })
                let before = projections.first { $0["name"] == "stock_levels" }?["generation"]?.intValue ?? 0
                try await browser.click("button[data-rebuild=stock_levels]")
                _ = try await browser.wait(
                    for: """
                        const row = document.querySelector('tr[data-projection=stock_levels]');
                        return row && !row.querySelector('[data-field=rebuild]')
                            && row.textContent.includes(' \(before + 1)') ? true : null
                        """, timeout: .seconds(60), "the rebuild to switch over")
                let after = try await Self.get(base + "/v1/projections", key: admin).1["projections"]?.arrayValue?
                    .first { $0["name"] == "stock_levels" }
                #expect(after?["generation"]?.intValue == before + 1)
                #expect(after?["rebuild"] == .null)
                try await browser.screenshot("operations-1280")
            }
        }
    }
}
