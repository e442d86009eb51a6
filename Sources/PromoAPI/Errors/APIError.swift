import Foundation
import Hummingbird
import PromoDomain

/// An error as API.md fixes it: `{"error": {"code", "message", "details"}}` with its HTTP status.
///
/// The only place domain and store errors become status codes. `message` is for people and never carries
/// SQL, stack traces or server internals.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [String: JSONValue]

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: JSONValue] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// The JSON response for this error.
    public var response: Response {
        let body: JSONValue = [
            "error": ["code": .string(code), "message": .string(message), "details": .object(details)]
        ]
        return JSONResponse.make(status: status, body: body)
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

/// Builds JSON responses from ``JSONValue`` bodies.
public enum JSONResponse {
    public static func make(status: HTTPResponse.Status = .ok, body: JSONValue) -> Response {
        make(status: status, text: body.canonicalString)
    }

    /// A response whose body is already JSON text (a recorded response replayed byte for byte).
    public static func make(status: HTTPResponse.Status, text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
