/// Campaign lifecycle state; only `active` campaigns price carts.
public enum CampaignStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case draft, scheduled, active, paused, ended, cancelled
}
