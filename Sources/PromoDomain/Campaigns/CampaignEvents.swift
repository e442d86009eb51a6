/// A campaign was created, as a draft (`campaign-{campaignId}`): its definition is API.md's campaign body as
/// marketing sent it, in canonical JSON. It prices nothing until activated.
public struct CampaignCreated: DomainEvent {
    public static let eventType = "CampaignCreated"

    public var campaignId: String
    public var definition: JSONValue

    public init(campaignId: String, definition: JSONValue) {
        self.campaignId = campaignId
        self.definition = definition
    }

    public static let sample = CampaignCreated(
        campaignId: "c-1111",
        definition: [
            "campaignId": "c-1111", "name": "双十一火锅节", "kind": "spend_reduction",
            "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
            "rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2000]]],
        ])
}

/// A campaign's definition was adjusted (`PATCH /v1/campaigns/{id}`): the whole definition after the change,
/// and the top-level keys that changed.
public struct CampaignAdjusted: DomainEvent {
    public static let eventType = "CampaignAdjusted"

    public var campaignId: String
    public var definition: JSONValue
    public var changed: [String]

    public init(campaignId: String, definition: JSONValue, changed: [String]) {
        self.campaignId = campaignId
        self.definition = definition
        self.changed = changed
    }

    public static let sample = CampaignAdjusted(
        campaignId: "c-1111",
        definition: [
            "campaignId": "c-1111", "name": "双十一火锅节", "kind": "spend_reduction",
            "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
            "rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2500]]],
        ],
        changed: ["rules"])
}

/// A campaign moved in its lifecycle: activated, paused, resumed or ended.
public struct CampaignStatusChanged: DomainEvent {
    public static let eventType = "CampaignStatusChanged"

    public var campaignId: String
    /// `draft`, `active`, `paused` or `ended`.
    public var from: String
    public var to: String

    public init(campaignId: String, from: CampaignStatus, to: CampaignStatus) {
        self.campaignId = campaignId
        self.from = from.rawValue
        self.to = to.rawValue
    }

    public static let sample = CampaignStatusChanged(campaignId: "c-1111", from: .draft, to: .active)
}
