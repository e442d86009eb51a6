import Hummingbird

/// The request context of every route: Hummingbird's core storage plus the authenticated key, if any.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` on `/v1/*` routes.
    public var principal: Principal?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// Request bodies are limited to 1 MiB (API.md); a larger one is a 413.
    public var maxUploadSize: Int { 1 << 20 }
}
