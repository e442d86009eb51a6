import Foundation

/// A coupon template was defined (`coupontemplate-{templateId}`): API.md's body, canonical.
public struct CouponTemplateDefined: DomainEvent {
    public static let eventType = "CouponTemplateDefined"

    public var templateId: String
    public var definition: JSONValue

    public init(templateId: String, definition: JSONValue) {
        self.templateId = templateId
        self.definition = definition
    }

    public static let sample = CouponTemplateDefined(
        templateId: "t-50off",
        definition: [
            "templateId": "t-50off", "name": "满300减50",
            "discount": ["kind": "amount", "valueFen": 5000, "thresholdFen": 30000],
            "validFrom": "2026-11-01T00:00:00+08:00", "validUntil": "2026-11-30T00:00:00+08:00", "totalQuantity": 1000,
            "perCustomerLimit": 1,
        ])
}

/// Coupons of a template were issued to customers (on the template's stream, which counts them against
/// `totalQuantity` and `perCustomerLimit`).
public struct CouponsIssued: DomainEvent {
    public static let eventType = "CouponsIssued"

    public var templateId: String
    public var coupons: [IssuedCoupon]

    public struct IssuedCoupon: Codable, Sendable, Equatable {
        public var code: String
        public var customerId: String
        public init(code: String, customerId: String) {
            self.code = code
            self.customerId = customerId
        }
    }

    public init(templateId: String, coupons: [IssuedCoupon]) {
        self.templateId = templateId
        self.coupons = coupons
    }

    public static let sample = CouponsIssued(
        templateId: "t-50off", coupons: [IssuedCoupon(code: "CP-7F3A9C21D4E6", customerId: "u-1001")])
}

/// One coupon came to be (`coupon-{code}`): whose it is and of which template.
public struct CouponIssued: DomainEvent {
    public static let eventType = "CouponIssued"

    public var code: String
    public var templateId: String
    public var customerId: String

    public init(code: String, templateId: String, customerId: String) {
        self.code = code
        self.templateId = templateId
        self.customerId = customerId
    }

    public static let sample = CouponIssued(code: "CP-7F3A9C21D4E6", templateId: "t-50off", customerId: "u-1001")
}

/// A coupon was used on an order (in the order's append), or given back when that order was cancelled.
public struct CouponRedeemed: DomainEvent {
    public static let eventType = "CouponRedeemed"

    public var code: String
    public var orderId: String

    public init(code: String, orderId: String) {
        self.code = code
        self.orderId = orderId
    }

    public static let sample = CouponRedeemed(code: "CP-7F3A9C21D4E6", orderId: "o-20261111-0001")
}

public struct CouponReleased: DomainEvent {
    public static let eventType = "CouponReleased"

    public var code: String
    public var orderId: String

    public init(code: String, orderId: String) {
        self.code = code
        self.orderId = orderId
    }

    public static let sample = CouponReleased(code: "CP-7F3A9C21D4E6", orderId: "o-20261111-0001")
}

/// A coupon's validity ran out unused (the clock records it when its template's `validUntil` passes): it can no
/// longer be redeemed, and reports count it as expired.
public struct CouponExpired: DomainEvent {
    public static let eventType = "CouponExpired"

    public var code: String
    public var templateId: String

    public init(code: String, templateId: String) {
        self.code = code
        self.templateId = templateId
    }

    public static let sample = CouponExpired(code: "CP-7F3A9C21D4E6", templateId: "t-5off-150")
}

/// A template's stream folded: its definition and how many coupons it issued, in all and per customer.
public struct CouponTemplateState: EventSourced, Equatable {
    public private(set) var definition: JSONValue?
    public private(set) var issued = 0
    public private(set) var issuedTo: [String: Int] = [:]

