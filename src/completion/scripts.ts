/**
 * The completion scripts. Each one asks the program itself on every TAB
 * (`PROG __complete WORD… CURRENT`, see engine.ts), so a script never goes stale when commands
 * or flags change: only the protocol is fixed here.
 */
export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

const fn = (prog: string): string => `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;

function bash(prog: string): string {
  const f = fn(prog);
  return `# bash completion for ${prog}
# In this shell:   source <(${prog} completion bash)
# In every shell:  echo 'source <(${prog} completion bash)' >> ~/.bashrc

${f}_complete() {
    # The words up to the cursor, as typed ('' when the cursor follows a space).
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<< "$line"
    if [[ -z $line || $line == *[[:space:]] ]]; then words+=(""); fi
    local cur=\${words[\${#words[@]}-1]}
    # bash's own current word stops at '=' and ':' (COMP_WORDBREAKS); replies are cut to it.
    local bashcur=\${COMP_WORDS[COMP_CWORD]}
    local out
    out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null) || return 0
    local -a lines
    mapfile -t lines <<< "$out"
    local directive=\${lines[\${#lines[@]}-1]}
    unset 'lines[\${#lines[@]}-1]'
    COMPREPLY=()
    # After --flag=, bash's word starts with '=' and so must each reply.
    local eq=""
    [[ $bashcur == =* ]] && eq="="
    case $directive in
        :files|:dirs)
            compopt -o filenames 2>/dev/null
            local kind=-f
            [[ $directive == :dirs ]] && kind=-d
            mapfile -t COMPREPLY < <(compgen "$kind" -- "\${bashcur#=}")
            [[ -n $eq ]] && COMPREPLY=("\${COMPREPLY[@]/#/=}")
            return 0 ;;
    esac
    compopt +o default 2>/dev/null
    local strip=$(( \${#cur} - \${#bashcur} ))
    local entry value
    for entry in "\${lines[@]}"; do
        value=\${entry%%$'\\t'*}
        [[ -n $value && $value == "$cur"* ]] || continue
        COMPREPLY+=("\${value:strip}")
    done
    return 0
}

complete -o default -F ${f}_complete ${prog}
`;
}

function zsh(prog: string): string {
  const f = fn(prog);
  return `#compdef ${prog}
# zsh completion for ${prog}
# In this shell:   source <(${prog} completion zsh)    (after compinit)
# In every shell:  ${prog} completion zsh > "\${fpath[1]}/_${prog}", then start a new shell

${f}() {
    local -a lines values
    local out directive entry value desc
    out=$(\${words[1]} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]}
    lines=("\${(@)lines[1,-2]}")
    case $directive in
        :files) _files; return ;;
        :dirs) _files -/; return ;;
    esac
    for entry in "\${lines[@]}"; do
        [[ -n $entry ]] || continue
        value=\${entry%%$'\\t'*}
        desc=''
        [[ $entry == *$'\\t'* ]] && desc=\${entry#*$'\\t'}
        values+=("\${value//:/\\\\:}\${desc:+:$desc}")
    done
    (( \${#values} )) || return 1
    _describe -t values '${prog}' values
}

if [[ "\${funcstack[1]}" == "_${prog}" ]]; then
    ${f} "$@"
elif (( $+functions[compdef] )); then
    compdef ${f} ${prog}
fi
`;
}

function fish(prog: string): string {
  const f = fn(prog);
  return `# fish completion for ${prog}
# In this shell:   ${prog} completion fish | source
# In every shell:  ${prog} completion fish > ~/.config/fish/completions/${prog}.fish

function ${f}_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l out ($program __complete $tokens "$current" 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    switch $directive
        case :files
            __fish_complete_path "$current"
        case :dirs
            __fish_complete_directories "$current"
        case '*'
            printf '%s\\n' $out
    end
end

complete -c ${prog} -f -a '(${f}_complete)'
`;
}

function powershell(prog: string): string {
  return `# PowerShell completion for ${prog}
# In this session:   ${prog} completion powershell | Out-String | Invoke-Expression
# In every session:  add that line to your profile ($PROFILE)

Register-ArgumentCompleter -Native -CommandName '${prog}' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $elements = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    $program = $elements[0]
    $words = @()
    if ($elements.Count -gt 1) { $words = @($elements[1..($elements.Count - 1)]) }
    if ($wordToComplete -eq '') {
        # Before PowerShell 7.3 an empty argument does not reach a native program as such.
        if ($PSVersionTable.PSVersion -ge [version]'7.3' -and $PSNativeCommandArgumentPassing -ne 'Legacy') { $words += '' } else { $words += '""' }
    }
    $out = @(& $program __complete @words 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    if ($directive -eq ':files') { return }
    if ($directive -eq ':dirs') {
        Get-ChildItem -Directory -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
            [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderContainer', $_.Name)
        }
        return
    }
    foreach ($entry in $out[0..($out.Count - 1)]) {
        if ($entry -eq $directive -or $entry -eq '') { continue }
        $value, $description = $entry -split "\`t", 2
        if (-not $description) { $description = $value }
        if ($value -like "$wordToComplete*") {
            [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $description)
        }
    }
}
`;
}

export function completionScript(shell: Shell, prog = 'k8s-gitops'): string {
  switch (shell) {
    case 'bash':
      return bash(prog);
    case 'zsh':
      return zsh(prog);
    case 'fish':
      return fish(prog);
    case 'powershell':
      return powershell(prog);
  }
}
