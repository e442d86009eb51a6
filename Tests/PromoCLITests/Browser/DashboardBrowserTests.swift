import EventStore
import Foundation
import PromoAPI
import PromoDomain
import PromoTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The operator page in a real headless Chromium, against `promoctl serve` on a database of its own seeded by
/// `promoctl demo seed` through the API.
@Suite(
    "Operator dashboard in Chromium",
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
            "--log-level", "error",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { Self.stop(server) }
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
        var request = URLRequest(url: URL(string: url)!)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONValue(parsing: data)) ?? .null)
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
        "Sign in; the overview lists every seeded campaign with today's orders and GMV equal to the read model's; screenshots at 1280 and 390 px"
    )
    func overview() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "dash", migrations: APIMigrations.withEventStore
        ) { url, store in
            let admin = try await ApiKeyStore(store: store).create(role: .admin, name: "运营", actor: "tests").secret
            try await Self.withServer(url) { base in
                let seed = try OperatorCommandTests.promoctl(
                    ["demo", "seed", "--url", base, "--key", admin, "--orders", "30", "--customers", "40", "--quiet"],
                    database: nil)
                #expect(seed.status == 0, "\(seed.errors)")
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
    }
}
