# bash completion for git-incident, for both `git-incident ...` and `git
# incident ...` (git's own completion calls _git_incident for the latter,
# loading this file first where bash-completion is installed). The words
# to offer come from `git-incident __complete`, which reads the ledger in
# the working directory (or -C's) for incident ids, severities and
# services.

# Completes COMP_WORDS[COMP_CWORD]; $1 is the index of the command's own
# word (git-incident, or git's `incident`), $2 what to write after each
# word (git's completion adds no space itself), and any more arguments are
# words to read first (git's `-C DIR`).
__git_incident_complete() {
    local first=$1 suffix=$2 line kind=
    shift 2
    local -a before=("$@")
    local index=$((COMP_CWORD - first - 1 + ${#before[@]}))
    local cur=${COMP_WORDS[COMP_CWORD]}
    [[ $cur == = ]] && cur=
    COMPREPLY=()
    while IFS= read -r line; do
        if [[ -z $kind ]]; then
            kind=words
            case $line in
            :files | :dirs) kind=$line; continue ;;
            esac
        fi
        [[ -n $line ]] && COMPREPLY+=("${line%%$'\t'*}$suffix")
    done < <(command git-incident __complete --index "$index" -- \
        "${before[@]}" "${COMP_WORDS[@]:first+1}" 2>/dev/null)
    case $kind in
    :files)
        compopt -o filenames 2>/dev/null
        while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
        ;;
    :dirs)
        compopt -o filenames 2>/dev/null
        while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -d -- "$cur")
        ;;
    esac
}

# `git-incident ...`
_git_incident_bash() {
    __git_incident_complete 0 ""
}

# `git incident ...`, called by git's completion, which has read git's own
# options: one `git -C DIR` is where the ledger is.
_git_incident() {
    local i
    local -a before=()
    [[ ${#__git_C_args[@]} -eq 2 ]] && before=("${__git_C_args[@]}")
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == incident ]]; then
            __git_incident_complete "$i" " " "${before[@]}"
            return
        fi
    done
}

complete -F _git_incident_bash git-incident
