-- projection: uplift
-- version: 1
-- consumes: CampaignCreated, CampaignAdjusted
-- tables: uplift_campaigns
-- Each campaign's window and scope as last defined: what GET /v1/reports/uplift measures the campaign's in-scope
-- sales against (the sales read model, per day) in the days before its window and during it, with the promotion
-- cost booked to it (the reconciliation read model).
CREATE TABLE uplift_campaigns (
    campaign_id text PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    window_start timestamptz,
    window_end timestamptz,
    skus text[] NOT NULL,
    categories text[] NOT NULL,
    channels text[] NOT NULL,
    stores text[] NOT NULL,
    regions text[] NOT NULL,
    definitions integer NOT NULL,
    last_position bigint NOT NULL);
