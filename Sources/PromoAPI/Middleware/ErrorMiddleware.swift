import HTTPTypes
import EventStore
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

/// Every error leaves the server in API.md's shape: `{"error": {"code", "message", "details"}}`.
///
/// ``APIError``s pass through as they are. Hummingbird's own errors (no route, method not allowed, body too
/// large, malformed request) keep their status and get a code. Anything else is a 500 with no internals in
/// the body: the error itself goes to the log.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as HTTPError {
            return Self.apiError(for: error.status, message: error.body).response
        } catch let error as FieldError {
            return APIError(error).response
        } catch let error as EventStoreError {
            context.logger.warning("event store error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.apiError(for: error).response
        } catch let error as any HTTPResponseError {
            return Self.apiError(for: error.status, message: nil).response
        } catch let error as PSQLError {
            context.logger.error("database error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(
                .serviceUnavailable, code: "database_unavailable", message: "the database cannot be reached"
            )
            .response
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, code: "internal_error", message: "the request could not be handled")
                .response
        }
    }

    /// The store's errors as API.md's codes; the message is the store's safe description, never SQL.
    static func apiError(for error: EventStoreError) -> APIError {
        switch error.code {
        case .wrongExpectedVersion:
            APIError(.conflict, code: error.code.name, message: "another writer changed this resource first; retry")
        case .idempotencyKeyReused:
            APIError(
                .conflict, code: error.code.name,
                message: "this Idempotency-Key was used before with a different request")
        case .appendOutcomeUnknown:
            APIError(
                .serviceUnavailable, code: error.code.name,
                message: "the write may or may not have been recorded; retry with the same Idempotency-Key")
        case .invalidAppend, .invalidStreamID:
            APIError(.badRequest, code: error.code.name, message: error.message)
        case .streamBusy:
            APIError(.serviceUnavailable, code: error.code.name, message: "the resource is busy; retry")
        default:
            APIError(.serviceUnavailable, code: "database_unavailable", message: "the database cannot be reached")
        }
    }

    static func apiError(for status: HTTPResponse.Status, message: String?) -> APIError {
        switch status {
        case .notFound:
            APIError(status, code: "not_found", message: message ?? "no such resource")
        case .methodNotAllowed:
            APIError(status, code: "method_not_allowed", message: message ?? "this method is not allowed here")
        case .contentTooLarge:
            APIError(status, code: "body_too_large", message: "request bodies are limited to 1 MiB")
        case .badRequest:
            APIError(status, code: "bad_request", message: message ?? "the request is malformed")
        case .unauthorized:
            APIError(status, code: "unauthorized", message: message ?? "a valid API key is needed")
        case .forbidden:
            APIError(status, code: "forbidden", message: message ?? "this key's role may not do that")
        default:
            APIError(status, code: "http_\(status.code)", message: message ?? status.reasonPhrase)
        }
    }
}
