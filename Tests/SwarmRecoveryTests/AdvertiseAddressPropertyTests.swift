import Foundation
import SwarmConventions
import SwarmRecovery
import SwarmTestSupport
import Testing

/// Random manager addresses through `AdvertiseAddress` and `RequestedAddress`: every valid
/// spelling parses to the IP and port it was built from and formats back to `ip:port` (IPv6 in
/// brackets), every invalid one built to be wrong is refused, and random text never crashes
/// the parser nor gets through in a shape swarmkit would not write.
@Suite struct AdvertiseAddressPropertyTests {
    /// A valid address and the ways an operator may spell it.
    struct Spelled {
        let ip: String
        let port: UInt16?
        let text: String
    }

    static func ipv4(_ random: inout SeededGenerator) -> String {
        (0..<4).map { _ in String(Int.random(in: 0...255, using: &random)) }.joined(separator: ".")
    }

    /// An IPv6 literal in one of its spellings: all eight groups, a `::` run at a random
    /// place, an embedded IPv4 tail, mixed case, leading zeros in a group.
    static func ipv6(_ random: inout SeededGenerator) -> String {
        var groups = (0..<8).map { _ -> String in
            let value = Int.random(in: 0..<6, using: &random) == 0 ? 0 : Int.random(in: 0...0xFFFF, using: &random)
            var text = String(value, radix: 16, uppercase: Bool.random(using: &random))
            if Int.random(in: 0..<5, using: &random) == 0 { text = String(repeating: "0", count: 4 - text.count) + text }
            return text
        }
        let v4Tail = Int.random(in: 0..<5, using: &random) == 0
        if v4Tail {
            groups.removeLast(2)
            groups.append(ipv4(&random))
        }
        if Bool.random(using: &random) {
            // Replace a run of groups (possibly all of them) with "::".
            let start = Int.random(in: 0..<groups.count, using: &random)
            let end = Int.random(in: start...groups.count, using: &random)
            guard end > start else { return groups.joined(separator: ":") }
            let head = groups[..<start].joined(separator: ":")
            let tail = groups[end...].joined(separator: ":")
            return head + "::" + tail
        }
        return groups.joined(separator: ":")
    }

    static func valid(_ random: inout SeededGenerator) -> Spelled {
        let v6 = Bool.random(using: &random)
        let ip = v6 ? ipv6(&random) : ipv4(&random)
        let port: UInt16? = Bool.random(using: &random) ? UInt16.random(in: 1...UInt16.max, using: &random) : nil
        let portText = port.map { p in
            // Leading zeros are still a decimal port (as Go's strconv reads it).
            (Int.random(in: 0..<8, using: &random) == 0 ? "00" : "") + String(p)
        }
        var text: String
        switch (v6, portText) {
        case (false, nil): text = ip
        case (false, let p?): text = "\(ip):\(p)"
        case (true, nil): text = Bool.random(using: &random) ? ip : "[\(ip)]"
        case (true, let p?): text = "[\(ip)]:\(p)"
        }
        if Int.random(in: 0..<10, using: &random) == 0 { text = " \(text)  " }
        return Spelled(ip: ip, port: port, text: text)
    }

    /// Text that is wrong by construction, and why.
    static func invalid(_ random: inout SeededGenerator) -> (text: String, why: String) {
        let v4 = ipv4(&random)
        let v6 = ipv6(&random)
        let badPorts = ["0", "65536", String(Int.random(in: 65537...999_999, using: &random)), "", "+80", "-1", "8a", "0x50", " 80", "8 0"]
        let octets = v4.split(separator: ".").map(String.init)
        switch Int.random(in: 0..<12, using: &random) {
        case 0:
            var bad = octets
            bad[Int.random(in: 0..<4, using: &random)] = String(Int.random(in: 256...999, using: &random))
            return (bad.joined(separator: "."), "an octet above 255")
        case 1: return (octets.prefix(3).joined(separator: "."), "three octets")
        case 2: return (v4 + "." + octets[0], "five octets")
        case 3: return ("\(v4):\(badPorts.randomElement(using: &random) ?? "0")", "a port that is not 1...65535 in decimal")
        case 4: return ("[\(v6)]:\(badPorts.randomElement(using: &random) ?? "0")", "a port that is not 1...65535 in decimal")
        case 5: return ("[\(v6)", "no closing bracket")
        case 6: return ("[\(v6)]x", "text after the bracket")
        case 7: return ("\(v6)%eth0", "a zone, which an address other managers dial cannot carry")
        case 8: return ("1:2:3:4:5:6:7:8:9", "nine IPv6 groups")
        case 9: return ("fd00::1::2", "two \"::\"")
        case 10:
            let names = ["eth0", "localhost", "manager-1.example", "host.example:2377", "", "   ", "g::1", "1.2.3.4.example"]
            return (names.randomElement(using: &random) ?? "eth0", "not an IP literal")
        default: return ("\(v4):80:90", "two ports")
        }
    }

    static let iterations = 20_000

