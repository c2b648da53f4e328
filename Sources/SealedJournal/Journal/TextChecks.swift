import Foundation

/// Small text checks on hot paths (validation of every appended or imported record).
enum TextChecks {
    /// `true` when `text` is empty or holds only white space and newlines: exactly
    /// `text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty`, without building the
    /// trimmed string. Any ASCII scalar outside tab...carriage return and space settles it at
    /// once; otherwise every scalar is looked up in `CharacterSet.whitespacesAndNewlines`.
    static func isBlank(_ text: String) -> Bool {
        for byte in text.utf8 where byte < 0x80 && !(byte == 0x20 || (0x09...0x0D).contains(byte)) { return false }
        return text.unicodeScalars.allSatisfy { CharacterSet.whitespacesAndNewlines.contains($0) }
    }
}
