import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Debian's chromium and chromium-driver, which tools/test installs (as it installs PostgreSQL).
enum Browser {
    static let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let binary = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static var available: Bool { driver != nil && binary != nil }

    /// Where screenshots go for a person to look at: `.build/test-screenshots/`.
    static let screenshots: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/test-screenshots")
    }()
}

/// A minimal W3C WebDriver client for the installed chromedriver: a headless Chromium session driven over HTTP
/// (HummingbirdTesting's NIO client on one kept-alive connection; Foundation's URLSession on Linux fails on
/// chromedriver's answers with "Failed writing header").
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let process: Process
    private let port: Int
    private var client: TestClient
    private var session = ""

    /// Starts chromedriver on a free port and a headless Chromium session `width`×`height`.
    init(width: Int = 1280, height: Int = 800) async throws {
        port = Int.random(in: 30_000..<40_000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Browser.driver!)
        process.arguments = ["--port=\(port)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Connect once chromedriver says it listens (a client that first met a refused connection stays broken).
        let ready = Task.detached { () -> Bool in
            var seen = ""
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                seen += String(decoding: chunk, as: UTF8.self)
                if seen.contains("started successfully") { return true }
            }
        }
        let started = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { await ready.value }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard started else {
            kill(process.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not start")
        }
        client = TestClient(host: "127.0.0.1", port: port, configuration: Self.configuration)
        client.connect()
        let created = try await call(
            "POST", "/session",
            [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": Browser.binary!,
                            "args": [
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--window-size=\(width),\(height)", "--lang=zh-CN",
                            ],
                        ],
                    ]
                ]
            ])
        guard let id = (created["value"] as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "no session: \(created)")
        }
        session = id
    }

    static let configuration = TestClient.Configuration(timeout: .seconds(60))

    /// Ends the session (Chromium quits) and chromedriver; never waits on either for more than 5 s.
    func quit() async {
        _ = try? await call("DELETE", "/session/\(session)")
        process.terminate()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? await client.shutdown()
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let payload = try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
        let response = try await client.execute(
            TestClient.Request(
                path, method: HTTPRequest.Method(method)!, authority: "127.0.0.1:\(port)", headers: headers,
                body: payload))
        let data = Data((response.body ?? ByteBuffer()).readableBytesView)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if response.status.code >= 400 {
            throw Failure(
                description: "\(method) \(path): \(response.status.code) \(String(decoding: data, as: UTF8.self))")
        }
        return json
    }

    func open(_ url: String) async throws {
        try await call("POST", "/session/\(session)/url", ["url": url])
    }

    func setSize(width: Int, height: Int) async throws {
        try await call("POST", "/session/\(session)/window/rect", ["width": width, "height": height])
    }

    /// Runs `script` (a function body) in the page and returns its value.
    func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await call("POST", "/session/\(session)/execute/sync", ["script": script, "args": arguments])["value"]
    }

    /// Waits until `script` returns something truthy (up to `timeout`); returns it.
    func wait(
        for script: String, timeout: Duration = .seconds(15), _ what: String
    ) async throws -> Any {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await run(script), !(value is NSNull), (value as? Bool) != false {
                return value
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func type(_ selector: String, _ text: String) async throws {
        try await onElement(selector, "value", ["text": text])
    }

    /// Empties a text field.
    func clear(_ selector: String) async throws {
        try await onElement(selector, "clear", [:])
    }

    func element(_ selector: String) async throws -> String {
        let found = try await call(
            "POST", "/session/\(session)/element", ["using": "css selector", "value": selector])
        guard let element = (found["value"] as? [String: Any])?.values.first as? String else {
            throw Failure(description: "no element \(selector)")
        }
        return element
    }

    func click(_ selector: String) async throws {
        try await onElement(selector, "click", [:])
    }

    /// `action` on the element `selector` finds, found again when the page redrew it in between (a live page
    /// redraws its tables when the read models move): "stale element reference".
    private func onElement(_ selector: String, _ action: String, _ body: [String: Any]) async throws {
        var attempt = 0
        while true {
            do {
                try await call("POST", "/session/\(session)/element/\(try await element(selector))/\(action)", body)
                return
            } catch let failure as Failure where failure.description.contains("stale element reference") && attempt < 5
            {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// A PNG of the viewport, written to `Browser.screenshots/name.png`; returns the file.
    @discardableResult
    func screenshot(_ name: String) async throws -> URL {
        let value = try await call("GET", "/session/\(session)/screenshot")["value"] as? String ?? ""
        guard let png = Data(base64Encoded: value) else { throw Failure(description: "no screenshot") }
        try FileManager.default.createDirectory(at: Browser.screenshots, withIntermediateDirectories: true)
        let file = Browser.screenshots.appendingPathComponent("\(name).png")
        try png.write(to: file)
        return file
    }

    /// The whole page at `width`: the window made as tall as the page (4,000 px at most) for the screenshot.
    @discardableResult
    func screenshotWholePage(_ name: String, width: Int) async throws -> URL {
        try await setSize(width: width, height: 800)
        let height = try await run("return document.documentElement.scrollHeight") as? Int ?? 800
        try await setSize(width: width, height: min(max(height + 120, 800), 4_000))
        try await Task.sleep(for: .milliseconds(300))  // charts resize on the window's resize event
        return try await screenshot(name)
    }
}
