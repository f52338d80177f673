/** `tacpay completion bash|zsh|fish`: a completion script generated from the live command tree (src/cli/completion-*.ts). */
import { Argument, type Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function registerCompletion(program: Command, app: App): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'shell to complete for').choices(SHELLS))
    .action(
      action<Record<string, never>>(app, async (_opts, ctx, args) => {
        const { completionScript } = await import('../../completion-script.js');
        const script = completionScript(program, args[0]!);
        if (ctx.json) writeJson(ctx.stdout, { shell: args[0], script });
        else ctx.stdout.write(script);
      }),
    );
  examples(cmd, [
    'tacpay completion bash > ~/.local/share/bash-completion/completions/tacpay',
    'tacpay completion zsh > "${fpath[1]}/_tacpay"',
    'tacpay completion fish > ~/.config/fish/completions/tacpay.fish',
  ]);
}
