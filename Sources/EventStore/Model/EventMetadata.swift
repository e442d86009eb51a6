/// Who and what caused an event; stored with every event and covered by the hash chain.
public struct EventMetadata: Codable, Sendable, Hashable {
    /// Groups every event that one business flow caused (e.g. all events of one checkout).
    public var correlationId: String?
    /// The event or command that directly caused this one.
    public var causationId: String?
    /// The API key name or operator that issued the command.
    public var actor: String?
    /// `online`, `store`, `miniprogram`, `ops`, …
    public var channel: String?
    /// The command's idempotency id; set by the store from the append's command id.
    public var commandId: String?

    public init(
        correlationId: String? = nil, causationId: String? = nil, actor: String? = nil, channel: String? = nil,
        commandId: String? = nil
    ) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.channel = channel
        self.commandId = commandId
    }
}
