import PromoDomain

/// The OpenAPI 3.1 description of every route this server has, served at `GET /openapi.json`.
///
/// Written here, apart from the routes themselves; a test checks that it lists exactly the routes the router
/// has, each write with its request body and every route with its error responses.
enum OpenAPIDocument {
    static let json: JSONValue = [
        "openapi": "3.1.0",
        "info": [
            "title": "PromoLedger API", "version": "1.0.0",
            "description": .string(
                "Promotions, stock and customers of a Sichuan frozen-food brand. Every write accepts an "
                    + "Idempotency-Key (scoped to the API key) and returns the global position of its last event."),
        ],
        "servers": [["url": "/"]],
        "security": [["apiKey": []]],
        "paths": .object(paths),
        "components": [
            "securitySchemes": [
                "apiKey": ["type": "http", "scheme": "bearer", "description": "Authorization: Bearer <api key>"]
            ],
            "parameters": [
                "IdempotencyKey": [
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": .string(
                        "Repeat a write safely: the same key with the same body returns the first response and "
                            + "appends nothing; with another body it is a 409 idempotency_key_reused."),
                    "schema": ["type": "string", "minLength": 1, "maxLength": 128],
                ]
            ],
            "responses": .object(errorResponses),
            "schemas": .object(OpenAPISchemas.all),
        ],
    ]

    /// Status → (description) of the error responses, each with the error body.
    static let errorDescriptions: [Int: String] = [
        400: "Malformed JSON, a missing, invalid or unknown field (named in details.field)",
        401: "No API key, or an unknown or revoked one",
        403: "The key's role may not use this route",
        404: "An unknown id in the path",
        409: "A business conflict (insufficient_stock, idempotency_key_reused, wrong_expected_version, …)",
        413: "The body is over 1 MiB",
        422: "Valid JSON that breaks a rule",
        429: "rate_limited: the API key sent more requests a second than it may; retry after Retry-After seconds",
        503: "The database is unavailable, or append_outcome_unknown: retry with the same Idempotency-Key",
    ]

    static var errorResponses: [String: JSONValue] {
        Dictionary(
            uniqueKeysWithValues: errorDescriptions.map { status, description in
                (
                    "E\(status)",
                    [
                        "description": .string(description),
                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                    ] as JSONValue
                )
            })
    }

    static var paths: [String: JSONValue] {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in OpenAPIOperations.all {
            paths[operation.path, default: [:]][operation.method.lowercased()] = operation.json
        }
        return paths.mapValues { .object($0) }
    }

    /// Every (method, path) the document describes, e.g. `PUT /v1/products/{sku}`.
    static var operations: Set<String> { Set(OpenAPIOperations.all.map { "\($0.method) \($0.path)" }) }
}
