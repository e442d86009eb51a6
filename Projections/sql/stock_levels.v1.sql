-- projection: stock_levels
-- version: 1
-- consumes: StockReceived, StockAdjusted, SafetyStockSet, StockReserved, StockReleased, StockIssued, StockReturned
-- tables: stock_levels
-- Per SKU and location: on hand, reserved, available, safety stock, below safety
-- (GET /v1/reports/stock?location=&belowSafety=). GET /v1/stock/{sku} stays the command side's read.
CREATE TABLE stock_levels (
    sku text NOT NULL,
    location text NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL,
    safety_stock bigint NOT NULL,
    available bigint GENERATED ALWAYS AS (on_hand - reserved) STORED,
    below_safety boolean GENERATED ALWAYS AS (on_hand - reserved < safety_stock) STORED,
    last_position bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (sku, location));
CREATE INDEX stock_levels_location ON stock_levels (location, sku);
CREATE INDEX stock_levels_below_safety ON stock_levels (location, sku) WHERE below_safety;
