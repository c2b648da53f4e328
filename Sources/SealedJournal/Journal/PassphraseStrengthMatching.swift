import Foundation

/// The matching and scoring behind ``PassphraseStrength``: a port of zxcvbn's approach
/// (matching.py, scoring.py of zxcvbn 4.5.0, MIT licence) that works on the UTF-8 bytes in place.
///
/// Positions are byte offsets; dictionary, keyboard, sequence and date patterns are ASCII, so they
/// never start or end inside a multi-byte character. Brute-force segments count Unicode scalars.
enum StrengthAnalysis {
    enum Dictionary: UInt8, Sendable {
        case passwords = 0, englishWords, femaleNames, surnames, maleNames, filmAndTelevision, journal
    }

    enum Graph: Sendable { case qwerty, keypad }

    enum Pattern: Sendable {
        case dictionary(Dictionary, rank: Int, reversed: Bool, l33t: Bool)
        case spatial(turns: Int, shifted: Int, graph: Graph)
        case repeated(baseLength: Int, baseGuesses: Double, count: Int)
        case sequence(ascending: Bool)
        case recentYear(Int)
        case date(year: Int, separator: Bool)
        case bruteforce
    }

    struct Match: Sendable {
        let i: Int  // first byte
        let j: Int  // last byte (inclusive)
        let pattern: Pattern
        var guesses: Double = 0
        var length: Int { j - i + 1 }
    }

    struct Result { let guesses: Double; let sequence: [Match] }

    // MARK: Most guessable sequence (zxcvbn scoring.most_guessable_match_sequence)

    static let minGuessesBeforeGrowingSequence = 10_000.0

    static func mostGuessable(_ s: UnsafeRawBufferPointer) -> Result {
        let n = s.count
        guard n > 0 else { return Result(guesses: 1, sequence: []) }
        var matches = allMatches(s)
        for index in matches.indices { matches[index].guesses = estimateGuesses(matches[index], s) }
        var byEnd = [[Int]](repeating: [], count: n)
        for (index, match) in matches.enumerated() { byEnd[match.j].append(index) }

        // optimal[k * width + l]: the best way to cover bytes 0...k with l matches; lengths[k]: the
        // l set at k, in the order first set (zxcvbn iterates its dictionaries in that order).
        struct Entry { let match: Int; let pi: Double; let g: Double }
        let width = n + 2
        var optimal = [Entry?](repeating: nil, count: n * width)
        var lengths = [[Int]](repeating: [], count: n)
        var scalarsBefore = [Int](repeating: 0, count: n + 1)
        for index in 0..<n { scalarsBefore[index + 1] = scalarsBefore[index] + (s[index] & 0xC0 != 0x80 ? 1 : 0) }
        let growth = (0...(n + 1)).map { pow(minGuessesBeforeGrowingSequence, Double($0)) }
        let factorials = (0...(n + 1)).map { factorial($0) }

        func update(_ index: Int, _ l: Int) {
            let match = matches[index]
            var pi = match.guesses
            if l > 1 {
                guard let previous = optimal[(match.i - 1) * width + l - 1] else { return }
                pi *= previous.pi
            }
            let k = match.j
            // A one-match cover of 0...k already costs less than the additive term alone: prune.
            if let single = optimal[k * width + 1], growth[l - 1] >= single.g { return }
            let g = factorials[l] * pi + growth[l - 1]
            for competingL in lengths[k] where competingL <= l {
                if let competing = optimal[k * width + competingL], competing.g <= g { return }
            }
            if optimal[k * width + l] == nil { lengths[k].append(l) }
            optimal[k * width + l] = Entry(match: index, pi: pi, g: g)
        }
        func bruteforceMatch(_ i: Int, _ j: Int) -> Int {
            let characters = max(1, scalarsBefore[j + 1] - scalarsBefore[i])
            let raw = min(pow(10, Double(characters)), Double.greatestFiniteMagnitude)
            let guesses = max(raw, characters == 1 ? minSubmatchGuessesSingleCharacter + 1 : minSubmatchGuessesMultiCharacter + 1)
            matches.append(Match(i: i, j: j, pattern: .bruteforce, guesses: guesses))
            return matches.count - 1
        }
        func isBruteforce(_ entry: Entry) -> Bool {
            if case .bruteforce = matches[entry.match].pattern { return true }
            return false
        }

        for k in 0..<n {
            for index in byEnd[k].sorted(by: { matches[$0].i < matches[$1].i }) {
                let i = matches[index].i
                if i > 0 {
                    for l in lengths[i - 1] { update(index, l + 1) }
                } else {
                    update(index, 1)
                }
            }
            update(bruteforceMatch(0, k), 1)
            if k >= 1 {
                let single = optimal[k * width + 1]?.g ?? .infinity
                for i in 1...k {
                    var index: Int?
                    for l in lengths[i - 1] where growth[l] < single {
                        guard let entry = optimal[(i - 1) * width + l], !isBruteforce(entry) else { continue }
                        let made = index ?? bruteforceMatch(i, k)
                        index = made
                        update(made, l + 1)
                    }
                }
            }
        }

        var bestL = 0
        var bestG = Double.infinity
        for l in lengths[n - 1] {
            if let entry = optimal[(n - 1) * width + l], entry.g < bestG { bestL = l; bestG = entry.g }
        }
        guard bestL > 0 else { return Result(guesses: 1, sequence: []) }
        var sequence: [Match] = []
        var k = n - 1
        var l = bestL
        while k >= 0, l >= 1, let entry = optimal[k * width + l] {
            sequence.insert(matches[entry.match], at: 0)
            k = matches[entry.match].i - 1
            l -= 1
        }
        return Result(guesses: bestG, sequence: sequence)
    }

