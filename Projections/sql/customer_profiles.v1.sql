-- projection: customer_profiles
-- version: 1
-- consumes: ProductDefined, CustomerProfileSet, CustomerTagsSet, OrderPlaced, OrderPaid, OrderCancelled, OrderRefunded, PointsEarned, PointsRedeemed, PointsReturned, PointsClawedBack, PointsExpired, CouponIssued, CouponRedeemed, CouponReleased, CouponExpired
-- tables: profile_products, profiles, profile_orders, profile_order_lines, profile_coupons
-- omits: record, reservations, campaigns, quote.applied, quote.rejected, quote.hints, quote.budgetCharges, quote.rebates, quote.gifts
-- Customer profiles (GET /v1/customers/{id}/profile): the profile as last set, with name, phone and address
-- still sealed under the customer's key (opened only when a profile is read, so erasing the key erases them
-- here too); the points balance; every order with its purchased units (gifts left out) for the purchase summary
-- and the behavioural tags, which are worked out when read, for the day asked (PromoProjections/CustomerProfiles);
-- the coupons each customer was issued and what became of them. Products carry the category and tags the tag
-- rules read.
CREATE TABLE profile_products (
    sku text PRIMARY KEY,
    category text NOT NULL,
    tags text[] NOT NULL,
    last_position bigint NOT NULL);
CREATE TABLE profiles (
    customer_id text PRIMARY KEY,
    has_profile boolean NOT NULL DEFAULT false,
    region text,
    tier text,
    name_sealed text,
    phone_sealed text,
    address_sealed text,
    taste_preferences text[] NOT NULL DEFAULT '{}',
    consent_sms boolean NOT NULL DEFAULT false,
    consent_wechat boolean NOT NULL DEFAULT false,
    consent_app boolean NOT NULL DEFAULT false,
    marketing_tags text[] NOT NULL DEFAULT '{}',
    points_balance bigint NOT NULL DEFAULT 0,
    last_position bigint NOT NULL);
CREATE TABLE profile_orders (
    order_id text PRIMARY KEY,
    customer_id text NOT NULL,
    day date NOT NULL,
    placed_at timestamptz NOT NULL,
    total_fen bigint NOT NULL,
    used_coupon boolean NOT NULL,
    cancelled boolean NOT NULL DEFAULT false,
    paid_fen bigint NOT NULL DEFAULT 0,
    refunded_fen bigint NOT NULL DEFAULT 0,
    last_position bigint NOT NULL);
CREATE INDEX profile_orders_customer ON profile_orders (customer_id, day);
CREATE TABLE profile_order_lines (
    order_id text NOT NULL,
    sku text NOT NULL,
    quantity integer NOT NULL,
    returned integer NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, sku));
CREATE TABLE profile_coupons (
    code text PRIMARY KEY,
    customer_id text NOT NULL,
    template_id text NOT NULL,
    state text NOT NULL,
    last_position bigint NOT NULL);
CREATE INDEX profile_coupons_customer ON profile_coupons (customer_id, state);
