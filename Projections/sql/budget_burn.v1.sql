-- projection: budget_burn
-- version: 1
-- consumes: CampaignCreated, CampaignAdjusted, CampaignBudgetConsumed, CampaignBudgetReleased, CampaignBudgetRefunded, CampaignBudgetThresholdCrossed
-- tables: budget_burn, budget_thresholds_crossed
-- Per campaign and sub-budget (totalFen, discountFen, giftCostFen, couponSubsidyFen, pointsCostFen): the limit
-- from the campaign's definition (null: unlimited), consumed by orders, released by cancels and refunds, left,
-- and percent used; and every alert threshold crossed, with when (GET /v1/budgets/{campaignId}).
CREATE TABLE budget_burn (
    campaign_id text NOT NULL,
    budget text NOT NULL,
    limit_fen bigint,
    consumed_fen bigint NOT NULL,
    released_fen bigint NOT NULL,
    net_fen bigint GENERATED ALWAYS AS (consumed_fen - released_fen) STORED,
    left_fen bigint GENERATED ALWAYS AS (limit_fen - (consumed_fen - released_fen)) STORED,
    percent numeric(9, 2) GENERATED ALWAYS AS (
        CASE WHEN limit_fen > 0 THEN round((consumed_fen - released_fen) * 100.0 / limit_fen, 2) END) STORED,
    last_position bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, budget));
CREATE TABLE budget_thresholds_crossed (
    campaign_id text NOT NULL,
    budget text NOT NULL,
    threshold_bp integer NOT NULL,
    order_id text NOT NULL,
    consumed_fen bigint NOT NULL,
    limit_fen bigint NOT NULL,
    crossed_at timestamptz NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (position, budget, threshold_bp));
CREATE INDEX budget_thresholds_crossed_campaign ON budget_thresholds_crossed (campaign_id, crossed_at);