    static func factorial(_ n: Int) -> Double {
        n < 2 ? 1 : (2...n).reduce(1.0) { $0 * Double($1) }
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        if k > n { return 0 }
        if k == 0 { return 1 }
        var result = 1.0
        for d in 1...k { result = result * Double(n - k + d) / Double(d) }
        return result.rounded()
    }

    // MARK: Guesses per match (zxcvbn scoring.estimate_guesses)

    static let minSubmatchGuessesSingleCharacter = 10.0
    static let minSubmatchGuessesMultiCharacter = 50.0
    static let minYearSpace = 20

    static func estimateGuesses(_ match: Match, _ s: UnsafeRawBufferPointer) -> Double {
        var minimum = 1.0
        if match.length < s.count {
            minimum = match.length == 1 ? minSubmatchGuessesSingleCharacter : minSubmatchGuessesMultiCharacter
        }
        let token = UnsafeRawBufferPointer(rebasing: s[match.i...match.j])
        let guesses: Double
        switch match.pattern {
        case .bruteforce:
            let characters = max(1, count(token) { $0 & 0xC0 != 0x80 })
            let raw = min(pow(10, Double(characters)), Double.greatestFiniteMagnitude)
            guesses = max(raw, characters == 1 ? minSubmatchGuessesSingleCharacter + 1 : minSubmatchGuessesMultiCharacter + 1)
        case let .dictionary(_, rank, reversed, l33t):
            guesses = Double(rank) * uppercaseVariations(token) * (l33t ? l33tVariations(token) : 1) * (reversed ? 2 : 1)
        case let .spatial(turns, shifted, graph):
            guesses = spatialGuesses(length: match.length, turns: turns, shifted: shifted, graph: graph)
        case let .repeated(_, baseGuesses, count):
            guesses = baseGuesses * Double(count)
        case let .sequence(ascending):
            let first = token[0]
            var base: Double
            if "aAzZ019".utf8.contains(first) { base = 4 } else if (0x30...0x39).contains(first) { base = 10 } else { base = 26 }
            if !ascending { base *= 2 }
            guesses = base * Double(match.length)
        case let .recentYear(year):
            guesses = Double(max(abs(year - PassphraseStrength.referenceYear), minYearSpace))
        case let .date(year, separator):
            guesses = Double(max(abs(year - PassphraseStrength.referenceYear), minYearSpace)) * 365 * (separator ? 4 : 1)
        }
        return max(guesses, minimum)
    }

