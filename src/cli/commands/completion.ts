/** `tacpay completion bash|zsh|fish`: a completion script generated from the live command tree. */
import { Argument, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

/** Walks the program: one node per command with its subcommand names and long options. */
export function commandTree(root: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const options = cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x)));
    nodes.push({ path, subcommands: cmd.commands.map((c) => c.name()), options: [...options, '--help'] });
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(root, []);
  return nodes;
}

/** Subcommands first, then the command's options and the global ones, without repeats. */
function words(n: Node, globals: readonly string[]): string {
  return [...new Set([...n.subcommands, ...n.options, ...globals])].join(' ');
}

/** Shell `case` arms that walk the words typed so far down the command tree (bash and zsh share the syntax). */
function pathCases(nodes: Node[]): string {
  return nodes
    .filter((n) => n.subcommands.length)
    .map((n) => `      "${n.path.join(' ')}") case " ${n.subcommands.join(' ')} " in *" $w "*) path="\${path:+$path }$w" ;; esac ;;`)
    .join('\n');
}

function bash(nodes: Node[], globals: string[]): string {
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words="${words(n, globals)}" ;;`)
    .join('\n');
  return `# tacpay bash completion. Install: tacpay completion bash >> ~/.bashrc
_tacpay() {
  local cur path w i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "$path" in
${pathCases(nodes)}
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  [[ "$cur" != -* && "$words" != *[a-z]* ]] && compopt -o default
  return 0
}
complete -o default -F _tacpay tacpay
`;
}

function zsh(nodes: Node[], globals: string[]): string {
  return `#compdef tacpay
# tacpay zsh completion. Install: tacpay completion zsh > "\${fpath[1]}/_tacpay"
_tacpay() {
  local -a words_here
  local path="" w
  for w in \${words[2,CURRENT-1]}; do
    [[ "$w" == -* ]] && continue
    case "$path" in
${pathCases(nodes)}
    esac
  done
  case "$path" in
${nodes.map((n) => `    "${n.path.join(' ')}") words_here=(${words(n, globals)}) ;;`).join('\n')}
  esac
  compadd -- $words_here
  _files
}
compdef _tacpay tacpay
`;
}

function fish(nodes: Node[], globals: string[]): string {
  const lines = ['# tacpay fish completion. Install: tacpay completion fish > ~/.config/fish/completions/tacpay.fish', 'complete -c tacpay -f'];
  for (const g of globals.filter((o) => o.startsWith('--'))) lines.push(`complete -c tacpay -l ${g.slice(2)}`);
  for (const n of nodes) {
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const s of n.subcommands) lines.push(`complete -c tacpay -n '${cond}' -a ${s}`);
    for (const o of n.options.filter((x) => x.startsWith('--'))) lines.push(`complete -c tacpay -n '${cond}' -l ${o.slice(2)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerCompletion(program: Command, app: App): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'shell to complete for').choices(['bash', 'zsh', 'fish']))
    .action(
      action<Record<string, never>>(app, async (_opts, ctx, args) => {
        const shell = args[0];
        const nodes = commandTree(program);
        const globals = nodes[0]?.options ?? [];
        const script = shell === 'bash' ? bash(nodes, globals) : shell === 'zsh' ? zsh(nodes, globals) : shell === 'fish' ? fish(nodes, globals) : undefined;
        if (!script) throw new UsageError(`unknown shell ${shell}`, 'use bash, zsh or fish');
        ctx.stdout.write(script);
      }),
    );
  examples(cmd, ['tacpay completion bash >> ~/.bashrc', 'tacpay completion zsh > "${fpath[1]}/_tacpay"', 'tacpay completion fish > ~/.config/fish/completions/tacpay.fish']);
}
