import EventStore
import PromoDomain

/// Payloads that trip the fault triggers `TestDatabase` installs (see `FaultTriggers` in PromoTestSupport).
enum FaultInjection {
    static func payload(_ fault: String, sleepSeconds: Double = 0) -> JSONValue {
        ["testFault": .string(fault), "sleepSeconds": .double(sleepSeconds)]
    }
}
