import EventStore
import Foundation
import PostgresNIO
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// A campaign body API.md's way: a 满减 on hot-pot by default.
func campaignBody(
    _ id: String, kind: String = "spend_reduction",
    rules: String = #"{"tiers":[{"thresholdFen":10000,"reductionFen":2000}]}"#, extra: String = ""
) -> String {
    """
    {"campaignId":"\(id)","name":"双十一火锅节","kind":"\(kind)",\
    "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
    "scope":{"categories":["hotpot"],"channels":["online"]},"rules":\(rules),\
    "budget":{"discountFen":4000000}\(extra)}
    """
}

@Suite("Campaigns over HTTP")
struct CampaignTests {
    @Test("POST creates a draft (201) checked as the engine prices it; the same id again is 409 campaign_exists")
    func create() async throws {
        let key = try await APITest.key(.marketing)
        let id = APITest.id("c")
        try await APITest.withApp { client in
            let created = try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(id))
            #expect(created.status == .created)
            #expect(created.json["status"] == "draft")
            #expect(created.json["version"] == 1)
            #expect(created.json["definitionVersion"] == 1)
            #expect(created.json["rules"]?["tiers"]?[index: 0]?["reductionFen"] == 2000)
            #expect(created.json["budget"]?["limits"]?["discountFen"] == 4_000_000)
            #expect(created.json["budget"]?["left"]?["discountFen"] == 4_000_000)
            #expect(created.json["budget"]?["consumed"]?["discountFen"] == 0)
            #expect(try await APITest.storedEvents("campaign-\(id)").map(\.type) == ["CampaignCreated"])

            let again = try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(id))
            #expect(again.status == .conflict)
            #expect(again.errorCode == "campaign_exists")
            #expect(try await APITest.storedEvents("campaign-\(id)").count == 1)

