import SealedJournal

/// Record numbers the user typed (`--erase`, `--disclose`).
enum RecordNumbers {
    /// Sorted, distinct record numbers as the user writes them: `5, 9-12`.
    static func describe(_ numbers: [UInt64]) -> String {
        var parts: [String] = []
        var index = numbers.startIndex
        while index < numbers.endIndex {
            var end = index
            while end + 1 < numbers.endIndex, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            parts.append(end == index ? "\(numbers[index])" : "\(numbers[index])-\(numbers[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }

    /// Refuses (exit 4, naming every one) numbers past the journal's last record: a typing
    /// mistake. Read from the facts anyone can read, so it comes before any passphrase prompt,
    /// and before anything is written.
    static func refuseMissing(_ numbers: some Sequence<UInt64>, in path: String, option: String) throws {
        guard numbers.contains(where: { _ in true }) else { return }
        let count = try Journal.info(at: path).recordCount
        let missing = Set(numbers.filter { $0 >= count }).sorted()
        guard !missing.isEmpty else { return }
        throw CLIError.invalidInput("\(option): there is no record \(describe(missing)) (the journal has \(count) record\(count == 1 ? "" : "s")"
            + (count == 0 ? ")" : ", numbered 0 to \(count - 1))"))
    }
}
