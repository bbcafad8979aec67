/// An IPv4 network as the allocator hands out its addresses: `10.0.1.0/24`.
public struct IPv4Prefix: Hashable, Sendable {
    public let network: UInt32
    public let bits: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits),
            let address = Self.parseAddress(String(parts[0]))
        else { return nil }
        self.bits = bits
        self.network = address & Self.mask(bits)
    }

    init(network: UInt32, bits: Int) {
        self.bits = bits
        self.network = network & Self.mask(bits)
    }

    var size: UInt64 { UInt64(1) << UInt64(32 - bits) }
    var last: UInt32 { network | ~Self.mask(bits) }

    func contains(_ address: UInt32) -> Bool { address & Self.mask(bits) == network }

    public func overlaps(_ other: IPv4Prefix) -> Bool {
        let shorter = min(bits, other.bits)
        return network & Self.mask(shorter) == other.network & Self.mask(shorter)
    }

    public var description: String { "\(Self.format(network))/\(bits)" }

    /// `address/bits` with this prefix's length, the form swarmkit stores VIPs and task
    /// addresses in.
    func cidr(_ address: UInt32) -> String { "\(Self.format(address))/\(bits)" }

    static func mask(_ bits: Int) -> UInt32 { bits == 0 ? 0 : UInt32.max << UInt32(32 - bits) }

    static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// The address part of `a.b.c.d` or `a.b.c.d/n`.
    static func parseAddressOrCIDR(_ text: String) -> UInt32? {
        parseAddress(String(text.split(separator: "/").first ?? ""))
    }

    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }
}