    /// How many bytes of `token` satisfy `predicate` (a plain loop: no copy, cheap in debug builds).
    static func count(_ token: UnsafeRawBufferPointer, _ predicate: (UInt8) -> Bool) -> Int {
        var result = 0
        var index = 0
        while index < token.count {
            if predicate(token[index]) { result += 1 }
            index += 1
        }
        return result
    }

    static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
    static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func lowercased(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte + 0x20 : byte }

    static func uppercaseVariations(_ token: UnsafeRawBufferPointer) -> Double {
        let upper = count(token, isUpper)
        let lower = count(token, isLower)
        if upper == 0 { return 1 }
        let startUpper = isUpper(token[0]) && upper == 1
        let endUpper = isUpper(token[token.count - 1]) && upper == 1
        if startUpper || endUpper || lower == 0 { return 2 }
        return (1...min(upper, lower)).reduce(0.0) { $0 + binomial(upper + lower, $1) }
    }

    static func l33tVariations(_ token: UnsafeRawBufferPointer) -> Double {
        // Every l33t character in the token stands for one letter (the one whose count decides).
        var variations = 1.0
        for (byte, letters) in l33tSubstitutions {
            let substituted = count(token) { $0 == byte }
            guard substituted > 0 else { continue }
            var best = 0.0
            for letter in letters {
                let unsubstituted = count(token) { lowercased($0) == letter }
                let possibilities = unsubstituted == 0 ? 2
                    : (1...min(unsubstituted, substituted)).reduce(0.0) { $0 + binomial(unsubstituted + substituted, $1) }
                best = max(best, possibilities)
            }
            variations *= best
        }
        return max(variations, 2)
    }

    static func spatialGuesses(length: Int, turns: Int, shifted: Int, graph: Graph) -> Double {
        let keyboard = graph == .qwerty ? Keyboard.qwerty : Keyboard.keypad
        let starts = Double(keyboard.startingPositions)
        let degree = keyboard.averageDegree
        var guesses = 0.0
        if length >= 2 {
            for i in 2...length {
                let possibleTurns = min(turns, i - 1)
                guard possibleTurns >= 1 else { continue }
                for j in 1...possibleTurns { guesses += binomial(i - 1, j - 1) * starts * pow(degree, Double(j)) }
            }
        }
        if shifted > 0 {
            let unshifted = length - shifted
            if unshifted == 0 {
                guesses *= 2
            } else {
                guesses *= (1...min(shifted, unshifted)).reduce(0.0) { $0 + binomial(shifted + unshifted, $1) }
            }
        }
        return guesses
    }

    // MARK: Matching (zxcvbn matching.omnimatch)

    static func allMatches(_ s: UnsafeRawBufferPointer) -> [Match] {
        var matches: [Match] = []
        dictionaryMatches(s, into: &matches)
        reversedDictionaryMatches(s, into: &matches)
        spatialMatches(s, graph: .qwerty, into: &matches)
        spatialMatches(s, graph: .keypad, into: &matches)
        repeatMatches(s, into: &matches)
        sequenceMatches(s, into: &matches)
        recentYearMatches(s, into: &matches)
        dateMatches(s, into: &matches)
        return matches
    }

    static let l33tTable: [UInt8: [UInt8]] = {
        let table: [Character: String] = [
            "4": "a", "@": "a", "8": "b", "(": "c", "{": "c", "[": "c", "<": "c", "3": "e",
            "6": "g", "9": "g", "1": "il", "!": "i", "|": "il", "7": "lt", "0": "o",
            "$": "s", "5": "s", "+": "t", "%": "x", "2": "z",
        ]
        var result: [UInt8: [UInt8]] = [:]
        for (key, letters) in table {
            if let byte = key.asciiValue { result[byte] = Array(letters.utf8) }
        }
        return result
    }()

