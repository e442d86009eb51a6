import PromoDomain
import Testing

/// A reversible stand-in for AES-GCM: enough to show what decide seals and evolve opens.
struct ReversingCipher: PIICipher {
    func seal(_ clearText: String, field: String) throws -> String { "sealed:\(field):" + String(clearText.reversed()) }
    func open(_ sealedText: String, field: String) throws -> String {
        let prefix = "sealed:\(field):"
        guard sealedText.hasPrefix(prefix) else { throw FieldError(field: field, message: "not sealed for this field") }
        return String(sealedText.dropFirst(prefix.count).reversed())
    }
}

@Suite("Customer decide/evolve")
struct CustomerStateTests {
    let profile = try! CustomerProfile(
        name: "王小明", phone: "13800138000", address: "春熙路88号", region: "sichuan", tier: .gold,
        tastePreferences: ["spicy"], consents: .init(sms: true, wechat: false, app: true))

    @Test("decide seals name, phone and address; folding opens them; the same profile again decides nothing")
    func sealAndFold() throws {
        let cipher = ReversingCipher()
        let events = try CustomerState().decide(customerId: "u-1", profile: profile, cipher: cipher)
        #expect(events.count == 1)
        #expect(events[0].name == "sealed:name:明小王")
        #expect(events[0].phone == "sealed:phone:00083100831")
        let folded = try CustomerState(
            events: [(CustomerProfileSet.eventType, try JSONValue(encoding: events[0]))], cipher: cipher)
        #expect(folded.profile == profile)
        #expect(try folded.decide(customerId: "u-1", profile: profile, cipher: cipher).isEmpty)
    }

    @Test("A phone with letters is refused, naming the field")
    func phone() {
        #expect(throws: FieldError(field: "phone", message: "may hold only digits, '+', '-' and spaces")) {
            try CustomerProfile(
                name: "a", phone: "call me", address: "b", region: "c", tier: .regular, tastePreferences: [],
                consents: .init(sms: false, wechat: false, app: false))
        }
    }
}
