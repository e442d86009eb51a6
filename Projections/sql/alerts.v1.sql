-- projection: alerts
-- version: 1
-- consumes: LowStockDetected, CampaignBudgetThresholdCrossed, OrderPlaced, OrderRefunded
-- tables: alert_events, order_minutes
-- unread: OrderPlaced, OrderRefunded
-- The alerts feed's recorded part: low stock and budget thresholds as they happened, and orders and refunds
-- counted per minute for the refund-spike check. GET /v1/alerts adds what is computed when asked: a refund
-- spike over the last hour, projections lagging, parked events.
CREATE TABLE alert_events (
    position bigint NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,
    at timestamptz NOT NULL,
    message text NOT NULL,
    details jsonb NOT NULL,
    PRIMARY KEY (position, kind, subject));
CREATE INDEX alert_events_at ON alert_events (at DESC);
CREATE TABLE order_minutes (
    minute timestamptz PRIMARY KEY,
    orders bigint NOT NULL,
    refunds bigint NOT NULL);
