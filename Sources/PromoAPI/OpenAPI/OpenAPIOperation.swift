import PromoDomain

/// One operation of the OpenAPI document: a method on a path, who may call it, what it takes and answers.
struct OpenAPIOperation {
    var method: String
    var path: String
    var summary: String
    /// Nil for public routes.
    var roles: [AccessRole]?
    /// The request body's schema name, for writes.
    var body: String?
    var query: [String] = []
    /// A PUT that answers 201 when it defines the resource for the first time.
    var creates = false
    var success: Int = 200
    /// The success body's schema name.
    var response: String
    /// The success body's media type.
    var contentType = "application/json"
    var errors: [Int]

    var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    var json: JSONValue {
        var operation: [String: JSONValue] = [
            "summary": .string(summary),
            "operationId": .string(
                method.lowercased() + path.split(separator: "/").map(String.init).joined(separator: "_")),
        ]
        var parameters: [JSONValue] = pathParameters.map { name in
            [
                "name": .string(name), "in": "path", "required": true,
                // A stream id is `category-id`, the id any visible characters (percent-encoded in the path).
                "schema": name == "streamId"
                    ? ["type": "string", "minLength": 3, "maxLength": 3000]
                    : ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"],
            ]
        }
        parameters += query.map { name in ["name": .string(name), "in": "query", "schema": ["type": "string"]] }
        if let roles {
            let names = (roles + [.admin]).map(\.rawValue).joined(separator: ", ")
            operation["description"] = .string("Roles: \(names).")
        } else {
            operation["security"] = []
        }
        if let body {
            parameters.append(["$ref": "#/components/parameters/IdempotencyKey"])
            operation["requestBody"] = [
                "required": true,
                "content": ["application/json": ["schema": .string("#/components/schemas/\(body)").schemaRef]],
            ]
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        var content: [String: JSONValue] = [
            contentType: ["schema": .string("#/components/schemas/\(response)").schemaRef]
        ]
        if query.contains("format") {
            // format=csv: the same report as a CSV download (UTF-8 with a byte-order mark, money in yuan).
            content["text/csv"] = ["schema": ["type": "string"]]
        }
        var responses: [String: JSONValue] = [
            String(success): ["description": success == 201 ? "Created" : "OK", "content": .object(content)]
        ]
        if creates {
            responses["201"] = [
                "description": "Created (the first definition)",
                "content": ["application/json": ["schema": .string("#/components/schemas/\(response)").schemaRef]],
            ]
        }
        for status in errors { responses[String(status)] = ["$ref": .string("#/components/responses/E\(status)")] }
        operation["responses"] = .object(responses)
        return .object(operation)
    }
}

extension JSONValue {
    fileprivate var schemaRef: JSONValue { ["$ref": self] }
}