    /// ``l33tTable`` in a fixed order (the same products, to the last bit, in every process).
    static let l33tSubstitutions: [(UInt8, [UInt8])] = l33tTable.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }

    /// Longest path of l33t substitutions followed in one word (bounds the search).
    static let maximumSubstitutions = 8

    static func dictionaryMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        let words = RankedWords.shared
        for start in 0..<s.count {
            walk(s, start: start, position: start, range: 0..<words.count, depth: 0, substitutions: 0, into: &matches)
        }
    }

    private static func walk(_ s: UnsafeRawBufferPointer, start: Int, position: Int, range: Range<Int>, depth: Int,
                             substitutions: Int, into matches: inout [Match]) {
        guard position < s.count, depth < RankedWords.maximumLength else { return }
        let byte = s[position]
        let plain = lowercased(byte)
        let letters = substitutions < maximumSubstitutions ? (l33tTable[byte] ?? []) : []
        for option in 0...letters.count {
            let letter = option == 0 ? plain : letters[option - 1]
            let isSubstitution = option > 0
            let words = RankedWords.shared
            let narrowed = words.narrow(range, depth: depth, byte: letter)
            guard !narrowed.isEmpty else { continue }
            let count = substitutions + (isSubstitution ? 1 : 0)
            if words.length(narrowed.lowerBound) == depth + 1, count == 0 || position > start {
                let entry = narrowed.lowerBound
                matches.append(Match(i: start, j: position,
                                     pattern: .dictionary(words.dictionary(entry), rank: words.rank(entry), reversed: false, l33t: count > 0)))
            }
            walk(s, start: start, position: position + 1, range: narrowed, depth: depth + 1, substitutions: count, into: &matches)
        }
    }

    static func reversedDictionaryMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        let words = RankedWords.shared
        for end in stride(from: s.count - 1, through: 0, by: -1) {
            var range = 0..<words.count
            var position = end
            var depth = 0
            while position >= 0, depth < RankedWords.maximumLength {
                range = words.narrow(range, depth: depth, byte: lowercased(s[position]))
                if range.isEmpty { break }
                // A reversed match of one or two characters is always also a forward one (or noise).
                if words.length(range.lowerBound) == depth + 1, depth >= 2 {
                    let entry = range.lowerBound
                    matches.append(Match(i: position, j: end,
                                         pattern: .dictionary(words.dictionary(entry), rank: words.rank(entry), reversed: true, l33t: false)))
                }
                position -= 1
                depth += 1
            }
        }
    }

    static func spatialMatches(_ s: UnsafeRawBufferPointer, graph: Graph, into matches: inout [Match]) {
        let keyboard = graph == .qwerty ? Keyboard.qwerty : Keyboard.keypad
        let shiftedCharacters = Set("~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?".utf8)
        var i = 0
        while i < s.count - 1 {
            var j = i + 1
            var lastDirection = -1
            var turns = 0
            var shifted = graph == .qwerty && shiftedCharacters.contains(s[i]) ? 1 : 0
            while true {
                var found = false
                if j < s.count, let neighbours = keyboard.adjacency[s[j - 1]] {
                    let current = s[j]
                    for (direction, key) in neighbours.enumerated() {
                        guard let key, let index = key.firstIndex(of: current) else { continue }
                        found = true
                        if index == 1 { shifted += 1 }
                        if lastDirection != direction { turns += 1; lastDirection = direction }
                        break
                    }
                }
                if found {
                    j += 1
                } else {
                    if j - i > 2 { matches.append(Match(i: i, j: j - 1, pattern: .spatial(turns: turns, shifted: shifted, graph: graph))) }
                    i = j
                    break
                }
            }
        }
    }

    static func repeatMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        let n = s.count
        guard n > 1, let base = s.baseAddress else { return }
        func equal(_ a: Int, _ b: Int, _ length: Int) -> Bool {
            b + length <= n && memcmp(base + a, base + b, length) == 0
        }
        func copies(_ i: Int, _ length: Int) -> Int {
            var count = 1
            while equal(i, i + count * length, length) { count += 1 }
            return count
        }
        var lastIndex = 0
        while lastIndex < n {
            var found: (start: Int, lazy: Int, greedy: Int)?
            search: for i in lastIndex..<n where (n - i) / 2 >= 1 {
                var lazy: Int?
                var greedy: Int?
                for length in 1...((n - i) / 2) where equal(i, i + length, length) {
                    if lazy == nil { lazy = length }
                    greedy = length
                }
                if let lazy, let greedy { found = (i, lazy, greedy); break search }
            }
            guard let (start, lazy, greedy) = found else { break }
            let greedyTotal = greedy * copies(start, greedy)
            let lazyTotal = lazy * copies(start, lazy)
            let total: Int
            var period: Int
            if greedyTotal > lazyTotal {
                total = greedyTotal
                period = greedy
                for candidate in 1...greedyTotal where greedyTotal % candidate == 0 && copies(start, candidate) * candidate >= greedyTotal {
                    period = candidate
                    break
                }
            } else {
                total = lazyTotal
                period = lazy
            }
            let baseGuesses = mostGuessable(UnsafeRawBufferPointer(rebasing: s[start..<(start + period)])).guesses
            matches.append(Match(i: start, j: start + total - 1,
                                 pattern: .repeated(baseLength: period, baseGuesses: baseGuesses, count: total / period)))
            lastIndex = start + total
        }
    }

    static func sequenceMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        let n = s.count
        guard n > 1 else { return }
        func update(_ i: Int, _ j: Int, _ delta: Int) {
            guard j - i > 1 || abs(delta) == 1, (1...5).contains(abs(delta)) else { return }
            guard !s[i...j].contains(where: { $0 >= 0x80 }) else { return }
            matches.append(Match(i: i, j: j, pattern: .sequence(ascending: delta > 0)))
        }
        var i = 0
        var lastDelta: Int?
        for k in 1..<n {
            let delta = Int(s[k]) - Int(s[k - 1])
            if lastDelta == nil { lastDelta = delta }
            if delta == lastDelta { continue }
            update(i, k - 1, lastDelta ?? 0)
            i = k - 1
            lastDelta = delta
        }
        update(i, n - 1, lastDelta ?? 0)
    }

    static func number(_ s: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        range.reduce(0) { $0 * 10 + Int(s[$1] - 0x30) }
    }

    static func recentYearMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        // 19xx or 20[0-4]x, leftmost non-overlapping (zxcvbn's recent_year regex, extended past 2019).
        var i = 0
        while i + 4 <= s.count {
            if s[i..<(i + 4)].allSatisfy(isDigit) {
                let year = number(s, i..<(i + 4))
                if (1900...2049).contains(year) {
                    matches.append(Match(i: i, j: i + 3, pattern: .recentYear(year)))
                    i += 4
                    continue
                }
            }
            i += 1
        }
    }

    static let dateMinimumYear = 1000
    static let dateMaximumYear = 2050
    static let dateSplits: [Int: [(Int, Int)]] = [
        4: [(1, 2), (2, 3)], 5: [(1, 3), (2, 3)], 6: [(1, 2), (2, 4), (4, 5)],
        7: [(1, 3), (2, 3), (4, 5), (4, 6)], 8: [(2, 4), (4, 6)],
    ]

    static func dateMatches(_ s: UnsafeRawBufferPointer, into matches: inout [Match]) {
        let n = s.count
        var found: [(i: Int, j: Int, year: Int, separator: Bool)] = []
        // digitsFrom[i]: how many digits start at i.
        var digitsFrom = [Int](repeating: 0, count: n + 1)
        for index in stride(from: n - 1, through: 0, by: -1) where isDigit(s[index]) { digitsFrom[index] = digitsFrom[index + 1] + 1 }
        // Without separators: 4 to 8 digits.
        for i in 0..<n where digitsFrom[i] >= 4 {
            for j in (i + 3)..<(i + 8) where j < n {
                guard digitsFrom[i] >= j - i + 1, let splits = dateSplits[j - i + 1] else { continue }
                var best: Int?
                for (k, l) in splits {
                    guard let year = dayMonthYear(number(s, i..<(i + k)), number(s, (i + k)..<(i + l)), number(s, (i + l)..<(j + 1))) else { continue }
                    if best.map({ abs(year - PassphraseStrength.referenceYear) < abs($0 - PassphraseStrength.referenceYear) }) ?? true { best = year }
                }
                if let best { found.append((i, j, best, false)) }
            }
        }
        // With separators: d{1,4} sep d{1,2} sep d{1,4}, 6 to 10 characters, the same separator twice.
        let separators = Set(" \t/\\_.-".utf8)
        for i in 0..<n where digitsFrom[i] >= 1 {
            for j in (i + 5)..<(i + 10) where j < n {
                let first = i + digitsFrom[i]
                guard first < j, separators.contains(s[first]) else { continue }
                let second = first + 1 + digitsFrom[first + 1]
                guard second < j, s[second] == s[first], digitsFrom[second + 1] >= j - second else { continue }
                let a = first - i, b = second - first - 1, c = j - second
                guard (1...4).contains(a), (1...2).contains(b), (1...4).contains(c),
                      let year = dayMonthYear(number(s, i..<first), number(s, (first + 1)..<second), number(s, (second + 1)..<(j + 1)))
                else { continue }
                found.append((i, j, year, true))
            }
        }
        for (index, date) in found.enumerated() {
            let isSubmatch = found.enumerated().contains { other in
                other.offset != index && other.element.i <= date.i && other.element.j >= date.j
                    && !(other.element.i == date.i && other.element.j == date.j && other.offset > index)
            }
            if !isSubmatch { matches.append(Match(i: date.i, j: date.j, pattern: .date(year: date.year, separator: date.separator))) }
        }
    }

    /// zxcvbn's map_ints_to_dmy: the year of a plausible (day, month, year) reading, or nil.
    static func dayMonthYear(_ a: Int, _ b: Int, _ c: Int) -> Int? {
        let ints = [a, b, c]
        guard b <= 31, b > 0 else { return nil }
        var over12 = 0, over31 = 0, under1 = 0
        for value in ints {
            if (100..<dateMinimumYear).contains(value) || value > dateMaximumYear { return nil }
            if value > 31 { over31 += 1 }
            if value > 12 { over12 += 1 }
            if value <= 0 { under1 += 1 }
        }
        if over31 >= 2 || over12 == 3 || under1 >= 2 { return nil }
        func dayMonth(_ x: Int, _ y: Int) -> Bool {
            ((1...31).contains(x) && (1...12).contains(y)) || ((1...31).contains(y) && (1...12).contains(x))
        }
        for (year, rest) in [(c, (a, b)), (a, (b, c))] where (dateMinimumYear...dateMaximumYear).contains(year) {
            return dayMonth(rest.0, rest.1) ? year : nil
        }
        for (year, rest) in [(c, (a, b)), (a, (b, c))] where dayMonth(rest.0, rest.1) {
            return year > 99 ? year : (year > 50 ? year + 1900 : year + 2000)
        }
        return nil
    }
}

