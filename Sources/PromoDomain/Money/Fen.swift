/// An amount of money in fen (CNY minor units); never floating point.
///
/// A typealias rather than a wrapper keeps the hot pricing path free of conversions
/// while still naming the unit at every API boundary.
public typealias Fen = Int
