/// A record that could not be read while salvaging.
public struct DamagedRecord: Sendable, Equatable, CustomStringConvertible {
    /// The record's number, when it is known (a damaged frame boundary loses the numbering until
    /// the next intact checkpoint).
    public let sequence: UInt64?
    /// Where in the file the damage was found.
    public let offset: UInt64
    /// What is wrong (never content).
    public let reason: String

    /// `record #N at byte OFFSET: reason` (never content).
    public var description: String {
        (sequence.map { "record #\($0)" } ?? "records") + " at byte \(offset): \(reason)"
    }
}

extension Journal {
    /// Reads every record that can still be read, in order, calling `body` for each one matching
    /// `filter`, and returns the records that could not be read — for a journal whose `verify`
    /// fails in the middle, so that records after a damaged one are not lost to the reader.
    ///
    /// Every record returned is authenticated exactly as in ``cursor(_:)``: salvage never returns
    /// altered content, it only keeps going. A record that fails to open is skipped and listed. A
    /// damaged frame boundary is skipped by searching forward for the next intact checkpoint of
    /// this journal, which gives the numbering back; the records in between are listed as one
    /// damaged range. `verify` still fails for such a journal.
    ///
    /// On a journal opened read-only, salvage also reads past the last intact commit to the end
    /// of the file: a damaged end (which stops writes until ``repair(at:passphrase:acceptingLoss:)``) or a torn
    /// tail can hold complete records. Those are returned when they open at their number
    /// (their sequence is ``recordCount`` or more: sealed with the key at that number, but no
    /// checkpoint covers them), and the ones that do not are listed, so a damaged byte in the
    /// last commit does not hide the records around it. Opened for writing, there is nothing
    /// after the last commit (a write-open cuts a torn tail and refuses a damaged end).
    ///
    /// Cost: one pass over the file; a forward search only where a frame boundary is damaged.
    ///
    /// - Throws: ``JournalError/io(_:)`` when the file cannot be read, or whatever `body` throws
    ///   (reading stops). Damage is never thrown: it is returned.
    public func salvageRecords(_ filter: RecordFilter = .all, _ body: (JournalRecord) throws -> Void) throws -> [DamagedRecord] {
        let committedEnd = state.withLock { $0.tail.endOffset }
        let end = mode == .readOnly ? max(committedEnd, try JournalError.mapping { try file.size() }) : committedEnd
        let cipher = try JournalError.mapping { try RecordCipher(masterKey: masterKey, journalID: journalID) }
        var damaged: [DamagedRecord] = []
        var reader = FrameReader(file: file, to: end)
        var sequence: UInt64? = 0
        while true {
            let frame: StoredFrame
            do {
                guard let next = try reader.next() else { break }
                frame = next
            } catch let error as SystemError {
                throw JournalError.io(error)
            } catch FrameReadError.incomplete(let broken) where broken >= committedEnd {
                // Past the last commit the file ends inside a frame: the write was interrupted
                // there (or a length field is damaged). Nothing after it can be read.
                damaged.append(DamagedRecord(sequence: sequence, offset: broken,
                                             reason: "the file ends inside this frame, after the last intact commit (an interrupted write, or a damaged length field)"))
                break
            } catch {
                let broken = reader.offset
                guard let resume = try JournalError.mapping({ try resynchronize(after: broken, end: end) }) else {
                    damaged.append(DamagedRecord(sequence: sequence, offset: broken, reason: "the rest of the file cannot be read (damaged frame)"))
                    break
                }
                damaged.append(DamagedRecord(sequence: sequence, offset: broken,
                                             reason: "damaged frame; records up to #\(resume.treeSize == 0 ? 0 : resume.treeSize - 1) in this stretch cannot be read"))
                reader = FrameReader(file: file, from: resume.endOffset, to: end)
                sequence = resume.treeSize
                continue
            }
            switch frame.kind {
            case .checkpoint:
                if let decoded = try? CheckpointFrame.decode(body: frame.body) { sequence = decoded.treeSize }
                continue
            case .lineage, .extensionFrame:
                continue
            case .record:
                break
            }
            guard let current = sequence else { continue }
            sequence = current + 1
            let plaintext: RecordPlaintext
            do {
                plaintext = try cipher.open(body: frame.body, sequence: current)
            } catch {
                damaged.append(DamagedRecord(sequence: current, offset: frame.offset,
                                             reason: JournalError.recordOpenFailure(error, offset: frame.offset, sequence: current).description))
                continue
            }
            guard filter.matches(plaintext) else { continue }
            let record = JournalRecord(plaintext, sequence: current)
            if filter.matchesContent(record) { try body(record) }
        }
        return damaged
    }

    /// The next checkpoint frame after `offset` that verifies with this journal's key.
    private func resynchronize(after offset: UInt64, end: UInt64) throws -> (treeSize: UInt64, endOffset: UInt64)? {
        let origin = Array((Checkpoint.origin(journalID: journalID) + "\n").utf8)
        var position = offset + 1
        while position + UInt64(Frame.overhead) <= end {
            let chunk = try file.read(at: position, count: Int(min(UInt64(FrameReader.bufferByteCount), end - position)))
            guard !chunk.isEmpty else { return nil }
            var index = 0
            while index + origin.count <= chunk.count {
                if chunk[index] == origin[0], chunk[index..<index + origin.count].elementsEqual(origin) {
                    // The note sits after 25 + 32·C + 2 bytes of body; try each plausible frame start.
                    let noteOffset = position + UInt64(index)
                    for hashes in 0...64 {
                        let bodyStart = noteOffset - UInt64(25 + 32 * hashes + 2)
                        guard bodyStart >= offset + UInt64(Frame.prefixByteCount), bodyStart >= FileHeader.framesOffset + 5 else { continue }
                        if let stored = try? FrameReader.frame(in: file, at: bodyStart - UInt64(Frame.prefixByteCount), end: end),
                           stored.kind == .checkpoint, let decoded = try? CheckpointFrame.decode(body: stored.body),
                           decoded.frameOffset == stored.offset,
                           (try? decoded.verifiedCheckpoint(publicKey: publicKey, journalID: journalID)) != nil {
                            return (decoded.treeSize, stored.endOffset)
                        }
                    }
                }
                index += 1
            }
            position += UInt64(max(1, chunk.count - origin.count))
        }
        return nil
    }
}
