import Foundation

/// BIP-173 Bech32 (the original checksum constant 1, not Bech32m), as age uses it for keys.
/// Like age, no 90-character length limit is enforced.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = ((checksum & 0x1ff_ffff) << 5) ^ UInt32(value)
            for bit in 0..<5 where (top >> UInt32(bit)) & 1 == 1 {
                checksum ^= generator[bit]
            }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits; `pad` adds zero bits at the end (encoding), otherwise leftover bits must be
    /// fewer than `from` and zero (strict decoding).
    private static func regroup(_ input: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator: UInt32 = 0
        var bits = 0
        var output = [UInt8]()
        let mask: UInt32 = (1 << UInt32(to)) - 1
        for value in input {
            guard UInt32(value) >> UInt32(from) == 0 else { return nil }
            accumulator = (accumulator << UInt32(from)) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                output.append(UInt8((accumulator >> UInt32(bits)) & mask))
            }
        }
        if pad {
            if bits > 0 { output.append(UInt8((accumulator << UInt32(to - bits)) & mask)) }
        } else if bits >= from || (accumulator << UInt32(to - bits)) & mask != 0 {
            return nil
        }
        return output
    }

    /// Encodes 8-bit `data`. An all-uppercase `hrp` produces an all-uppercase string.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let upper = hrp == hrp.uppercased() && hrp != hrp.lowercased()
        let hrpBytes = Array(hrp.lowercased().utf8)
        let values = regroup(data, from: 8, to: 5, pad: true) ?? []
        let mod = polymod(expand(hrpBytes) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> UInt32(5 * (5 - $0))) & 31) }
        let text = String(decoding: hrpBytes + [UInt8(ascii: "1")] + (values + checksum).map { alphabet[Int($0)] }, as: UTF8.self)
        return upper ? text.uppercased() : text
    }

    /// Decodes a Bech32 string to its lowercase human-readable part and 8-bit data.
    static func decode(_ text: String) throws -> (hrp: String, data: [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw AgeError.invalidBech32("invalid character") }
        let hasLower = bytes.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let hasUpper = bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        guard !(hasLower && hasUpper) else { throw AgeError.invalidBech32("mixed case") }
        let lower = bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")) else { throw AgeError.invalidBech32("no separator") }
        guard separator >= 1 else { throw AgeError.invalidBech32("empty human-readable part") }
        guard lower.count - separator - 1 >= 6 else { throw AgeError.invalidBech32("too short") }
        let hrp = Array(lower[..<separator])
        var values = [UInt8]()
        values.reserveCapacity(lower.count - separator - 1)
        for char in lower[(separator + 1)...] {
            let value = reverse[Int(char)]
            guard value >= 0 else { throw AgeError.invalidBech32("invalid data character") }
            values.append(UInt8(value))
        }
        guard polymod(expand(hrp) + values) == 1 else { throw AgeError.invalidBech32("checksum mismatch") }
        guard let data = regroup(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw AgeError.invalidBech32("invalid padding")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
