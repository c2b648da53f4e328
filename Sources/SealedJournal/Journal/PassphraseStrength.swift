import Foundation

/// How hard a passphrase is to guess: a zxcvbn-style estimate with plain-English advice.
///
/// The estimate follows the approach of Dropbox's zxcvbn (Wheeler, USENIX Security 2016): the
/// passphrase is split into the patterns an attacker's guessing tools try first — common passwords,
/// English words, names, words about recovery and journaling, each also reversed, capitalised or
/// with l33t substitutions ("p@ssw0rd"); keyboard patterns ("qwerty", "zxcvbn", "7896"); repeats
/// ("aaaa", "abcabc"); sequences ("abcd", "6543"); years and dates — and the cheapest way to cover
/// it with those patterns (and brute force for the rest) gives the estimated number of guesses.
/// The word lists are built in (about 35,000 entries from zxcvbn's lists, MIT licence; see
/// `scripts/generate-passphrase-wordlists.py`), so the estimate needs no network and no files.
///
/// Deterministic (no clock: years are measured from ``referenceYear``) and fast (well under a
/// millisecond for typical passphrases; a few milliseconds for 64 characters in a debug build).
/// The passphrase is read in place from guarded memory and no copy of its bytes is made; what the
/// matching finds (positions, word ranks, years) lives briefly in ordinary memory. Only the first
/// ``analysedByteLimit`` bytes are analysed; a longer passphrase is rated on that prefix.
///
/// The warning and suggestion name a *kind* of weakness, never the passphrase or the matched
/// word; still, show them only to the person choosing the passphrase.
public struct PassphraseStrength: Sendable, Equatable {
    /// log10 of the estimated number of guesses an attacker needs (0 for an empty passphrase).
    public let guessesLog10: Double
    /// 0 (too guessable: under 10^3 guesses) to 4 (very unguessable: 10^10 guesses or more);
    /// 1 under 10^6, 2 under 10^8, 3 under 10^10, as in zxcvbn.
    public let score: Int
    /// What makes the passphrase weak ("This is one of the 10 most common passwords."), or `nil`.
    public let warning: String?
    /// What to do about it ("Add another word or two; uncommon words are better."), or `nil`
    /// when the passphrase is strong.
    public let suggestion: String?

    /// The score below which an app should warn before accepting a new passphrase (the CLI asks
    /// "use it anyway?"). Journal keys are derived with Argon2id, so 10^10 guesses cost an
    /// offline attacker years of compute.
    public static let recommendedMinimumScore = 3
    /// Years in dates and "recent year" patterns are scored by their distance from this year.
    public static let referenceYear = 2026
    /// Bytes beyond this many are not analysed (keeps the estimate fast on pasted text).
    public static let analysedByteLimit = 256

    /// Whether an app should warn before accepting this passphrase (``score`` below
    /// ``recommendedMinimumScore``).
    public var isWeak: Bool { score < Self.recommendedMinimumScore }

    /// Estimates how guessable `passphrase` is.
    ///
    /// Cost: microseconds to a few milliseconds; no allocation of guarded memory, no copy of the
    /// passphrase's bytes. Never throws: invalid UTF-8 is rated as bytes.
    public static func estimate(_ passphrase: SecretBytes) -> PassphraseStrength {
        passphrase.withUnsafeBytes { bytes in
            let analysed = UnsafeRawBufferPointer(rebasing: bytes.prefix(analysedByteLimit))
            let result = StrengthAnalysis.mostGuessable(analysed)
            let score = score(forGuesses: result.guesses)
            let (warning, suggestion) = feedback(score: score, sequence: result.sequence, bytes: analysed)
            return PassphraseStrength(guessesLog10: log10(max(result.guesses, 1)), score: score,
                                      warning: warning, suggestion: suggestion)
        }
    }

    static func score(forGuesses guesses: Double) -> Int {
        let delta = 5.0
        if guesses < 1e3 + delta { return 0 }
        if guesses < 1e6 + delta { return 1 }
        if guesses < 1e8 + delta { return 2 }
        if guesses < 1e10 + delta { return 3 }
        return 4
    }

