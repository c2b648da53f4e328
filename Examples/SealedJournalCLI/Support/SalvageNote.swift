import SealedJournal

/// What `read --salvage` and `export --salvage` say about a journal whose end is damaged.
enum SalvageNote {
    /// Where the damage after the journal's last intact commit starts (`nil`: there is none),
    /// from the facts anyone can read without a key.
    static func damagedEnd(of path: String) throws -> UInt64? {
        try Journal.info(at: path).damagedAtOffset
    }

    /// Records read after the last intact commit (their number is the committed count or more).
    static func sayUncommitted(_ count: Int, after committed: UInt64) {
        Terminal.say("\(count) of them (#\(committed) on) come after the last intact commit: each opened with your key at its number, "
                     + "but no checkpoint covers them, so `verify` cannot vouch for them.")
    }
}