// MARK: - Word lists

/// The built-in ranked words (``PassphraseWordLists``), parsed once into flat arrays sorted
/// bytewise, so a prefix can be narrowed by binary search (a trie without building one).
struct RankedWords: Sendable {
    static let shared = RankedWords(text: PassphraseWordLists.text)
    static let maximumLength = 40

    private var bytes: [UInt8] = []
    private var starts: [Int32] = []
    private var lengths: [UInt8] = []
    private var ranks: [Int32] = []
    private var dictionaries: [UInt8] = []

    init(text: String) {
        bytes.reserveCapacity(text.utf8.count)
        starts.reserveCapacity(PassphraseWordLists.entryCount)
        var field = 0
        var number = 0
        var start = 0
        var code: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x09:
                if field == 0 { starts.append(Int32(start)); lengths.append(UInt8(min(bytes.count - start, 255))) }
                if field == 1 { code = UInt8(number) }
                field += 1
                number = 0
            case 0x0A:
                if field == 2 { ranks.append(Int32(number)); dictionaries.append(code) }
                field = 0
                number = 0
                start = bytes.count
            default:
                if field == 0 { bytes.append(byte) } else { number = number * 10 + Int(byte &- 0x30) }
            }
        }
        if field == 2 { ranks.append(Int32(number)); dictionaries.append(code) }
    }

    var count: Int { ranks.count }
    func length(_ entry: Int) -> Int { Int(lengths[entry]) }
    func rank(_ entry: Int) -> Int { Int(ranks[entry]) }
    func dictionary(_ entry: Int) -> StrengthAnalysis.Dictionary { StrengthAnalysis.Dictionary(rawValue: dictionaries[entry]) ?? .passwords }

    /// The byte at `depth` of `entry`, or -1 when the entry is that short.
    private func key(_ entry: Int, _ depth: Int) -> Int {
        depth < Int(lengths[entry]) ? Int(bytes[Int(starts[entry]) + depth]) : -1
    }

    /// The entries of `range` (which share their first `depth` bytes) whose next byte is `byte`.
    func narrow(_ range: Range<Int>, depth: Int, byte: UInt8) -> Range<Int> {
        let target = Int(byte)
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if key(middle, depth) < target { low = middle + 1 } else { high = middle }
        }
        let first = low
        high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if key(middle, depth) <= target { low = middle + 1 } else { high = middle }
        }
        return first..<low
    }
}

