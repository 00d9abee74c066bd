#compdef git-incident
# zsh completion for git-incident, for both `git-incident ...` and `git
# incident ...` (zsh's git completion calls _git-incident for the latter).
# Put this file in a folder on $fpath as _git-incident. The words to offer
# come from `git-incident __complete`, which reads the ledger in the
# working directory (or -C's) for incident ids, severities and services.

_git-incident() {
    local -a lines values shown
    local line
    lines=("${(@f)$(command git-incident __complete --index $((CURRENT - 2)) -- "${(@)words[2,-1]}" 2>/dev/null)}")
    case ${lines[1]-} in
    (:files) _files; return ;;
    (:dirs) _files -/; return ;;
    esac
    for line in "${lines[@]}"; do
        [[ -n $line ]] || continue
        values+=("${line%%$'\t'*}")
        if [[ $line == *$'\t'* ]]; then
            shown+=("${line%%$'\t'*}  -- ${line#*$'\t'}")
        else
            shown+=("$line")
        fi
    done
    (( ${#values} )) && compadd -U -l -d shown -a values
}

if [[ ${funcstack[1]-} == _git-incident ]]; then
    _git-incident "$@"
else
    compdef _git-incident git-incident
fi
