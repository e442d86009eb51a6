-- projection: campaign_dashboard
-- version: 2
-- consumes: OrderPlaced, OrderCancelled, OrderRefunded
-- tables: campaign_orders
-- omits: quote, record, reservations, lines, gifts
-- One row per order and campaign it used: who, through which channel and store, when (the hour and the day in
-- Asia/Shanghai), the order's GMV and what this campaign took off it; cancelled and refunded amounts as they
-- come. The dashboards (GET /v1/dashboards/campaigns[/{id}]) sum it: participants, orders, GMV, discount, per
-- hour, by channel and by store.
-- v2: GMV is the goods' list value before reductions (the order's subtotal), as in the sales report; v1 took
-- the amount paid, which already had the discount shown beside it taken off.
CREATE TABLE campaign_orders (
    order_id text NOT NULL,
    campaign_id text NOT NULL,
    customer_id text NOT NULL,
    channel text NOT NULL,
    store_id text NOT NULL,
    day date NOT NULL,
    hour timestamptz NOT NULL,
    gmv_fen bigint NOT NULL,
    discount_fen bigint NOT NULL,
    gift_cost_fen bigint NOT NULL,
    cancelled boolean NOT NULL DEFAULT false,
    refunded_fen bigint NOT NULL DEFAULT 0,
    position bigint NOT NULL,
    PRIMARY KEY (order_id, campaign_id));
CREATE INDEX campaign_orders_campaign ON campaign_orders (campaign_id, hour);
CREATE INDEX campaign_orders_day ON campaign_orders (day, campaign_id);
