import PromoDomain

/// The schemas of the OpenAPI document's request and response bodies. Request bodies forbid unknown keys
/// (`additionalProperties: false`), as the server does.
enum OpenAPISchemas {
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, closed: Bool = true) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object", "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map { .string($0) }),
        ]
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func string(_ min: Int = 1, _ max: Int = 200) -> JSONValue {
        ["type": "string", "minLength": .int(Int64(min)), "maxLength": .int(Int64(max))]
    }

    static func integer(_ range: ClosedRange<Int64>) -> JSONValue {
        ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)]
    }

    static let id: JSONValue = ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"]
    static let labels: JSONValue = ["type": "array", "items": string(1, 64), "maxItems": 32, "uniqueItems": true]
    static let position: JSONValue = ["type": "integer", "description": "global position of the write's last event"]
    static let version: JSONValue = ["type": "integer", "description": "the stream's version after the write"]

    static let productFields: [String: JSONValue] = [
        "name": string(), "spec": string(0), "origin": string(0),
        "shelfLifeDays": integer(InputLimits.shelfLifeDays), "priceFen": integer(InputLimits.fen),
        "costFen": integer(InputLimits.fen), "category": string(1, 64), "tags": labels,
    ]
    static let stockLevel: [String: JSONValue] = [
        "onHand": ["type": "integer"], "reserved": ["type": "integer"], "available": ["type": "integer", "minimum": 0],
        "safetyStock": ["type": "integer"],
    ]
    static let customerFields: [String: JSONValue] = [
        "region": string(1, 64), "tier": ["enum": ["regular", "silver", "gold"]], "tastePreferences": labels,
        "consents": object(["sms": ["type": "boolean"], "wechat": ["type": "boolean"], "app": ["type": "boolean"]]),
    ]

    /// API.md's quote body, plus the channel's delivery fee.
    static let cart: JSONValue = object(
        [
            "customerId": id, "channel": ["enum": ["online", "store"]], "storeId": id,
            "lines": [
                "type": "array", "maxItems": .int(Int64(PricingLimits.maxCartLines)),
                "items": object(["sku": string(1, 64), "quantity": integer(1...Int64(PricingLimits.maxQuantity))]),
            ],
            "couponCodes": ["type": "array", "items": ["type": "string"]],
            "pointsToRedeem": integer(0...Int64(PricingLimits.maxPoints)),
            "shippingFeeFen": integer(0...Int64(PricingLimits.maxAmountFen)),
        ], required: ["channel", "customerId", "lines", "storeId"])

    /// A cart and the order's own fields.
    static var orderBody: JSONValue {
        guard case .object(var schema) = cart, case .object(var properties)? = schema["properties"] else { return cart }
        properties["orderId"] = id
        properties["paymentMethod"] = string(1, 64)
        properties["expectedTotalFen"] = integer(0...Int64(PricingLimits.maxCartListFen))
        schema["properties"] = .object(properties)
        schema["required"] = ["channel", "customerId", "lines", "orderId", "paymentMethod", "storeId"]
        return .object(schema)
    }

    /// API.md's campaign body; `rules` by kind as the README's kinds table gives them.
    static let campaignFields: [String: JSONValue] = [
        "name": string(0), "kind": ["enum": .array(CampaignKind.allCases.map { .string($0.rawValue) })],
        "window": object(["start": ["type": "string"], "end": ["type": "string"]]),
        "scope": ["type": "object"], "audience": ["type": "object"], "rules": ["type": "object"],
        "stacking": ["type": "object"], "budget": ["type": "object"], "alerts": ["type": "object"],
        "limits": ["type": "object"], "budgetMode": ["enum": ["all_or_nothing", "partial"]],
    ]

    static var all: [String: JSONValue] { commands.merging(readModels) { a, _ in a } }

    static var commands: [String: JSONValue] {
        [
            "Error": object([
                "error": object([
                    "code": ["type": "string", "pattern": "^[a-z0-9_]+$"], "message": ["type": "string"],
                    "details": ["type": "object"],
                ])
            ]),
            "Health": object(["status": ["const": "ok"]]),
            "Ready": object([
                "status": ["const": "ready"], "schemaVersion": ["type": "integer"], "headPosition": ["type": "integer"],
            ]),
            "OpenAPIDocument": ["type": "object"],
            "Metrics": ["type": "string", "description": "Prometheus text exposition format 0.0.4"],
            "Page": ["type": "string", "description": "an HTML page or a static asset"],
            "LivePositions": [
                "type": "string",
                "description": """
                text/event-stream: `event: positions`, `id: <highest position>`, `data: {"position": N, \
                "positions": {"<projection>": N, …}}`, blank line; `: idle` comments between
                """,
            ],
            "Me": object([
                "keyId": ["type": "string"], "name": ["type": "string"],
                "role": ["enum": .array(AccessRole.allCases.map { .string($0.rawValue) })],
            ]),
            "ProductBody": object(productFields),
            "Product": object(
                productFields.merging(["sku": id, "version": version, "position": position]) { a, _ in a },
                closed: false),
            "ProductList": object(["products": ["type": "array", "items": ["$ref": "#/components/schemas/Product"]]]),
            "StoreBody": object(
                [
                    "name": string(), "region": string(1, 64), "channel": ["enum": ["online", "store"]],
                    "fulfilmentLocation": id,
                ],
                required: ["channel", "name", "region"]),
            "Store": object(
                [
                    "storeId": id, "name": string(), "region": string(1, 64), "channel": ["enum": ["online", "store"]],
                    "fulfilmentLocation": id, "version": version, "position": position,
                ], closed: false),
            "StockReceipt": object(["quantity": integer(InputLimits.stockQuantity)]),
            "StockAdjustment": object([
                "delta": ["type": "integer", "minimum": -1_000_000, "maximum": 1_000_000, "not": ["const": 0]],
                "reason": string(1, 500),
            ]),
            "SafetyStock": object(["quantity": integer(0...InputLimits.stockQuantity.upperBound)]),
            "StockLevel": object(
                stockLevel.merging(["sku": id, "location": id, "lowStock": ["type": "boolean"], "position": position]) {
                    a, _ in a
                },
                closed: false),
            "StockLevels": object([
                "sku": id,
                "locations": ["type": "object", "additionalProperties": object(stockLevel)],
            ]),
            "CustomerBody": object(
                customerFields.merging(["name": string(1, 100), "phone": string(3, 32), "address": string(1, 500)]) {
                    a, _ in a
                }),
            "Customer": object(
                customerFields.merging(["customerId": id, "version": version, "position": position]) { a, _ in a },
                closed: false),
            "CustomerTags": object(["tags": ["type": "array", "items": string(1, 64), "maxItems": 32]]),
            "CustomerTagsResult": object(
                [
                    "customerId": id, "tags": ["type": "array", "items": ["type": "string"]],
                    "audienceTags": ["type": "array", "items": ["type": "string"]], "version": version,
                    "position": position,
                ], closed: false),
            "Empty": object([:]),
            "CouponTemplateBody": object(
                [
                    "templateId": id, "name": string(0), "discount": ["type": "object"], "scope": ["type": "object"],
                    "stackable": ["type": "boolean"], "validFrom": ["type": "string"], "validUntil": ["type": "string"],
                    "totalQuantity": ["type": "integer", "minimum": 1],
                    "perCustomerLimit": ["type": "integer", "minimum": 1],
                    "campaignId": id,
                ], required: ["discount", "templateId", "validFrom", "validUntil"]),
            "CouponTemplate": object(["templateId": id, "version": version, "position": position], closed: false),
            "CouponIssue": object(["customerIds": ["type": "array", "minItems": 1, "items": id]]),
            "IssuedCoupons": object(
                [
                    "templateId": id,
                    "coupons": ["type": "array", "items": object(["code": id, "customerId": id])],
                    "position": position,
                ], required: ["coupons", "templateId"]),
            "Cart": cart,
            "Simulation": object(["cart": cart]),
            "OrderBody": orderBody,
            "CancelBody": object(["reason": string(1, 500)], required: []),
            "Expense": object(
                [
                    "kind": ["enum": ["ads", "print", "push", "other"]],
                    "amountFen": integer(1...InputLimits.fen.upperBound),
                    "note": string(0, 500),
                ], required: ["amountFen", "kind"]),
            "ShipBody": object(["location": id]),
            "RefundBody": object(
                [
                    "refundId": id,
                    "lines": [
                        "type": "array",
                        "items": object(
                            [
                                "sku": string(1, 64), "quantity": integer(1...Int64(PricingLimits.maxQuantity)),
                                "restock": ["type": "boolean"],
                            ], required: ["quantity", "sku"]),
                    ],
                    "gifts": [
                        "type": "array",
                        "description":
                            "gift units (满赠) coming back, by the campaign that gave them; at least one of lines and gifts names a unit",
                        "items": object(
                            [
                                "campaignId": id, "quantity": integer(1...Int64(PricingLimits.maxGiftQuantity)),
                                "restock": ["type": "boolean"],
                            ], required: ["campaignId", "quantity"]),
                    ],
                ], required: ["refundId"]),
            "RefundResult": object(
                [
                    "orderId": id, "refundId": id, "refundFen": ["type": "integer"], "lines": ["type": "array"],
                    "gifts": ["type": "array"],
                    "pointsReturned": ["type": "integer"], "pointsClawedBack": ["type": "integer"],
                    "refundedFen": ["type": "integer"], "position": position,
                ], required: ["orderId", "refundFen", "refundId"], closed: false),
            "Payment": object(
                [
                    "amountFen": integer(InputLimits.fen), "method": string(1, 64), "reference": string(0, 200),
                ], required: ["amountFen", "method"]),
            "Order": object(
                [
                    "orderId": id, "customerId": id, "status": ["enum": ["placed", "paid", "cancelled", "shipped"]],
                    "storeId": id,
                    "fulfilmentLocation": id, "paymentMethod": ["type": "string"], "totalFen": ["type": "integer"],
                    "lines": ["type": "array"], "version": version, "position": position,
                    "rebateCoupons": [
                        "type": "array",
                        "items": object(
                            [
                                "couponTemplateId": id, "granted": ["type": "boolean"], "code": ["type": "string"],
                                "reason": [
                                    "enum": ["quantity_exhausted", "customer_limit_reached", "unknown_template"]
                                ],
                            ], required: ["couponTemplateId", "granted"]),
                    ],
                ], required: ["lines", "orderId", "status", "totalFen"], closed: false),
            "Quote": object(
                [
                    "lines": ["type": "array"], "gifts": ["type": "array"], "subtotalFen": ["type": "integer"],
                    "discountFen": ["type": "integer"], "totalFen": ["type": "integer"],
                    "pointsToEarn": ["type": "integer"], "applied": ["type": "array"], "rejected": ["type": "array"],
                    "hints": ["type": "array"],
                ], closed: false),
            "SimulationResult": object([
                "campaignId": id, "status": ["type": "string"],
                "withCampaign": ["$ref": "#/components/schemas/Quote"],
                "withoutCampaign": ["$ref": "#/components/schemas/Quote"], "differenceFen": ["type": "integer"],
            ]),
            "CampaignBody": object(
                campaignFields.merging(["campaignId": id]) { a, _ in a },
                required: ["campaignId", "kind", "rules", "window"]),
            "CampaignPatch": object(campaignFields.merging(["campaignId": id]) { a, _ in a }, required: []),
            "Campaign": object(
                campaignFields.merging([
                    "campaignId": id, "status": ["enum": .array(CampaignStatus.allCases.map { .string($0.rawValue) })],
                    "version": version,
                    "definitionVersion": ["type": "integer", "minimum": 1],
                    "budget": object([
                        "limits": ["type": "object"], "consumed": ["type": "object"], "left": ["type": "object"],
                    ]),
                    "position": position,
                ]) { _, new in new },
                required: [
                    "budget", "campaignId", "definitionVersion", "kind", "rules", "status", "version", "window",
                ],
                closed: false),
            "CampaignList": object([
                "campaigns": ["type": "array", "items": ["$ref": "#/components/schemas/Campaign"]]
            ]),
            "CampaignVersions": object([
                "campaignId": id,
                "versions": [
                    "type": "array",
                    "items": object(
                        [
                            "version": ["type": "integer"], "streamVersion": ["type": "integer"], "position": position,
                            "recordedAt": ["type": "string"], "actor": ["type": ["string", "null"]],
                            "definition": ["type": "object"], "changed": ["type": "array"],
                        ], closed: false),
                ],
                "statusChanges": ["type": "array"],
            ]),
        ]
    }

    static var readModels: [String: JSONValue] {
        let count: JSONValue = ["type": "integer", "minimum": 0]
        let figures: [String: JSONValue] = [
            "orders": count, "participants": count, "gmvFen": count, "discountFen": count, "giftCostFen": count,
            "refundedFen": count,
        ]
        let behaviouralTags: JSONValue = [
            "type": "array",
            "items": object([
                "tag": ["enum": .array(BehaviouralTag.allCases.map { .string($0.rawValue) })],
                "label": ["type": "string"],
            ]),
        ]
        let tagFacts = object([
            "orders": count, "couponOrders": count, "lastOrderDay": ["type": ["string", "null"]],
            "hasPaidOrder": ["type": "boolean"], "unitsLast90Days": ["type": "integer"],
            "spicyUnitsLast90Days": ["type": "integer"], "hotpotOrdersLast30Days": count,
        ])
        let storedEvent = object([
            "position": ["type": "integer"], "streamId": string(3, 1000), "streamVersion": count,
            "eventId": ["type": "string", "format": "uuid"], "type": string(1, 100),
            "schemaVersion": ["type": "integer", "description": "of the payload as served (upcast=true: the current)"],
            "storedSchemaVersion": ["type": "integer"], "payload": ["type": "object"], "metadata": ["type": "object"],
            "recordedAt": ["type": "string", "format": "date-time", "description": "to the microsecond"],
            "hash": ["type": "string", "pattern": "^[0-9a-f]{64}$"], "hashFormat": ["enum": [1, 2]],
        ])
        let upliftPeriod = object([
            "from": ["type": "string", "format": "date"], "to": ["type": "string", "format": "date"], "days": count,
            "units": ["type": "integer"], "netFen": ["type": "integer"], "unitsPerDay": ["type": "number"],
            "netFenPerDay": ["type": "integer"],
        ])
        return [
            "ProjectionList": object([
                "projections": [
                    "type": "array",
                    "items": object([
                        "name": string(1, 40), "version": count, "generation": count, "position": ["type": "integer"],
                        "lagEvents": count, "lagSeconds": ["type": "number", "minimum": 0],
                        "status": ["enum": ["running", "rebuilding", "failed", "stopped", "new"]],
                        "workerRunning": ["type": "boolean"],
                        "rebuild": [
                            "oneOf": [
                                ["type": "null"],
                                object([
                                    "generation": count, "version": count, "position": ["type": "integer"],
                                    "eventsDone": count, "eventsTotal": count,
                                    "status": ["enum": ["running", "failed"]],
                                ]),
                            ]
                        ],
                        "parked": [
                            "type": "array",
                            "items": object([
                                "generation": count, "position": ["type": "integer"],
                                "eventId": ["type": ["string", "null"]], "eventType": ["type": ["string", "null"]],
                                "streamId": ["type": ["string", "null"]], "error": ["type": "string"],
                                "attempts": count, "parkedAt": ["type": "string", "format": "date-time"],
                            ]),
                        ],
                    ]),
                ]
            ]),
            "BudgetBurn": object([
                "campaignId": id,
                "budgets": [
                    "type": "object",
                    "additionalProperties": object([
                        "limitFen": ["type": ["integer", "null"]], "consumedFen": count, "releasedFen": count,
                        "netFen": ["type": "integer"], "leftFen": ["type": ["integer", "null"]],
                        "percent": ["type": ["number", "null"]],
                    ]),
                ],
                "thresholdsCrossed": [
                    "type": "array",
                    "items": object([
                        "budget": string(1, 40), "thresholdBp": count, "orderId": id, "consumedFen": count,
                        "limitFen": count, "at": ["type": "string", "format": "date-time"],
                        "position": ["type": "integer"],
                    ]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "CampaignDashboard": object(
                figures.merging([
                    "campaignId": id, "cancelledOrders": count,
                    "hourly": [
                        "type": "array", "items": object(figures.merging(["hour": string(1, 40)]) { a, _ in a }),
                    ],
                    "byChannel": [
                        "type": "array", "items": object(figures.merging(["channel": string(1, 40)]) { a, _ in a }),
                    ],
                    "byStore": ["type": "array", "items": object(figures.merging(["storeId": id]) { a, _ in a })],
                    "budget": object(
                        [
                            "totalFen": ["type": ["integer", "null"]], "consumedFen": ["type": "integer"],
                            "bySubBudget": ["type": "object"],
                        ], closed: false),
                    "position": ["type": "integer", "description": "the read model's checkpoint"],
                ]) { a, _ in a }),
            "CampaignOverview": object([
                "date": string(10, 10),
                "campaigns": [
                    "type": "array",
                    "items": object([
                        "campaignId": id,
                        "today": object(["orders": count, "participants": count, "gmvFen": count, "discountFen": count]
                        ),
                        "budget": object([
                            "name": [
                                "type": ["string", "null"],
                                "description":
                                    "totalFen, or the most consumed sub-budget when the total is not limited",
                            ],
                            "limitFen": ["type": ["integer", "null"]], "netFen": ["type": "integer"],
                            "percent": ["type": ["number", "null"]],
                        ]),
                    ]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "Alerts": object([
                "since": ["type": "string", "format": "date-time"],
                "alerts": [
                    "type": "array",
                    "items": object([
                        "kind": [
                            "enum": ["low_stock", "budget_threshold", "refund_spike", "projection_lag", "parked_event"]
                        ],
                        "subject": string(1, 200), "at": ["type": "string", "format": "date-time"],
                        "message": ["type": "string"], "details": ["type": ["object", "null"]],
                    ]),
                ],
            ]),
            "StoredEventList": object(
                [
                    "streamId": string(3, 1000), "version": count, "fromVersion": count,
                    "asOf": ["type": ["string", "null"], "format": "date-time"],
                    "events": ["type": "array", "items": storedEvent],
                    "nextFromVersion": ["type": ["integer", "null"], "description": "null: the stream ends here"],
                ]),
            "EventPage": object([
                "after": ["type": "integer"], "category": ["type": ["string", "null"]],
                "events": ["type": "array", "items": storedEvent],
                "next": [
                    "type": "integer",
                    "description": .string(
                        "the `after` of the next page: every event at or below it that this page could hold has been "
                            + "returned, none can still commit there"),
                ],
            ]),
            "StreamVerification": object(
                [
                    "streamId": string(3, 1000), "ok": ["type": "boolean"], "events": count,
                    "head": object(["version": count, "hash": ["type": "string", "pattern": "^[0-9a-f]{64}$"]]),
                    "firstBadVersion": count, "problem": ["type": "string"],
                ], required: ["streamId", "ok", "events", "head"]),
            "RebuildStarted": object([
                "name": string(1, 40), "generation": count, "version": count,
                "state": ["enum": ["building", "live"]], "eventsTotal": count,
            ]),
            "CustomerProfileView": object(
                [
                    "customerId": id, "hasProfile": ["type": "boolean"], "region": ["type": ["string", "null"]],
                    "tier": ["type": "string"], "name": ["type": ["string", "null"]],
                    "phone": ["type": ["string", "null"]], "address": ["type": ["string", "null"]],
                    "personalDataErased": ["type": "boolean"], "tastePreferences": labels, "marketingTags": labels,
                    "consents": object([
                        "sms": ["type": "boolean"], "wechat": ["type": "boolean"], "app": ["type": "boolean"],
                    ]),
                    "points": object(["balance": ["type": "integer"]]), "tags": behaviouralTags,
                    "tagFacts": tagFacts, "date": ["type": "string", "format": "date"],
                    "summary": object([
                        "orders": count, "cancelledOrders": count, "spendFen": ["type": "integer"],
                        "refundedFen": count, "lastOrderAt": ["type": ["string", "null"]],
                        "favouriteCategories": [
                            "type": "array", "items": object(["category": ["type": "string"], "units": count]),
                        ],
                    ]),
                    "coupons": object([
                        "held": ["type": "array", "items": object(["code": ["type": "string"], "templateId": id])],
                        "redeemed": count, "expired": count,
                    ]),
                    "position": ["type": "integer", "description": "the read model's checkpoint"],
                ], required: ["customerId", "tags", "summary", "points", "coupons", "position"]),
            "CustomerAudience": object([
                "date": ["type": "string", "format": "date"], "tag": ["type": ["string", "null"]],
                "consent": ["type": ["string", "null"]],
                "customers": [
                    "type": "array",
                    "items": object(["customerId": id, "tags": behaviouralTags, "tagFacts": tagFacts]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "SalesReport": object([
                "from": ["type": "string", "format": "date"], "to": ["type": "string", "format": "date"],
                "groupBy": ["enum": ["product", "category", "region", "store", "channel", "segment"]],
                "rows": [
                    "type": "array",
                    "items": object([
                        "day": ["type": "string", "format": "date"], "key": ["type": "string"],
                        "name": ["type": "string"], "units": ["type": "integer"], "gmvFen": ["type": "integer"],
                        "discountFen": ["type": "integer"], "netFen": ["type": "integer"],
                        "refundedUnits": ["type": "integer"], "refundFen": ["type": "integer"],
                    ]),
                ],
                "totals": object([
                    "units": ["type": "integer"], "gmvFen": ["type": "integer"], "discountFen": ["type": "integer"],
                    "netFen": ["type": "integer"], "refundedUnits": ["type": "integer"],
                    "refundFen": ["type": "integer"],
                ]),
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "Reconciliation": object([
                "date": ["type": "string", "format": "date"], "ok": ["type": "boolean"],
                "totals": object([
                    "paymentsFen": count, "refundsFen": count, "netCashFen": ["type": "integer"],
                    "netRevenueFen": ["type": "integer"], "pointsLiabilityFen": ["type": "integer"],
                    "entries": count,
                ]),
                "byCampaign": [
                    "type": "array",
                    "items": object([
                        "campaignId": ["type": ["string", "null"]], "costKind": ["type": "string"],
                        "amountFen": ["type": "integer"],
                    ]),
                ],
                "mismatches": [
                    "type": "array",
                    "items": object([
                        "check": ["enum": ["promotion_cost", "refund_promotion", "cash", "unbalanced_entry"]],
                        "message": ["type": "string"], "orderId": ["type": ["string", "null"]],
                        "refundId": ["type": ["string", "null"]], "campaignId": ["type": ["string", "null"]],
                        "costKind": ["type": ["string", "null"]],
                        "amounts": ["type": "object", "additionalProperties": ["type": "integer"]],
                        "entries": ["type": "array", "items": ["type": "string"]],
                        "events": [
                            "type": "array",
                            "items": object([
                                "position": ["type": "integer"], "type": ["type": "string"],
                                "streamId": ["type": "string"],
                            ]),
                        ],
                    ]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "Journal": object([
                "from": ["type": "string", "format": "date"], "to": ["type": "string", "format": "date"],
                "entries": [
                    "type": "array",
                    "items": object([
                        "date": ["type": "string", "format": "date"], "entryId": ["type": "string"],
                        "kind": ["type": "string"], "description": ["type": "string"], "position": ["type": "integer"],
                        "lines": [
                            "type": "array",
                            "items": object([
                                "account": ["type": "string"], "accountName": ["type": "string"],
                                "campaignId": ["type": ["string", "null"]], "costKind": ["type": ["string", "null"]],
                                "debitFen": count, "creditFen": count,
                            ]),
                        ],
                    ]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "Uplift": object([
                "campaignId": id, "name": ["type": "string"],
                "window": object(["start": ["type": "string"], "end": ["type": ["string", "null"]]]),
                "daysBefore": count, "before": upliftPeriod, "during": upliftPeriod,
                "extraUnits": ["type": "integer"], "extraNetFen": ["type": "integer"],
                "promotionCostFen": ["type": "integer"],
                "costByKind": ["type": "object", "additionalProperties": ["type": "integer"]],
                "costPerExtraUnitFen": ["type": ["integer", "null"]],
                "daily": [
                    "type": "array",
                    "items": object([
                        "day": ["type": "string", "format": "date"], "period": ["enum": ["before", "during"]],
                        "units": ["type": "integer"], "netFen": ["type": "integer"],
                    ]),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
            "StockReport": object([
                "items": [
                    "type": "array",
                    "items": object(
                        stockLevel.merging([
                            "sku": id, "location": id, "belowSafety": ["type": "boolean"],
                            "available": ["type": "integer"],
                        ]) { _, b in b }),
                ],
                "position": ["type": "integer", "description": "the read model's checkpoint"],
            ]),
        ]
    }
}
