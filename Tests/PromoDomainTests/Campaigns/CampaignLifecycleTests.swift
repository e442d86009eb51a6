import Foundation
import PromoDomain
import Testing

@Suite("Campaign lifecycle decide/evolve")
struct CampaignLifecycleTests {
    static let body: JSONValue = [
        "campaignId": "c-1", "name": "满减", "kind": "spend_reduction",
        "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
        "rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2000]]],
    ]

    /// 2026-11-11 12:00 in Shanghai: inside the window.
    static let inWindow = Date(timeIntervalSince1970: 1_794_369_600)

    static func state(after events: [any DomainEvent]) throws -> CampaignStreamState {
        var state = CampaignStreamState()
        for event in events { try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event)) }
        return state
    }

    static func state(in status: CampaignStatus) throws -> CampaignStreamState {
        var events: [any DomainEvent] = [CampaignCreated(campaignId: "c-1", definition: body)]
        if status != .draft { events.append(CampaignStatusChanged(campaignId: "c-1", from: .draft, to: status)) }
        return try state(after: events)
    }

    @Test(
        "Every step from every status: allowed, a no-op when already there, or refused",
        arguments: [
            (CampaignStatus.draft, CampaignTransition.activate, "active"),
            (.draft, .pause, "refused"), (.draft, .resume, "refused"), (.draft, .end, "refused"),
            (.active, .activate, "same"), (.active, .pause, "paused"), (.active, .resume, "same"),
            (.active, .end, "ended"),
            (.paused, .activate, "refused"), (.paused, .pause, "same"), (.paused, .resume, "active"),
            (.paused, .end, "ended"),
            (.ended, .activate, "refused"), (.ended, .pause, "refused"), (.ended, .resume, "refused"),
            (.ended, .end, "same"),
            (.draft, .cancel, "cancelled"), (.active, .cancel, "refused"), (.paused, .cancel, "refused"),
            (.ended, .cancel, "refused"), (.scheduled, .activate, "active"), (.scheduled, .cancel, "cancelled"),
            (.scheduled, .pause, "refused"), (.scheduled, .end, "refused"), (.cancelled, .activate, "refused"),
            (.cancelled, .cancel, "same"),
        ])
    func transitions(from status: CampaignStatus, step: CampaignTransition, outcome: String) throws {
        let state = try Self.state(in: status)
        switch outcome {
        case "refused":
            #expect(throws: CampaignCommandError.invalidTransition(campaignId: "c-1", from: status, transition: step)) {
                try state.decide(step, campaignId: "c-1", now: Self.inWindow)
            }
        case "same":
            #expect(try state.decide(step, campaignId: "c-1", now: Self.inWindow).isEmpty)
        default:
            let events = try state.decide(step, campaignId: "c-1", now: Self.inWindow)
            #expect(
                events == [
                    CampaignStatusChanged(campaignId: "c-1", from: status, to: CampaignStatus(rawValue: outcome)!)
                ])
            #expect(
                try Self.state(after: [CampaignCreated(campaignId: "c-1", definition: Self.body)] + [events[0]]).status
                    .rawValue == outcome)
        }
    }

    @Test("Activating before the window schedules; after it, refused; the clock opens and closes it, once")
    func clock() throws {
        let draft = try Self.state(in: .draft)
        let before = Date(timeIntervalSince1970: 1_794_240_000 - 1)  // 2026-11-09T23:59:59+08:00
        let after = Date(timeIntervalSince1970: 1_794_412_800)  // 2026-11-12T00:00:00+08:00, the end itself
        #expect(
            try draft.decide(.activate, campaignId: "c-1", now: before) == [
                CampaignStatusChanged(campaignId: "c-1", from: .draft, to: .scheduled)
            ])
        #expect(throws: CampaignCommandError.windowClosed(campaignId: "c-1")) {
            try draft.decide(.activate, campaignId: "c-1", now: after)
        }
        let scheduled = try Self.state(in: .scheduled)
        #expect(try scheduled.decide(.activate, campaignId: "c-1", now: before).isEmpty)
        #expect(scheduled.decideClock(campaignId: "c-1", now: before).isEmpty)
        #expect(
            scheduled.decideClock(campaignId: "c-1", now: before.addingTimeInterval(1)) == [
                CampaignStatusChanged(campaignId: "c-1", from: .scheduled, to: .active)
            ])
        // A scheduled campaign whose whole window passed unseen ends without going live.
        #expect(
            scheduled.decideClock(campaignId: "c-1", now: after) == [
                CampaignStatusChanged(campaignId: "c-1", from: .scheduled, to: .ended)
            ])
        for status in [CampaignStatus.active, .paused] {
            let state = try Self.state(in: status)
            #expect(state.decideClock(campaignId: "c-1", now: Self.inWindow).isEmpty)
            #expect(
                state.decideClock(campaignId: "c-1", now: after) == [
                    CampaignStatusChanged(campaignId: "c-1", from: status, to: .ended)
                ])
        }
        for status in [CampaignStatus.draft, .ended, .cancelled] {
            #expect(try Self.state(in: status).decideClock(campaignId: "c-1", now: after).isEmpty)
        }
    }

    @Test("A definition is checked as the engine prices it; store-kept keys and unknown SKUs are refused")
    func definition() throws {
        let definition = try CampaignDefinition(json: Self.body, knownSKUs: [])
        #expect(definition.campaign.kind == .spendReduction)
        let state = try Self.state(after: [])
        #expect(try state.decide(create: definition) == [CampaignCreated(campaignId: "c-1", definition: Self.body)])
        #expect(throws: CampaignCommandError.exists(campaignId: "c-1")) {
            try Self.state(in: .draft).decide(create: definition)
        }

        var kept = Self.body.objectValue ?? [:]
        kept["status"] = "active"
        let error = #expect(throws: PricingInputError.self) {
            try CampaignDefinition(json: .object(kept), knownSKUs: [])
        }
        #expect(error?.field == "status")

        let special: JSONValue = [
            "campaignId": "c-2", "kind": "special_price",
            "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
            "rules": ["prices": ["HP-001": 3000]],
        ]
        let unknown = #expect(throws: PricingInputError.self) { try CampaignDefinition(json: special, knownSKUs: []) }
        #expect(unknown?.unknownSKU == "HP-001")
        #expect(unknown?.field == "rules.prices.HP-001")
        #expect(try CampaignDefinition(json: special, knownSKUs: ["HP-001"]).campaign.campaignId == "c-2")
    }

    @Test("Adjusting replaces the keys given, lists what changed, and stops at the end")
    func adjust() throws {
        let state = try Self.state(in: .active)
        let merged = try state.adjusted(by: ["rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2500]]]])
        let events = try state.decide(adjust: try CampaignDefinition(json: merged, knownSKUs: []))
        #expect(events.map(\.changed) == [["rules"]])
        #expect(try state.decide(adjust: try CampaignDefinition(json: Self.body, knownSKUs: [])).isEmpty)
        #expect(throws: PricingInputError.self) { try state.adjusted(by: ["kind": "gift"]) }
        #expect(throws: CampaignCommandError.ended(campaignId: "c-1")) {
            try Self.state(in: .ended).decide(adjust: try CampaignDefinition(json: merged, knownSKUs: []))
        }
    }
}