// MARK: - Keyboards

/// Keyboard adjacency graphs, built like zxcvbn's `build_keyboard_adjacency_graph.py`: for each
/// key (and its shifted character), its neighbours in a fixed order of directions.
struct Keyboard: Sendable {
    /// For each character, the neighbouring keys by direction (`nil` at an edge); a key is its
    /// unshifted and shifted characters.
    let adjacency: [UInt8: [[UInt8]?]]
    let startingPositions: Int
    let averageDegree: Double

    static let qwerty = Keyboard(layout: """
        `~ 1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) -_ =+
            qQ wW eE rR tT yY uU iI oO pP [{ ]} \\|
             aA sS dD fF gG hH jJ kK lL ;: '"
              zZ xX cC vV bB nN mM ,< .> /?
        """, slanted: true)

    static let keypad = Keyboard(layout: """
          / * -
        7 8 9 +
        4 5 6
        1 2 3
          0 .
        """, slanted: false)

    init(layout: String, slanted: Bool) {
        var positions: [[Int]: [UInt8]] = [:]
        for (y, line) in layout.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line.utf8)
            let slant = slanted ? y : 0
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x20 { index += 1; continue }
                var end = index
                while end < bytes.count, bytes[end] != 0x20 { end += 1 }
                let token = Array(bytes[index..<end])
                positions[[(index - slant) / (token.count + 1), y]] = token
                index = end
            }
        }
        let directions = slanted
            ? [(-1, 0), (0, -1), (1, -1), (1, 0), (0, 1), (-1, 1)]
            : [(-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1)]
        var adjacency: [UInt8: [[UInt8]?]] = [:]
        var degrees = 0
        for (position, token) in positions {
            let neighbours = directions.map { positions[[position[0] + $0.0, position[1] + $0.1]] }
            for character in token {
                adjacency[character] = neighbours
                degrees += neighbours.compactMap { $0 }.count
            }
        }
        self.adjacency = adjacency
        startingPositions = adjacency.count
        averageDegree = adjacency.isEmpty ? 0 : Double(degrees) / Double(adjacency.count)
    }
}