    @Test("valid spellings parse to their IP and port and format back to ip:port", arguments: [1, 2] as [UInt64])
    func validAddressesRoundTrip(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for iteration in 0..<Self.iterations {
            let spelled = Self.valid(&random)
            let place = "seed \(seed) iteration \(iteration): \"\(spelled.text)\""
            let address: AdvertiseAddress
            do {
                address = try AdvertiseAddress(parsing: spelled.text)
            } catch {
                Issue.record("refused a valid address: \(place): \(error)")
                return
            }
            let parts = try AdvertiseAddress.parts(parsing: spelled.text)
            #expect(parts.ip == spelled.ip && parts.port == spelled.port, "\(place)")
            let port = spelled.port ?? AdvertiseAddress.defaultPort
            #expect(address.ip == spelled.ip && address.port == port, "\(place)")
            let hostPort = spelled.ip.contains(":") ? "[\(spelled.ip)]:\(port)" : "\(spelled.ip):\(port)"
            #expect(address.hostPort == hostPort && address.description == hostPort, "\(place)")
            // The formatted form is a fixed point, and the same value as built from its parts.
            #expect(try AdvertiseAddress(parsing: address.hostPort) == address, "\(place)")
            #expect(try AdvertiseAddress(ip: address.ip, port: address.port) == address, "\(place)")

            // A move's address keeps the member's current port unless one is given.
            let requested = try RequestedAddress(parsing: spelled.text)
            #expect(requested.ip == spelled.ip && requested.port == spelled.port, "\(place)")
            let currentPort = UInt16.random(in: 1...UInt16.max, using: &random)
            let current = Bool.random(using: &random) ? "10.9.8.7:\(currentPort)" : "[fd00::9]:\(currentPort)"
            #expect(try requested.resolved(current: current).port == spelled.port ?? currentPort, "\(place) from \(current)")
            #expect(try requested.resolved(current: nil).port == port, "\(place)")
            #expect(try requested.resolved(current: current).ip == spelled.ip, "\(place)")
        }
    }

    @Test("addresses built to be wrong are refused with AddressError", arguments: [3, 4] as [UInt64])
    func invalidAddressesAreRefused(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for iteration in 0..<Self.iterations {
            let (text, why) = Self.invalid(&random)
            let place = "seed \(seed) iteration \(iteration): \"\(text)\" (\(why))"
            do throws(AddressError) {
                let address = try AdvertiseAddress(parsing: text)
                Issue.record("accepted as \(address.hostPort): \(place)")
                return
            } catch {
                // The message names the text as given, so an operator sees what was refused.
                #expect(error.description.contains("\"\(text)\""), "\(place): \(error)")
            }
            #expect(throws: AddressError.self, "\(place)") { try RequestedAddress(parsing: text) }
            #expect(throws: AddressError.self, "\(place)") { try AdvertiseAddress.parts(parsing: text) }
        }
        #expect(throws: AddressError.self) { try AdvertiseAddress(ip: "10.0.0.1", port: 0) }
        #expect(throws: AddressError.self) { try AdvertiseAddress(ip: "[fd00::1]") }
    }

    /// Random text from the characters addresses are made of. Whatever is accepted must have
    /// one of the four shapes (`ip`, `ip:port`, `[ip]`, `[ip]:port`) with the IP as given and
    /// a decimal port; everything else is an `AddressError`, never a crash.
    @Test("random text is refused or parsed in one of the four shapes, never a crash", arguments: [5, 6] as [UInt64])
    func randomTextNeverCrashes(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("0123456789abcdefABCDEF:.[]%+- x\u{00E9}\u{0661}")
        var accepted = 0
        for iteration in 0..<Self.iterations {
            var text: String
            if Bool.random(using: &random) {
                text = String((0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "0" })
            } else {
                // A valid spelling with one character inserted, removed or replaced.
                var characters = Array(Self.valid(&random).text)
                let at = Int.random(in: 0...characters.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: characters.insert(alphabet.randomElement(using: &random) ?? "0", at: at)
                case 1 where at < characters.count: characters.remove(at: at)
                default: if at < characters.count { characters[at] = alphabet.randomElement(using: &random) ?? "0" }
                }
                text = String(characters)
            }
            let place = "seed \(seed) iteration \(iteration): \"\(text)\""
            guard let address = try? AdvertiseAddress(parsing: text) else { continue }
            accepted += 1
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            #expect(Self.hasOneOfTheFourShapes(trimmed, address), "accepted in an unexpected shape as \(address.hostPort): \(place)")
            #expect(try AdvertiseAddress(parsing: address.hostPort) == address, "\(place)")
        }
        #expect(accepted > Self.iterations / 10, "the mutations leave many texts valid")
    }

    /// `ip` or `[ip]` for the default port, `ip:digits` (IPv4) or `[ip]:digits` with the
    /// digits ASCII decimal and equal to the port.
    static func hasOneOfTheFourShapes(_ text: String, _ address: AdvertiseAddress) -> Bool {
        let bracketed = "[\(address.ip)]"
        if address.port == AdvertiseAddress.defaultPort && (text == address.ip || text == bracketed) { return true }
        for host in address.ip.contains(":") ? [bracketed] : [address.ip, bracketed] where text.hasPrefix(host + ":") {
            let digits = text.dropFirst(host.count + 1)
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), Int(digits) == Int(address.port) { return true }
        }
        return false
    }
}
