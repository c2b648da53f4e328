import Foundation
import Testing

/// Loads a JSON vector file shipped in `Vectors/` as a test resource.
enum TestVectors {
    static func load(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"),
                               "missing vector file \(name).json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    /// The `cases` array of one group in a vector file.
    static func cases(_ file: String, _ group: String) throws -> [[String: Any]] {
        let root = try load(file)
        let section = try #require(root[group] as? [String: Any], "no group \(group)")
        let cases = try #require(section["cases"] as? [[String: Any]])
        try #require(!cases.isEmpty)
        return cases
    }
}

extension Dictionary where Key == String, Value == Any {
    func hex(_ key: String) throws -> [UInt8] {
        let string = try #require(self[key] as? String, "missing \(key)")
        return try #require([UInt8](hex: string), "bad hex in \(key)")
    }

    func int(_ key: String) throws -> Int {
        try #require(self[key] as? Int, "missing \(key)")
    }

    var name: String { self["name"] as? String ?? "?" }
}

extension Array where Element == UInt8 {
    init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case 0x30...0x39: nibble = c - 0x30
            case 0x61...0x66: nibble = c - 0x61 + 10
            case 0x41...0x46: nibble = c - 0x41 + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        guard high == nil else { return nil }
        self = bytes
    }

    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
