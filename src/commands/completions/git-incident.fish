# fish completion for git-incident, for both `git-incident ...` and `git
# incident ...`. Put this file in ~/.config/fish/completions/. The words to
# offer come from `git-incident __complete`, which reads the ledger in the
# working directory (or -C's) for incident ids, severities and services.
# Where fish's git completion does not hand `git incident` over to this
# file (fish 3.6), the `complete -c git` line below does once it is loaded:
# `source` it from config.fish for `git incident` to complete first.

function __git_incident_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    # Drop the program: `git-incident`, or `git ... incident`.
    if test "$words[1]" = git; and set -l at (contains -i -- incident $words)
        set -e words[1..$at]
    else
        set -e words[1]
    end
    set -l lines (command git-incident __complete --index (count $words) -- $words $current 2>/dev/null)
    switch "$lines[1]"
        case :files
            __fish_complete_path $current
        case :dirs
            __fish_complete_directories $current
        case '*'
            printf '%s\n' $lines
    end
end

complete -c git-incident -f -a '(__git_incident_complete)'
complete -c git -f -n '__fish_git_using_command incident' -a '(__git_incident_complete)'
