import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PromoDomain

/// Coupon templates (`coupontemplate-{templateId}`) and the coupons issued from them (`coupon-{code}`).
struct CouponRoutes: Sendable {
    let runner: CommandRunner
    let states: StreamStates
    let caches: CategoryCaches
    var store: PostgresEventStore { states.store }

    func register(on table: RouteTable) {
        table.add(.post, "/coupon-templates", roles: [.marketing]) { request, context in
            try await define(request, context)
        }
        table.add(.post, "/coupon-templates/{id}/issue", roles: [.marketing]) { request, context in
            try await issue(request, context)
        }
    }

    static func templateStream(_ id: String) throws -> StreamID { try StreamID(category: "coupontemplate", id: id) }
    static func couponStream(_ code: String) throws -> StreamID { try StreamID(category: "coupon", id: code) }

    /// A new coupon code: `CP-` and 12 hex digits. Drawn before a decision, so a retried decision issues the same.
    static func newCode() -> String {
        "CP-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
    }

    /// A stored template definition as the engine takes it (it was checked when defined, against the campaign it
    /// names).
    static func storedTemplate(_ definition: JSONValue) throws(PricingInputError) -> CouponTemplate {
        try CouponTemplate.checked(
            definition, campaignIds: Set([definition["campaignId"]?.stringValue].compactMap { $0 }))
    }

    /// `POST /v1/coupon-templates`: API.md's body, checked as the engine checks templates; a campaign it names
    /// must exist. Defining the same id again is a 409 `template_exists`.
    private func define(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try Request.json(bytes)
        guard case .string(let rawId)? = body["templateId"] else {
            throw APIError.invalidField("templateId", "is required (a string)")
        }
        let templateId = try InputLimits.identifier(rawId, field: "templateId")
        var campaignIds: Set<String> = []
        if case .string(let campaignId)? = body["campaignId"] {
            let campaign = try await states.load(try CampaignRoutes.streamID(campaignId))
            if campaign.exists { campaignIds.insert(campaignId) }
        }
        let skus = try await caches.view(store).skus
        let template: CouponTemplate
        do { template = try CouponTemplate.checked(body, campaignIds: campaignIds, knownSKUs: skus) } catch {
            throw APIError(error)
        }
        return try await runner.execute(write, streams: [try Self.templateStream(templateId)]) { loaded in
            if loaded[0].exists {
                throw APIError(
                    .conflict, code: "template_exists", message: "coupon template \(template.templateId) exists",
                    details: ["templateId": .string(template.templateId)])
            }
            var json = body.objectValue ?? [:]
            json["issued"] = 0
            json["version"] = 1
            return try WriteDecision(
                loaded[0], events: [CouponTemplateDefined(templateId: templateId, definition: body)], status: .created,
                body: json)
        }
    }

    /// `POST /v1/coupon-templates/{id}/issue {customerIds:[…]}` → `{coupons:[{code, customerId}]}`, within
    /// `totalQuantity` and `perCustomerLimit` (409 `quantity_exhausted`, `customer_limit_reached`).
    private func issue(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let templateId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let customerIds = try body.strings("customerIds")
        try body.finish()
        if customerIds.isEmpty { throw APIError.invalidField("customerIds", "names no customer") }
        for (index, id) in customerIds.enumerated() {
            _ = try InputLimits.identifier(id, field: "customerIds[\(index)]")
        }
        let loaded = try await states.load(try Self.templateStream(templateId))
        let state = try loaded.fold(CouponTemplateState.self)
        guard let definition = state.definition else {
            throw APIError(
                .notFound, code: "unknown_template", message: "no coupon template \(templateId)",
                details: ["templateId": .string(templateId)])
        }
        let template = try Self.storedTemplate(definition)
        let codes = customerIds.map { _ in Self.newCode() }
        let streams = [try Self.templateStream(templateId)] + (try codes.map { try Self.couponStream($0) })
        return try await runner.execute(write, streams: streams) { loaded in
            let state = try loaded[0].fold(CouponTemplateState.self)
            var next = codes.makeIterator()
            let (issued, coupons): (CouponsIssued, [CouponIssued])
            do throws(CouponError) {
                (issued, coupons) = try state.decideIssue(customerIds, template: template) { next.next() ?? "" }
            } catch {
                switch error {
                case .quantityExhausted(let left):
                    throw APIError(
                        .conflict, code: "quantity_exhausted",
                        message: "only \(left) coupons of this template are left",
                        details: ["left": .int(Int64(left))])
                case .customerLimitReached(let customerId, let limit):
                    throw APIError(
                        .conflict, code: "customer_limit_reached",
                        message: "customer \(customerId) may hold \(limit) coupons of this template",
                        details: ["customerId": .string(customerId), "limit": .int(Int64(limit))])
                }
            }
            var appends = [
                StreamAppend(loaded[0].id, expectedVersion: loaded[0].expected, events: [try NewEvent(issued)])
            ]
            for (offset, coupon) in coupons.enumerated() {
                appends.append(
                    StreamAppend(loaded[1 + offset].id, expectedVersion: .noStream, events: [try NewEvent(coupon)]))
            }
            return WriteDecision(
                appends: appends, status: .created,
                body: [
                    "templateId": .string(templateId),
                    "coupons": .array(
                        issued.coupons.map {
                            .object(["code": .string($0.code), "customerId": .string($0.customerId)])
                        }),
                ])
        }
    }
}

extension StreamStates {
    /// The coupons a cart names, as the engine takes them: each with its template and whether it is redeemed
    /// already. Codes that name no coupon, and coupons whose funding campaign is not among `activeCampaigns`,
    /// are left out (the engine answers `coupon_not_found` for them).
    func coupons(_ codes: [String], activeCampaigns: Set<String>) async throws -> [Coupon] {
        var coupons: [Coupon] = []
        for code in Set(codes).sorted() {
            guard let id = try? CouponRoutes.couponStream(code) else { continue }
            let state = try await load(id).fold(CouponState.self)
            guard let issued = state.issued else { continue }
            let template = try await load(try CouponRoutes.templateStream(issued.templateId))
            guard let definition = try template.fold(CouponTemplateState.self).definition,
                let terms = try? CouponTemplate.checked(definition, campaignIds: activeCampaigns)
            else { continue }
            coupons.append(
                Coupon(code: code, customerId: issued.customerId, template: terms, redeemed: state.redeemedBy != nil))
        }
        return coupons
    }
}
