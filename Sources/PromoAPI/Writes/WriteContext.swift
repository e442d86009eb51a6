import HTTPTypes
import PromoDomain
import Foundation
import Hummingbird

/// One HTTP write as the runner needs it: who, which Idempotency-Key, and the request's fingerprint.
struct WriteContext: Sendable {
    var principal: Principal
    var idempotencyKey: String?
    var requestHash: Data

    /// Idempotency-Keys: 1…128 visible ASCII characters.
    static let maxKeyLength = 128

    init(request: Request, context: APIRequestContext, body: ByteBuffer) throws(APIError) {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, code: "unauthorized", message: "a valid API key is needed")
        }
        self.principal = principal
        if let key = request.headers[HTTPField.Name("Idempotency-Key")!] {
            guard (1...Self.maxKeyLength).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
            else {
                throw APIError(
                    .badRequest, code: "invalid_idempotency_key",
                    message: "Idempotency-Key must be 1 to \(Self.maxKeyLength) visible ASCII characters",
                    details: ["field": "Idempotency-Key"])
            }
            idempotencyKey = key
        }
        requestHash = IdempotencyStore.requestHash(method: request.method, path: request.uri.path, body: body)
    }

    init(principal: Principal, idempotencyKey: String? = nil, requestHash: Data) {
        self.principal = principal
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
    }

    /// A write's body (at most 1 MiB) and its context, read the way every write route reads them.
    static func read(_ request: Request, context: APIRequestContext) async throws -> (WriteContext, ByteBuffer) {
        var request = request
        let bytes = try await request.bodyBytes(context: context)
        return (try WriteContext(request: request, context: context, body: bytes), bytes)
    }

    /// The event store's command id: the Idempotency-Key scoped to the API key.
    var commandId: String? { idempotencyKey.map { "\(principal.keyId):\($0)" } }
}
