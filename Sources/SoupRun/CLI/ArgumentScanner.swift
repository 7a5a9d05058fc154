/// The first pass over argv: splits it into options (with their values), operands and the
/// command, following the grammar's word rules. It knows spellings, not meanings.
struct ArgumentScanner {
    /// One option as written: which one, how it was spelled, and its value if it takes one.
    struct Option: Equatable {
        let spec: OptionSpec
        let value: String?
    }

    /// The scanned command line.
    struct Scanned: Equatable {
        var options: [Option] = []
        /// The non-option words before the command: `<project>` and `<environment>`, at most two.
        var operands: [String] = []
        /// Everything from the command's first word on, verbatim; nil when there is none.
        var command: [String]? = nil
    }

    /// The result: a scanned command line, or an option that acts at once (`--help`, `--version`).
    enum Result: Equatable {
        case scanned(Scanned)
        case immediate(Option)
    }

    /// Options may come anywhere before the command: before, between or after the operands.
    /// The command starts after `--`, or at the first word after `<environment>` that does not
    /// start with `-`. `--help`, `--version` and `--completions` act as soon as they are read.
    static func scan(_ arguments: [String]) throws(UsageError) -> Result {
        var scanned = Scanned()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                scanned.command = Array(arguments[index...])
                break
            }
            guard isOptionLike(word) else {
                if scanned.operands.count < 2 {
                    scanned.operands.append(word)
                    continue
                }
                scanned.command = Array(arguments[(index - 1)...])
                break
            }
            let (spelling, inline) = split(word)
            guard let spec = OptionTable.lookup(spelling) else { throw unknown(spelling, after: scanned.operands) }
            var value: String? = nil
            switch spec.argument {
            case .none:
                if inline != nil { throw UsageError(.unexpectedValue(flag: spec.long)) }
            case .optional:
                if let inline {
                    if inline.isEmpty { throw UsageError(.emptyValue(flag: spec.long)) }
                    value = inline
                }
            case .required:
                if let inline {
                    if inline.isEmpty { throw UsageError(.emptyValue(flag: spec.long)) }
                    value = inline
                } else {
                    // A following option-like word or `--` is a forgotten value, not the value:
                    // `--only --pristine`, `--token-file -- cmd`.
                    guard index < arguments.count, !isOptionLike(arguments[index]), arguments[index] != "--" else {
                        throw UsageError(.missingValue(flag: spec.long))
                    }
                    value = arguments[index]
                    index += 1
                }
            }
            let option = Option(spec: spec, value: value)
            switch spec.id {
            case .help, .version, .completions: return .immediate(option)
            default: scanned.options.append(option)
            }
        }
        return .scanned(scanned)
    }

    /// `-x`, `--x`, `--x=y`; not `-` alone (a conventional operand) and not `--`.
    static func isOptionLike(_ word: String) -> Bool {
        word.hasPrefix("-") && word != "-" && word != "--"
    }

    /// `--name=value` → (`--name`, `value`); a short option has no inline value.
    private static func split(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }

    /// The error for an unknown spelling: `-qv` is explained, others get a suggestion if close.
    /// Only the part before `=` is named, since the value could be a token.
    private static func unknown(_ spelling: String, after operands: [String]) -> UsageError {
        let shorts = Set(OptionTable.all.compactMap(\.short))
        if !spelling.hasPrefix("--"), spelling.count > 2, spelling.dropFirst().allSatisfy(shorts.contains) {
            return UsageError(.bundledShortOptions(spelling))
        }
        return UsageError(
            .unknownOption(
                UsageError.shown(spelling), suggestion: suggestion(for: spelling), afterOperand: operands.first))
    }

    /// The known long option closest to `spelling` by edit distance, if it is close enough to
    /// be a typo (at most 2 edits, and fewer than a third of the word).
    static func suggestion(for spelling: String) -> String? {
        let word = spelling.hasPrefix("--") ? spelling : "-" + spelling
        var best: (name: String, distance: Int)? = nil
        for spec in OptionTable.all {
            let distance = editDistance(Array(word.utf8), Array(spec.long.utf8))
            if distance < (best?.distance ?? Int.max) { best = (spec.long, distance) }
        }
        guard let best, best.distance <= 2, best.distance * 3 < word.utf8.count else { return nil }
        return best.name
    }

    /// Levenshtein distance, bounded in cost by the short words it is used on (options are short;
    /// longer input is cut at 64 bytes).
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let a = Array(a.prefix(64))
        let b = Array(b.prefix(64))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