    /// When the template's coupons stop being valid.
    public var validUntil: Date? { definition?["validUntil"]?.stringValue.flatMap(ScenarioDecoding.date) }

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case CouponTemplateDefined.eventType:
            definition = try payload.decode(as: CouponTemplateDefined.self).definition
        case CouponsIssued.eventType:
            for coupon in try payload.decode(as: CouponsIssued.self).coupons {
                issued += 1
                issuedTo[coupon.customerId, default: 0] += 1
            }
        default:
            break
        }
    }

    /// Issuing one coupon to each of `customerIds` (repeats give several), within the template's limits.
    public func decideIssue(
        _ customerIds: [String], template: CouponTemplate, code: () -> String
    ) throws(CouponError) -> (CouponsIssued, [CouponIssued]) {
        if let total = template.totalQuantity, issued + customerIds.count > total {
            throw .quantityExhausted(left: max(0, total - issued))
        }
        var counts = issuedTo
        var coupons: [CouponsIssued.IssuedCoupon] = []
        for customerId in customerIds {
            counts[customerId, default: 0] += 1
            if let limit = template.perCustomerLimit, counts[customerId, default: 0] > limit {
                throw .customerLimitReached(customerId: customerId, limit: limit)
            }
            coupons.append(CouponsIssued.IssuedCoupon(code: code(), customerId: customerId))
        }
        return (
            CouponsIssued(templateId: template.templateId, coupons: coupons),
            coupons.map { CouponIssued(code: $0.code, templateId: template.templateId, customerId: $0.customerId) }
        )
    }
}

/// A coupon's stream folded.
public struct CouponState: EventSourced, Equatable {
    public private(set) var issued: CouponIssued?
    /// The order it is redeemed on, if any.
    public private(set) var redeemedBy: String?
    /// Its validity ran out unused.
    public private(set) var expired = false

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case CouponIssued.eventType: issued = try payload.decode(as: CouponIssued.self)
        case CouponRedeemed.eventType: redeemedBy = try payload.decode(as: CouponRedeemed.self).orderId
        case CouponReleased.eventType: redeemedBy = nil
        case CouponExpired.eventType: expired = true
        default: break
        }
    }

    /// What time does to the coupon at `now`: once `validUntil` has passed, an issued coupon not redeemed (or
    /// given back by a cancelled order) expires, once.
    public func decideExpiry(validUntil: Date, now: Date) -> [CouponExpired] {
        guard let issued, redeemedBy == nil, !expired, now >= validUntil else { return [] }
        return [CouponExpired(code: issued.code, templateId: issued.templateId)]
    }
}

/// A coupon command refused.
public enum CouponError: Error, Sendable, Equatable {
    case quantityExhausted(left: Int)
    case customerLimitReached(customerId: String, limit: Int)
}

extension CouponTemplate {
    /// A template body (API.md's `POST /v1/coupon-templates`) checked as the engine checks templates; the
    /// campaign it names, if any, must be among `campaignIds`, and the SKUs its scope names among `knownSKUs`
    /// (when given: a new definition is checked against the catalog, as a campaign's SKUs are; a stored one was).
    /// - Throws: `PricingInputError` naming the field; an unknown SKU carries it in `unknownSKU`.
    public static func checked(
        _ body: JSONValue, campaignIds: Set<String>, knownSKUs: Set<String>? = nil
    ) throws(PricingInputError) -> CouponTemplate {
        let template: CouponTemplate
        do {
            template = try JSONDecoder().decode(CouponTemplate.self, from: Data(body.canonicalString.utf8))
        } catch let error as DecodingError {
            throw ScenarioDecoding.inputError(error)
        } catch {
            throw PricingInputError(field: "(root)", message: "could not be read")
        }
        do {
            try PricingEngine.validate(couponTemplates: [template], campaigns: [])
        } catch  where error.field.hasSuffix(".campaignId") && template.campaignId.map(campaignIds.contains) == true {
            // Named a campaign that exists: the engine's list was empty, the store's is not.
        } catch {
            var relative = error
            relative.field = String(error.field.dropFirst("couponTemplates[0].".count))
            throw relative
        }
        if let knownSKUs { try template.scope.checkSKUs(known: knownSKUs) }
        return template
    }
}
