/// Define or redefine a store or online outlet (`PUT /v1/stores/{storeId}`).
public struct DefineStore: Sendable, Equatable {
    /// The channels a store sells through.
    public static let channels: Set<String> = ["online", "store"]

    public let store: StoreDefined

    public init(
        storeId: String, name: String, region: String, channel: String, fulfilmentLocation: String?
    ) throws(FieldError) {
        guard Self.channels.contains(channel) else {
            throw FieldError(field: "channel", message: "must be \"online\" or \"store\"")
        }
        store = StoreDefined(
            storeId: try InputLimits.identifier(storeId, field: "storeId"),
            name: try InputLimits.text(name, field: "name", length: InputLimits.nameLength),
            region: try InputLimits.text(region, field: "region", length: InputLimits.labelLength),
            channel: channel,
            fulfilmentLocation: try fulfilmentLocation.map { location throws(FieldError) in
                try InputLimits.identifier(location, field: "fulfilmentLocation")
            })
    }
}
