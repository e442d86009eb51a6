import Foundation
import PromoDomain

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Calls PromoLedger's HTTP API as a channel system would: a Bearer key, JSON bodies, an Idempotency-Key on
/// every write. Foundation's URLSession, which ships with the toolchain, is enough for a seeder's few hundred
/// requests a second; it adds no package to the build.
struct DemoClient: Sendable {
    struct Answer: Sendable {
        var status: Int
        var body: JSONValue

        /// The error code of a 4xx or 5xx answer.
        var code: String? { body["error"]?["code"]?.stringValue }
    }

    let base: String
    let key: String
    let session: URLSession

    init(base: String, key: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.key = key
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        configuration.httpMaximumConnectionsPerHost = 16
        session = URLSession(configuration: configuration)
    }

    /// Sends the request; an answer whose status or code is not in `expected` (nor 2xx) is an error naming the
    /// request and the answer.
    @discardableResult
    func send(
        _ method: String, _ path: String, _ body: JSONValue? = nil, expected: Set<String> = []
    ) async throws -> Answer {
        guard let url = URL(string: base + path) else { throw DemoError("not a URL: \(base + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.canonicalBytes)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("demo-\(UUID().uuidString.lowercased())", forHTTPHeaderField: "Idempotency-Key")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw DemoError(
                "\(method) \(path): the server at \(base) did not answer (\(error.localizedDescription))",
                unreachable: true)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = data.isEmpty ? JSONValue.object([:]) : ((try? JSONValue(parsing: Array(data))) ?? .null)
        let answer = Answer(status: status, body: json)
        if (200..<300).contains(status) || expected.contains(String(status))
            || answer.code.map(expected.contains) == true
        {
            return answer
        }
        throw DemoError(
            "\(method) \(path) answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
    }

    /// Waits until `/readyz` answers 200.
    func waitUntilReady(seconds: Int = 150) async throws {
        let url = URL(string: base + "/readyz")!
        var last = "no answer"
        for _ in 0..<(seconds * 2) {
            if let (data, response) = try? await session.data(from: url) {
                if (response as? HTTPURLResponse)?.statusCode == 200 { return }
                last = String(decoding: data.prefix(300), as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw DemoError(
            "\(base)/readyz did not answer 200 within \(seconds) s (\(last)); is the server running and the database migrated (promoctl migrate)?"
        )
    }
}

/// What went wrong, in words an operator can act on.
struct DemoError: Error, CustomStringConvertible {
    var description: String
    /// The server did not answer at all (it stopped, or never ran).
    var unreachable = false

    init(_ description: String, unreachable: Bool = false) {
        self.description = description
        self.unreachable = unreachable
    }
}
