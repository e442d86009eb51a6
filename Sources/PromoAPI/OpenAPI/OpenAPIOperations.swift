import PromoDomain

/// The operations the document lists, one per route.
enum OpenAPIOperations {
    /// The errors every authenticated write may answer.
    static let writeErrors = [400, 401, 403, 409, 413, 429, 503]
    static let readErrors = [400, 401, 403, 429, 503]

    static let all: [OpenAPIOperation] =
        [
            .init(
                method: "GET", path: "/",
                summary: "The operator dashboard (HTML; signs in with an API key kept in the browser session)",
                response: "Page", contentType: "text/html", errors: []),
            .init(
                method: "GET", path: "/assets/{name}",
                summary: "A static asset of the dashboard (app.js, app.css, chart.min.js …), with an ETag "
                    + "(If-None-Match answers 304) and Cache-Control",
                response: "Page", contentType: "*/*", errors: [404]),
            .init(method: "GET", path: "/healthz", summary: "The process answers", response: "Health", errors: []),
            .init(
                method: "GET", path: "/readyz", summary: "The database is reachable, migrated and ready",
                response: "Ready", errors: [503]),
            .init(
                method: "GET", path: "/openapi.json", summary: "This document", response: "OpenAPIDocument", errors: []
            ),
            .init(
                method: "GET", path: "/metrics",
                summary: "Prometheus text format: request durations by route, method and status; events appended; "
                    + "orders by outcome; write conflicts and retries",
                response: "Metrics", errors: []),
            .init(
                method: "GET", path: "/v1/me", summary: "The key this request is made with", roles: [],
                response: "Me", errors: [401, 429]),
            .init(
                method: "PUT", path: "/v1/products/{sku}", summary: "Define or redefine a product", roles: [.marketing],
                body: "ProductBody", creates: true, response: "Product", errors: writeErrors),
            .init(
                method: "GET", path: "/v1/products", summary: "List products, optionally by category or tag",
                roles: [.marketing, .analyst, .auditor], query: ["category", "tag"], response: "ProductList",
                errors: readErrors),
            .init(
                method: "GET", path: "/v1/products/{sku}", summary: "One product",
                roles: [.marketing, .analyst, .auditor], response: "Product", errors: readErrors + [404]),
            .init(
                method: "PUT", path: "/v1/stores/{storeId}", summary: "Define or redefine a store or online outlet",
                roles: [.marketing], body: "StoreBody", creates: true, response: "Store", errors: writeErrors),
            .init(
                method: "POST", path: "/v1/stock/{sku}/{location}/receipts", summary: "Goods arrived at a location",
                roles: [.marketing], body: "StockReceipt", response: "StockLevel", errors: writeErrors + [404, 422]),
            .init(
                method: "POST", path: "/v1/stock/{sku}/{location}/adjustments",
                summary: "Correct on hand by a delta (409 insufficient_stock below zero available)",
                roles: [.marketing], body: "StockAdjustment", response: "StockLevel", errors: writeErrors + [404, 422]),
            .init(
                method: "PUT", path: "/v1/stock/{sku}/{location}/safety-stock",
                summary: "Set the level below which a low-stock event is recorded", roles: [.marketing],
                body: "SafetyStock", response: "StockLevel", errors: writeErrors + [404, 422]),
            .init(
                method: "GET", path: "/v1/stock/{sku}", summary: "Stock of a SKU per location",
                roles: [.marketing, .analyst, .auditor], response: "StockLevels", errors: readErrors + [404]),
            .init(
                method: "PUT", path: "/v1/customers/{customerId}",
                summary: "Set a customer's profile (name, phone and address are stored encrypted)", roles: [.channel],
                body: "CustomerBody", creates: true, response: "Customer", errors: writeErrors),
            .init(
                method: "PUT", path: "/v1/customers/{customerId}/tags",
                summary: "Set marketing's tags on a customer (replacing the last ones); campaign audiences match them "
                    + "with the customer's taste preferences",
                roles: [.marketing], body: "CustomerTags", response: "CustomerTagsResult", errors: writeErrors),
            .init(
                method: "POST", path: "/v1/campaigns",
                summary: "Create a campaign as a draft (checked as the pricing engine prices it; 409 campaign_exists)",
                roles: [.marketing], body: "CampaignBody", success: 201, response: "Campaign",
                errors: writeErrors + [422]),
            .init(
                method: "PATCH", path: "/v1/campaigns/{id}",
                summary:
                    "Adjust a campaign that has not ended: each key given replaces that key (not campaignId or kind)",
                roles: [.marketing], body: "CampaignPatch", response: "Campaign", errors: writeErrors + [404, 422]),
        ]
        + CampaignTransition.allCases.map { transition in
            OpenAPIOperation(
                method: "POST", path: "/v1/campaigns/{id}/\(transition.rawValue)",
                summary: "\(transition.rawValue): move the campaign on (from "
                    + transition.allowedFrom.map(\.rawValue).sorted().joined(separator: " or ")
                    + "; already \(transition.target.rawValue): no change; otherwise 409 invalid_transition)",
                roles: [.marketing], body: "Empty", response: "Campaign", errors: writeErrors + [404])
        } + [
            .init(
                method: "GET", path: "/v1/campaigns",
                summary: "Campaigns, by status, channel and store (a channel key sees active campaigns only); "
                    + "summary=true: definitions, status and definitionVersion only, without reading each campaign's "
                    + "stream (no budget, usage or stream version): what the operator page's overview needs",
                roles: [.marketing, .channel, .analyst, .auditor], query: ["status", "channel", "storeId", "summary"],
                response: "CampaignList", errors: readErrors),
            .init(
                method: "GET", path: "/v1/campaigns/{id}",
                summary: "One campaign: definition, status, version, budget (limits, consumed, left)",
                roles: [.marketing, .channel, .analyst, .auditor], response: "Campaign", errors: readErrors + [404]),
            .init(
                method: "POST", path: "/v1/campaigns/{id}/expenses",
                summary: "Charge a cost outside orders (ads, print, push, other) to the campaign",
                roles: [.marketing], body: "Expense", success: 201, response: "Campaign", errors: writeErrors + [404]),
            .init(
                method: "POST", path: "/v1/coupon-templates",
                summary: "Define a coupon template (checked as the engine checks templates; 409 template_exists)",
                roles: [.marketing], body: "CouponTemplateBody", success: 201, response: "CouponTemplate",
                errors: writeErrors),
            .init(
                method: "POST", path: "/v1/coupon-templates/{id}/issue",
                summary: "Issue coupons to customers within totalQuantity and perCustomerLimit "
                    + "(409 quantity_exhausted / customer_limit_reached)",
                roles: [.marketing], body: "CouponIssue", success: 201, response: "IssuedCoupons",
                errors: writeErrors + [404]),
            .init(
                method: "POST", path: "/v1/quotes",
                summary: "Price a cart against the catalog and the active campaigns (no side effects)",
                roles: [.channel, .marketing], body: "Cart", response: "Quote", errors: writeErrors + [422]),
            .init(
                method: "POST", path: "/v1/orders",
                summary: "Place an order: re-priced, stock reserved (gifts too), campaign budgets and flash units "
                    + "consumed, in one append; 409 insufficient_stock, flash_sold_out, customer_limit_reached, "
                    + "price_changed (with expectedTotalFen) or order_exists, and nothing is written",
                roles: [.channel], body: "OrderBody", success: 201, response: "Order", errors: writeErrors + [422]),
            .init(
                method: "POST", path: "/v1/orders/{id}/cancel",
                summary: "Cancel before shipping: reservations, budgets and flash units go back (409 order_shipped)",
                roles: [.channel], body: "CancelBody", response: "Order", errors: writeErrors + [404]),
            .init(
                method: "POST", path: "/v1/orders/{id}/payments",
                summary: "Pay the whole total, once (422 amount_mismatch, 409 already_paid / order_cancelled); "
                    + "the points it earns and its points rebates go to the customer's account, and each coupon rebate "
                    + "issues a coupon (rebateCoupons says which were granted)",
                roles: [.channel], body: "Payment", response: "Order", errors: writeErrors + [404, 422]),
            .init(
                method: "POST", path: "/v1/orders/{id}/refunds",
                summary: "Return units of a paid order: their exact share paid back, budget released, points clawed "
                    + "back; gifts may come back with them (their gift-cost budget released); back on hand only with "
                    + "restock (422 too_many_units, 409 not_paid / refund_exists)",
                roles: [.channel], body: "RefundBody", success: 201, response: "RefundResult",
                errors: writeErrors + [404, 422]),
            .init(
                method: "POST", path: "/v1/orders/{id}/ship",
                summary: "Ship: from the fulfilment location its reservation is issued; from another, the reservation "
                    + "is released and the units are issued there (409 insufficient_stock / order_shipped / "
                    + "order_cancelled)",
                roles: [.channel, .marketing], body: "ShipBody", response: "Order", errors: writeErrors + [404, 422]),
            .init(
                method: "GET", path: "/v1/orders/{id}", summary: "One order, from its stream",
                roles: [.channel, .marketing, .analyst, .auditor], response: "Order", errors: readErrors + [404]),
            .init(
                method: "POST", path: "/v1/campaigns/{id}/simulate",
                summary: "A cart priced as if this campaign (draft or not) were active, beside the price without it",
                roles: [.marketing], body: "Simulation", response: "SimulationResult",
                errors: writeErrors + [404, 422]),
            .init(
                method: "GET", path: "/v1/campaigns/{id}/versions",
                summary: "Every definition the campaign has had, and its status changes, with who and when",
                roles: [.marketing, .analyst, .auditor], response: "CampaignVersions", errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/projections",
                summary: "Every read model: version, generation, position, lag in events and seconds, status "
                    + "(running, rebuilding, failed, stopped, new), a rebuild's progress, parked events",
                roles: [.marketing, .analyst, .auditor], response: "ProjectionList", errors: readErrors),
            .init(
                method: "POST", path: "/v1/projections/{name}/rebuild",
                summary: "Rebuild a read model from position 0 beside the live one; readers switch over when it has "
                    + "caught up (202; the one already building if there is one; 404 unknown_projection)",
                roles: [], body: "Empty", success: 202, response: "RebuildStarted", errors: writeErrors + [404]),
            .init(
                method: "GET", path: "/v1/dashboards/campaigns/{id}",
                summary: "A campaign's participants, orders, GMV and discount (cancelled orders left out, refunds "
                    + "apart), per hour (Asia/Shanghai), by channel and by store, with its budget burn",
                roles: [.marketing, .analyst, .auditor], query: ["format", "minPosition"],
                response: "CampaignDashboard",
                errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/dashboards/campaigns",
                summary: "Every campaign with a day's orders, GMV, discount and participants (date, default today in "
                    + "Asia/Shanghai) and its total budget burn: the overview page",
                roles: [.marketing, .analyst, .auditor], query: ["date", "format", "minPosition"],
                response: "CampaignOverview", errors: readErrors),
            .init(
                method: "GET", path: "/v1/live",
                summary: "Server-Sent Events: `positions` (the live read models' positions, highest as the id) at "
                    + "once and whenever a read model moves (at most four a second), a comment every 15 s otherwise; "
                    + "read it with fetch (a Bearer header), the dashboard's live updates",
                roles: [.marketing, .analyst, .auditor], response: "LivePositions", contentType: "text/event-stream",
                errors: [401, 403, 429]),
            .init(
                method: "GET", path: "/v1/alerts",
                summary: "The alerts feed, newest first: low stock and budget thresholds since `since` (default the "
                    + "last 24 h); a refund spike in the last hour, read models lagging, parked events; the newest "
                    + "`limit` (1–500, default 500)",
                roles: [.marketing, .analyst, .auditor],
                query: ["since", "limit", "refundSharePercent", "minOrders", "lagSeconds", "format", "minPosition"],
                response: "Alerts",
                errors: readErrors),
            .init(
                method: "GET", path: "/v1/budgets/{campaignId}",
                summary: "A campaign's budget burn from the read model: per sub-budget the limit, consumed, released, "
                    + "net, left and percent; the alert thresholds crossed, with when (minPosition as for reports)",
                roles: [.marketing, .analyst, .auditor], query: ["format", "minPosition"], response: "BudgetBurn",
                errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/reports/stock",
                summary: "Stock levels per SKU and location from the read model (on hand, reserved, available, "
                    + "safety stock, below safety); minPosition waits up to 5 s, else 503 projection_lagging",
                roles: [.marketing, .analyst, .auditor], query: ["location", "belowSafety", "format", "minPosition"],
                response: "StockReport", errors: readErrors),
            .init(
                method: "GET", path: "/v1/customers/{customerId}/profile",
                summary: "A customer's profile from the read model: purchase summary, tier, points, coupons held, "
                    + "behavioural tags on `date` with the figures behind them; name, phone and address opened with "
                    + "the customer's key (null once it is erased)",
                roles: [.channel, .marketing], query: ["date", "minPosition"], response: "CustomerProfileView",
                errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/customers",
                summary: "Push targeting: the customers with a behavioural tag on `date` who agreed to be contacted "
                    + "on `consent` (sms, wechat, app); ids and tags only",
                roles: [.marketing], query: ["tag", "consent", "date", "limit", "format", "minPosition"],
                response: "CustomerAudience", errors: readErrors),
            .init(
                method: "GET", path: "/v1/reports/sales",
                summary: "Sales per day (Asia/Shanghai) from `from` to `to` by product, category, region, store, "
                    + "channel or segment (tier/new|returning): units, GMV, discount, net, and refunds on the day "
                    + "they were made; format=csv downloads it",
                roles: [.marketing, .analyst, .auditor], query: ["from", "to", "groupBy", "format", "minPosition"],
                response: "SalesReport", errors: readErrors),
            .init(
                method: "GET", path: "/v1/reports/reconciliation",
                summary: "A day's reconciliation: order discounts = budget consumed = promotion cost booked, "
                    + "payments − refunds = net revenue, every entry balanced; each mismatch with the entries and "
                    + "events behind it; the management view by campaign and cost kind; format=csv: the mismatches",
                roles: [.marketing, .analyst, .auditor], query: ["date", "format", "minPosition"],
                response: "Reconciliation", errors: readErrors),
            .init(
                method: "GET", path: "/v1/reports/journal",
                summary: "The double-entry journal (CAS 14 treatment, see README) from `from` to `to`, entry by "
                    + "entry; format=csv: one row per line for finance to load",
                roles: [.marketing, .analyst, .auditor], query: ["from", "to", "format", "minPosition"],
                response: "Journal", errors: readErrors),
            .init(
                method: "GET", path: "/v1/reports/uplift",
                summary: "A campaign's uplift: daily units and net sales of its in-scope SKUs in the `daysBefore` days "
                    + "(14) before its window vs during it, the extra units, and the promotion cost per extra unit; "
                    + "format=csv: the daily series",
                roles: [.marketing, .analyst, .auditor], query: ["campaignId", "daysBefore", "format", "minPosition"],
                response: "Uplift", errors: readErrors + [404, 422]),
            .init(
                method: "GET", path: "/v1/streams/{streamId}",
                summary: "A stream's events as stored, with their hashes (upcast=true: payloads in their current "
                    + "shape), from `fromVersion`; with `asOf` (RFC 3339) as the stream stood then; recorded on the "
                    + "audit stream. The stream id is percent-encoded (stock-HP001%40online)",
                roles: [.auditor], query: ["fromVersion", "asOf", "limit", "upcast"], response: "StoredEventList",
                errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/streams/{streamId}/verify",
                summary: "Recompute a stream's hash chain: ok, events, its head (version and hash, to record), and the "
                    + "first version that does not match; `head=VERSION:HASH` (recorded earlier) also finds removed "
                    + "last events; recorded on the audit stream",
                roles: [.auditor], query: ["head"], response: "StreamVerification", errors: readErrors + [404]),
            .init(
                method: "GET", path: "/v1/events",
                summary: "The log in position order after `after`, as stored, only below the watermark (no event can "
                    + "still commit before what it returns); optionally one category; follow `next`",
                roles: [.auditor], query: ["after", "limit", "category", "upcast"], response: "EventPage",
                errors: readErrors),
        ]
}
