import HTTPTypes
import Hummingbird
import NIOCore
import PromoDomain

extension Request {
    /// The body, at most `context.maxUploadSize` (1 MiB) bytes: past that a 413.
    mutating func bodyBytes(context: APIRequestContext) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "body_too_large", message: "request bodies are limited to 1 MiB",
                details: ["limitBytes": .int(Int64(context.maxUploadSize))])
        }
    }

    /// The body parsed as JSON; malformed JSON is a 400 that says at which byte reading stopped.
    static func json(_ bytes: ByteBuffer) throws(APIError) -> JSONValue {
        do {
            return try JSONValue(parsing: bytes.readableBytesView)
        } catch {
            throw APIError(
                .badRequest, code: "malformed_json", message: "the body is not valid JSON: \(error.reason)",
                details: ["field": "(body)", "offset": .int(Int64(error.offset))])
        }
    }

    /// A path parameter that must be an id (`A-Z a-z 0-9 . _ -`, 1…64); a 400 naming it otherwise.
    func identifier(_ name: String, context: APIRequestContext) throws(APIError) -> String {
        let value = context.parameters.get(name) ?? ""
        do {
            return try InputLimits.identifier(value, field: name)
        } catch {
            throw APIError(error)
        }
    }
}