    // MARK: Feedback

    private static let addWords = "Add another word or two; uncommon words are better."
    private static let addWordsTail = "add another word or two; uncommon words are better."

    static func feedback(score: Int, sequence: [StrengthAnalysis.Match], bytes: UnsafeRawBufferPointer) -> (String?, String?) {
        if sequence.isEmpty { return ("An empty passphrase protects nothing.", "Use a few uncommon words; no need for symbols, digits or capitals.") }
        if score > 2 { return (nil, nil) }
        var longest = sequence[0]
        for match in sequence.dropFirst() where match.length > longest.length { longest = match }
        let isSole = sequence.count == 1
        switch longest.pattern {
        case let .dictionary(dictionary, rank, reversed, l33t):
            let token = UnsafeRawBufferPointer(rebasing: bytes[longest.i...longest.j])
            return (dictionaryWarning(dictionary: dictionary, rank: rank, reversed: reversed, l33t: l33t,
                                      guesses: longest.guesses, isSole: isSole),
                    dictionarySuggestion(token: token, reversed: reversed, l33t: l33t) ?? addWords)
        case let .spatial(turns, _, _):
            return (turns == 1 ? "Straight rows of keys are easy to guess." : "Short keyboard patterns are easy to guess.",
                    "Use a longer keyboard pattern with more turns, or better, a few uncommon words.")
        case let .repeated(baseLength, _, _):
            return (baseLength == 1 ? "Repeated characters like \"aaa\" are easy to guess."
                                    : "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
                    "Avoid repeated words and characters; " + addWordsTail)
        case .sequence:
            return ("Sequences like \"abc\" or \"6543\" are easy to guess.", "Avoid sequences; " + addWordsTail)
        case .recentYear:
            return ("Recent years are easy to guess.", "Avoid years that are associated with you; " + addWordsTail)
        case .date:
            return ("Dates are often easy to guess.", "Avoid dates and years that are associated with you; " + addWordsTail)
        case .bruteforce:
            return (score <= 1 ? "This passphrase is short and easy to guess." : nil, addWords)
        }
    }

    private static func dictionaryWarning(dictionary: StrengthAnalysis.Dictionary, rank: Int, reversed: Bool, l33t: Bool,
                                          guesses: Double, isSole: Bool) -> String? {
        switch dictionary {
        case .passwords:
            if isSole && !l33t && !reversed {
                if rank <= 10 { return "This is one of the 10 most common passwords." }
                if rank <= 100 { return "This is one of the 100 most common passwords." }
                return "This is a very common password."
            }
            return log10(guesses) <= 4 ? "This is similar to a commonly used password." : nil
        case .englishWords, .filmAndTelevision:
            return isSole ? "A single word is easy to guess." : "Common words and phrases are easy to guess."
        case .surnames, .femaleNames, .maleNames:
            return isSole ? "Names and surnames by themselves are easy to guess." : "Common names and surnames are easy to guess."
        case .journal:
            return "Words about recovery and journaling are the first ones someone who knows this app would try."
        }
    }

    private static func dictionarySuggestion(token: UnsafeRawBufferPointer, reversed: Bool, l33t: Bool) -> String? {
        let upper = token.count(where: { (0x41...0x5A).contains($0) })
        let lower = token.count(where: { (0x61...0x7A).contains($0) })
        if upper == 1, let first = token.first, (0x41...0x5A).contains(first) {
            return "A capital first letter does not help much; " + addWordsTail
        }
        if upper > 0 && lower == 0 {
            return "All capitals are almost as easy to guess as all lower case; " + addWordsTail
        }
        if reversed && token.count >= 4 { return "Reversed words are not much harder to guess; " + addWordsTail }
        if l33t { return "Predictable substitutions like \"@\" for \"a\" do not help much; " + addWordsTail }
        return nil
    }
}
