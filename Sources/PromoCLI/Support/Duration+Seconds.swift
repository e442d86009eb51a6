extension Duration {
    /// The duration in seconds, fractions included (for rates and progress lines).
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
