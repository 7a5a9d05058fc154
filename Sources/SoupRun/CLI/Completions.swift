/// Completion scripts for `--completions bash|zsh|fish`, generated from `OptionTable`: every
/// option, signal names for `--stop-signal`, formats for `--format`, shells for `--completions`,
/// files for `--token-file`, and commands after `--`.
public enum Completions {
    public static func script(for shell: Shell) -> String {
        switch shell {
        case .bash: return bash()
        case .zsh: return zsh()
        case .fish: return fish()
        }
    }

    /// The words a completion offers for an option's value (empty: nothing to offer).
    static func values(_ completion: OptionSpec.ValueCompletion) -> [String] {
        switch completion {
        case .signals: return SignalName.all.map(\.name)
        case .reloadSignals: return [ReloadSignal.noneWord] + SignalName.all.map(\.name)
        case .exportFormats: return Configuration.ExportFormat.allCases.map(\.rawValue)
        case .shells: return Shell.allCases.map(\.rawValue)
        case .nothing, .files, .url: return []
        }
    }

    private static func bash() -> String {
        let options = OptionTable.all.flatMap { [$0.long] + ($0.shortSpelling.map { [$0] } ?? []) }
        var valueCases: [String] = []
        var silent: [String] = []
        for spec in OptionTable.all {
            guard case .required = spec.argument else { continue }
            switch spec.completion {
            case .files: valueCases.append("        \(spec.long)) _soup_run_reply -f -- \"$cur\"; return 0 ;;")
            case .signals, .reloadSignals, .exportFormats, .shells:
                let words = values(spec.completion).joined(separator: " ")
                valueCases.append("        \(spec.long)) _soup_run_reply -W \"\(words)\" -- \"$cur\"; return 0 ;;")
            case .nothing, .url: silent.append(spec.long)
            }
        }
        valueCases.append("        \(silent.joined(separator: "|"))) return 0 ;;")
        return """
            # bash completion for soup-run \(SoupRunVersion.string) (soup-run --completions bash)
            # Load it with: source <(soup-run --completions bash)

            # Fills COMPREPLY with compgen's words, one per line, so names with spaces stay whole.
            _soup_run_reply() {
                COMPREPLY=()
                local line
                while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen "$@")
            }

            _soup_run() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev="" i
                (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
                # bash splits --opt=value at '=', so the option is one or two words back.
                if [[ $cur == "=" ]]; then
                    cur=""
                elif [[ $prev == "=" && COMP_CWORD -ge 2 ]]; then
                    prev=${COMP_WORDS[COMP_CWORD-2]}
                fi
                for (( i = 1; i < COMP_CWORD; i++ )); do
                    if [[ ${COMP_WORDS[i]} == "--" ]]; then
                        _soup_run_reply -c -- "$cur"
                        return 0
                    fi
                done
                case $prev in
            \(valueCases.joined(separator: "\n"))
                esac
                if [[ $cur == -* ]]; then
                    _soup_run_reply -W "\(options.joined(separator: " "))" -- "$cur"
                fi
                return 0
            }

            complete -o default -o bashdefault -F _soup_run soup-run

            """
    }

    private static func zsh() -> String {
        var specs: [String] = []
        for spec in OptionTable.all {
            let action: String
            switch spec.completion {
            case .files: action = "_files"
            case .url: action = "_urls"
            case .signals, .reloadSignals, .exportFormats, .shells:
                action = "(\(values(spec.completion).joined(separator: " ")))"
            case .nothing: action = " "
            }
            let name: String
            // A colon ends _arguments' message field (`SRC:DEST`): written as a space there.
            let message = { (placeholder: String) in String(placeholder.lowercased().map { $0 == ":" ? " " : $0 }) }
            switch spec.argument {
            case .none: name = "[\(spec.summary)]"
            case .required(let placeholder): name = "=[\(spec.summary)]:\(message(placeholder)):\(action)"
            case .optional(let placeholder): name = "=-[\(spec.summary)]::\(message(placeholder)):\(action)"
            }
            if let short = spec.shortSpelling {
                specs.append("        '(\(short) \(spec.long))'{\(short),\(spec.long)}'\(name)'")
            } else {
                specs.append("        '\(spec.long)\(name)'")
            }
        }
        specs += ["        '1:project: '", "        '2:environment: '", "        '*:::command:_normal'"]
        return """
            #compdef soup-run
            # zsh completion for soup-run \(SoupRunVersion.string) (soup-run --completions zsh)
            # Load it with: source <(soup-run --completions zsh)  (after compinit),
            # or save it as _soup_run in a directory on $fpath.

            _soup_run() {
                local -a args
                args=(
            \(specs.joined(separator: "\n"))
                )
                _arguments -S $args
            }

            if [[ $funcstack[1] == _soup_run ]]; then
                _soup_run "$@"
            else
                compdef _soup_run soup-run
            fi

            """
    }

    private static func fish() -> String {
        var lines = [
            "# fish completion for soup-run \(SoupRunVersion.string) (soup-run --completions fish)",
            "# Load it with: soup-run --completions fish | source,",
            "# or save it as ~/.config/fish/completions/soup-run.fish",
            "",
            "# After --, complete the command and its arguments as if typed alone; no soup-run options.",
            "function __soup_run_after_dashdash",
            "    set -l tokens (commandline -opc) (commandline -ct)",
            "    set -l index (contains -i -- -- $tokens)",
            "    and complete -C (string join ' ' -- $tokens[(math $index + 1)..-1])",
            "end",
            "complete -c soup-run -n 'contains -- -- (commandline -opc)' -x -a '(__soup_run_after_dashdash)'",
        ]
        for spec in OptionTable.all {
            var line = "complete -c soup-run -n 'not contains -- -- (commandline -opc)'"
            if let short = spec.short { line += " -s \(short)" }
            line += " -l \(spec.id.rawValue)"
            if case .required = spec.argument {
                switch spec.completion {
                case .files: line += " -r -F"
                case .signals, .reloadSignals, .exportFormats, .shells:
                    line += " -x -a '\(values(spec.completion).joined(separator: " "))'"
                case .nothing, .url: line += " -x"
                }
            }
            lines.append(line + " -d '\(spec.summary)'")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
