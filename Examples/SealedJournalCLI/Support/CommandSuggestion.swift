/// "did you mean checkin?" for a mistyped command name.
enum CommandSuggestion {
    /// The error line for `word` when it is not a command (nil when it is one, or is an option).
    static func unknownCommandMessage(_ word: String, known: [String]) -> String? {
        guard !word.hasPrefix("-"), !known.contains(word) else { return nil }
        let shown = String(word.prefix(40)).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined()
        var message = "unknown command '\(shown)'"
        if let nearest = nearest(to: word.lowercased(), in: known) { message += "; did you mean \(nearest)?" }
        return message + " (see sealed-journal --help)"
    }

    /// The known name closest to `word` by edit distance, if it is close enough to be a typo.
    static func nearest(to word: String, in known: [String]) -> String? {
        let scored = known.map { ($0, distance(Array(word), Array($0))) }.sorted { $0.1 < $1.1 }
        guard let best = scored.first, best.1 <= max(2, best.0.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