            let read = try await client.send(.get, "/v1/campaigns/\(id)", key: key)
            #expect(read.status == .ok)
            #expect(read.json["name"] == "双十一火锅节")
            let missing = try await client.send(.get, "/v1/campaigns/\(id)-none", key: key)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "unknown_campaign")
        }
    }

    @Test(
        "Bad bodies name the field (400); an unknown SKU in the rules or the scope is 422 unknown_sku; nothing is written"
    )
    func invalid() async throws {
        let key = try await APITest.key(.marketing)
        try await APITest.withApp { client in
            let cases: [(String, String)] = [
                (
                    campaignBody(APITest.id("c"), rules: #"{"tiers":[{"thresholdFen":10000,"reductionFen":0}]}"#),
                    "rules.tiers[0].reductionFen"
                ),
                (campaignBody(APITest.id("c"), kind: "buy_now_pay_never"), "kind"),
                (campaignBody(APITest.id("c"), extra: #","budgetLeft":{"discountFen":1}"#), "budgetLeft"),
                (campaignBody(APITest.id("c"), extra: #","colour":"red""#), "colour"),
                (campaignBody("bad id"), "campaignId"),
            ]
            for (body, field) in cases {
                let reply = try await client.send(.post, "/v1/campaigns", key: key, body: body)
                #expect(reply.status == .badRequest, "\(field)")
                #expect(reply.errorField == field)
            }
            let id = APITest.id("c")
            let unknown = try await client.send(
                .post, "/v1/campaigns", key: key,
                body: campaignBody(id, kind: "special_price", rules: #"{"prices":{"NO-SUCH-SKU":100}}"#))
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorCode == "unknown_sku")
            #expect(try await APITest.storedEvents("campaign-\(id)").isEmpty)

            // A scope naming a SKU the catalog does not have would never apply: refused when created and when
            // patched in, naming the field.
            let scope = #""scope":{"categories":["hotpot"],"channels":["online"]}"#
            let unknownScope = #""scope":{"skus":["NO-SUCH-SKU"]}"#
            let scoped = APITest.id("c")
            let created = try await client.send(
                .post, "/v1/campaigns", key: key,
                body: campaignBody(scoped).replacingOccurrences(of: scope, with: unknownScope))
            #expect(created.status == .unprocessableContent)
            #expect(created.errorCode == "unknown_sku")
            #expect(created.errorField == "scope.skus[0]")
            #expect(try await APITest.storedEvents("campaign-\(scoped)").isEmpty)
            #expect(
                try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(scoped)).status == .created)
            let patched = try await client.send(
                .patch, "/v1/campaigns/\(scoped)", key: key, body: #"{"scope":{"skus":["NO-SUCH-SKU"]}}"#)
            #expect(patched.status == .unprocessableContent)
            #expect(patched.errorCode == "unknown_sku")
            #expect(try await APITest.storedEvents("campaign-\(scoped)").count == 1)
        }
    }

    @Test("Activate, pause, resume, end; a step not allowed is 409 invalid_transition; a repeated step changes nothing")
    func lifecycle() async throws {
        let key = try await APITest.key(.marketing)
        let id = APITest.id("c")
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(id))
            let early = try await client.send(.post, "/v1/campaigns/\(id)/pause", key: key)
            #expect(early.status == .conflict)
            #expect(early.errorCode == "invalid_transition")
            #expect(early.json["error"]?["details"]?["status"] == "draft")

            let active = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: key)
            #expect(active.status == .ok)
            #expect(active.json["status"] == "active")
            let twice = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: key, body: "{}")
            #expect(twice.status == .ok)
            #expect(twice.json["version"] == active.json["version"])

            #expect(try await client.send(.post, "/v1/campaigns/\(id)/pause", key: key).json["status"] == "paused")
            // The summary list (the operator page's overview) has the definition and status, without the budget.
            let full = try await client.send(.get, "/v1/campaigns", key: key).json["campaigns"]?.arrayValue ?? []
            let summary =
                try await client.send(.get, "/v1/campaigns?summary=true", key: key).json["campaigns"]?
                .arrayValue ?? []
            let listed = summary.first { $0["campaignId"]?.stringValue == id }
            #expect(listed?["status"] == "paused" && listed?["definitionVersion"] == 1)
            #expect(listed?["rules"] == full.first { $0["campaignId"]?.stringValue == id }?["rules"])
            // The definition's own budget (its limits), not what was consumed; no usage, no stream version.
            #expect(listed?["budget"]?["consumed"] == nil && listed?["usage"] == nil && listed?["version"] == nil)
            #expect(try await client.send(.get, "/v1/campaigns?summary=yes", key: key).errorField == "summary")
            let reactivate = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: key)
            #expect(reactivate.errorCode == "invalid_transition")
            #expect(try await client.send(.post, "/v1/campaigns/\(id)/resume", key: key).json["status"] == "active")
            #expect(try await client.send(.post, "/v1/campaigns/\(id)/end", key: key).json["status"] == "ended")
            let afterEnd = try await client.send(.post, "/v1/campaigns/\(id)/resume", key: key)
            #expect(afterEnd.errorCode == "invalid_transition")
            let body = try await client.send(.post, "/v1/campaigns/\(id)/end", key: key, body: #"{"now":true}"#)
            #expect(body.status == .badRequest)

            let types = try await APITest.storedEvents("campaign-\(id)").map(\.type)
            #expect(types == ["CampaignCreated"] + Array(repeating: "CampaignStatusChanged", count: 4))
            let unknown = try await client.send(.post, "/v1/campaigns/\(id)-none/activate", key: key)
            #expect(unknown.status == .notFound)
        }
    }

    @Test(
        "A campaign activated before its window is scheduled; the clock makes it live when the window opens and ends it when it closes"
    )
    func scheduledByTheClock() async throws {
        let key = try await APITest.key(.marketing)
        let (id, cancelled, closed) = (APITest.id("c"), APITest.id("c"), APITest.id("c"))
        let ahead = #"{"start":"2098-01-01T00:00:00+08:00","end":"2098-02-01T00:00:00+08:00"}"#
        @Sendable func body(_ id: String, window: String) -> String {
            campaignBody(id).replacingOccurrences(
                of: #"{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"}"#, with: window)
        }
        try await APITest.withApp { client in
            for campaign in [id, cancelled] {
                _ = try await client.send(.post, "/v1/campaigns", key: key, body: body(campaign, window: ahead))
                let scheduled = try await client.send(.post, "/v1/campaigns/\(campaign)/activate", key: key)
                #expect(scheduled.json["status"] == "scheduled", "\(scheduled.text)")
            }
            let again = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: key)
            #expect(again.json["status"] == "scheduled")
            #expect(
                try await client.send(.post, "/v1/campaigns/\(cancelled)/cancel", key: key).json["status"]
                    == "cancelled")
            // A window already closed cannot go live.
            let past = #"{"start":"2021-01-01T00:00:00+08:00","end":"2021-02-01T00:00:00+08:00"}"#
            _ = try await client.send(.post, "/v1/campaigns", key: key, body: body(closed, window: past))
            let late = try await client.send(.post, "/v1/campaigns/\(closed)/activate", key: key)
            #expect(late.errorCode == "window_closed")

            let clock = CampaignClock(store: try await APITest.store())
            let format = ISO8601DateFormatter()
            // Before the window: nothing moves.
            _ = try await clock.moveCampaigns(now: try #require(format.date(from: "2097-12-31T15:59:59Z")))
            #expect(try await client.send(.get, "/v1/campaigns/\(id)", key: key).json["status"] == "scheduled")
            // 2098-01-01 00:00 in Shanghai: live. Ticking again changes nothing.
            for _ in 0..<2 {
                _ = try await clock.moveCampaigns(now: try #require(format.date(from: "2097-12-31T16:00:00Z")))
            }
            #expect(try await client.send(.get, "/v1/campaigns/\(id)", key: key).json["status"] == "active")
            _ = try await clock.moveCampaigns(now: try #require(format.date(from: "2098-01-31T16:00:00Z")))
            #expect(try await client.send(.get, "/v1/campaigns/\(id)", key: key).json["status"] == "ended")
            // The cancelled one stayed cancelled.
            #expect(try await client.send(.get, "/v1/campaigns/\(cancelled)", key: key).json["status"] == "cancelled")
            let events = try await APITest.storedEvents("campaign-\(id)")
            #expect(events.map(\.type) == ["CampaignCreated"] + Array(repeating: "CampaignStatusChanged", count: 3))
            #expect(try JSONValue(parsing: Array((events.last?.metadata ?? "").utf8))["actor"] == "scheduler")
        }
    }

    @Test("One process at a time holds the campaign clock's lease")
    func clockLease() async throws {
        let store = try await APITest.store()
        try await store.client.withOpenConnection { first in
            #expect(try await CampaignClock.tryLease(on: first, logger: store.logger))
            let held = try await store.client.withOpenConnection { second in
                try await CampaignClock.tryLease(on: second, logger: store.logger)
            }
            #expect(held == false)
            _ = try await first.query("SELECT pg_advisory_unlock(\(CampaignClock.lockKey))", logger: store.logger)
        }
    }

    @Test("PATCH replaces the keys it gives, re-checked; an identical PATCH appends nothing; ended is final")
    func adjust() async throws {
        let key = try await APITest.key(.marketing)
        let id = APITest.id("c")
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(id))
            _ = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: key)
            let patch = #"{"rules":{"tiers":[{"thresholdFen":10000,"reductionFen":2500}]}}"#
            let adjusted = try await client.send(.patch, "/v1/campaigns/\(id)", key: key, body: patch)
            #expect(adjusted.status == .ok)
            #expect(adjusted.json["rules"]?["tiers"]?[index: 0]?["reductionFen"] == 2500)
            #expect(adjusted.json["status"] == "active")
            #expect(adjusted.json["definitionVersion"] == 2)
            #expect(adjusted.json["scope"]?["categories"] == ["hotpot"])
            let same = try await client.send(.patch, "/v1/campaigns/\(id)", key: key, body: patch)
            #expect(same.json["version"] == adjusted.json["version"])

            let kind = try await client.send(.patch, "/v1/campaigns/\(id)", key: key, body: #"{"kind":"gift"}"#)
            #expect(kind.status == .badRequest)
            #expect(kind.errorField == "kind")
            let broken = try await client.send(
                .patch, "/v1/campaigns/\(id)", key: key, body: #"{"rules":{"tiers":[]}}"#)
            #expect(broken.status == .badRequest)
            #expect(broken.errorField?.hasPrefix("rules") == true)

            let versions = try await client.send(.get, "/v1/campaigns/\(id)/versions", key: key)
            #expect(versions.json["versions"]?.arrayCount == 2)
            #expect(versions.json["versions"]?[index: 1]?["changed"] == ["rules"])
            #expect(
                versions.json["versions"]?[index: 0]?["definition"]?["rules"]?["tiers"]?[index: 0]?["reductionFen"]
                    == 2000)
            #expect(versions.json["statusChanges"]?[index: 0]?["to"] == "active")

            _ = try await client.send(.post, "/v1/campaigns/\(id)/end", key: key)
            let late = try await client.send(
                .patch, "/v1/campaigns/\(id)", key: key, body: patch.replacingOccurrences(of: "2500", with: "3000"))
            #expect(late.status == .conflict)
            #expect(late.errorCode == "campaign_ended")
            #expect(
                try await APITest.storedEvents("campaign-\(id)").map(\.type).filter { $0 == "CampaignAdjusted" }.count
                    == 1)
        }
    }

    @Test("The feed: filters by status, channel and store; a channel key sees active campaigns only and writes none")
    func feed() async throws {
        let marketing = try await APITest.key(.marketing)
        let channel = try await APITest.key(.channel)
        let (online, store) = (APITest.id("c-on"), APITest.id("c-st"))
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: marketing, body: campaignBody(online))
            let storeOnly = campaignBody(store).replacingOccurrences(
                of: #""channels":["online"]"#, with: #""channels":["store"],"stores":["s-cd-01"]"#)
            _ = try await client.send(.post, "/v1/campaigns", key: marketing, body: storeOnly)
            _ = try await client.send(.post, "/v1/campaigns/\(store)/activate", key: marketing)

            func ids(_ reply: Reply) -> Set<String> {
                guard case .array(let campaigns)? = reply.json["campaigns"] else { return [] }
                return Set(campaigns.compactMap { $0["campaignId"]?.stringValue })
            }
            let drafts = try await client.send(.get, "/v1/campaigns?status=draft", key: marketing)
            #expect(ids(drafts).contains(online))
            #expect(!ids(drafts).contains(store))
            let inStore = try await client.send(.get, "/v1/campaigns?channel=store&storeId=s-cd-01", key: marketing)
            #expect(ids(inStore).contains(store))
            #expect(!ids(inStore).contains(online))
            let otherStore = try await client.send(.get, "/v1/campaigns?storeId=s-cq-01", key: marketing)
            #expect(!ids(otherStore).contains(store))

            let feed = try await client.send(.get, "/v1/campaigns", key: channel)
            #expect(ids(feed).contains(store))
            #expect(!ids(feed).contains(online))
            #expect(try await client.send(.get, "/v1/campaigns/\(online)", key: channel).status == .notFound)
            let write = try await client.send(.post, "/v1/campaigns", key: channel, body: campaignBody(APITest.id("c")))
            #expect(write.status == .forbidden)
            let bad = try await client.send(.get, "/v1/campaigns?status=sleeping", key: marketing)
            #expect(bad.errorField == "status")
        }
    }

    @Test("Expenses are charged to the campaign and summed by kind; a bad kind or amount is a 400 naming it")
    func expenses() async throws {
        let key = try await APITest.key(.marketing)
        let id = APITest.id("c")
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: key, body: campaignBody(id))
            let ads = try await client.send(
                .post, "/v1/campaigns/\(id)/expenses", key: key,
                body: #"{"kind":"ads","amountFen":500000,"note":"抖音信息流"}"#)
            #expect(ads.status == .created)
            _ = try await client.send(
                .post, "/v1/campaigns/\(id)/expenses", key: key, body: #"{"kind":"print","amountFen":120000}"#)
            let read = try await client.send(.get, "/v1/campaigns/\(id)", key: key)
            #expect(read.json["expenses"]?["totalFen"] == 620_000)
            #expect(read.json["expenses"]?["byKind"]?["ads"] == 500_000)
            let kind = try await client.send(
                .post, "/v1/campaigns/\(id)/expenses", key: key, body: #"{"kind":"lunch","amountFen":100}"#)
            #expect(kind.errorField == "kind")
            let amount = try await client.send(
                .post, "/v1/campaigns/\(id)/expenses", key: key, body: #"{"kind":"ads","amountFen":0}"#)
            #expect(amount.errorField == "amountFen")
            let missing = try await client.send(
                .post, "/v1/campaigns/\(id)-none/expenses", key: key, body: #"{"kind":"ads","amountFen":1}"#)
            #expect(missing.status == .notFound)
            #expect(
                try await APITest.storedEvents("campaign-\(id)").map(\.type)
                    == ["CampaignCreated", "CampaignExpenseRecorded", "CampaignExpenseRecorded"])
        }
    }
}
