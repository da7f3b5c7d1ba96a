import { parseArgs } from 'node:util';

/** The CLI's commands. */
export const COMMANDS = ['generate', 'cost', 'guardrails', 'diff'] as const;
export type Command = (typeof COMMANDS)[number];

/** How results are printed. */
export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** A threshold on the monthly cost increase: an amount in USD, or a percentage of the old total. */
export type MaxIncrease = { kind: 'usd'; value: number } | { kind: 'percent'; value: number };

/** The parsed command line. */
export interface CliArgs {
  command: Command;
  files: string[];
  format: Format;
  iac: 'terraform' | 'cloudformation';
  out?: string;
  params: string[];
  paramsFile?: string;
  settingsFile?: string;
  usageFile?: string;
  region?: string;
  budget?: number;
  maxIncrease?: MaxIncrease;
  failOn: 'any' | 'new';
  patch: boolean;
  server?: string;
  token?: string;
}

/** A mistake on the command line (exit code 2, with the usage hint). */
export class UsageError extends Error {}

export const USAGE = `Usage: iac-dharma <command> [options] <blueprint>...

Commands (no server needed; the engines run locally):
  generate <blueprint>      Terraform (default) or CloudFormation code for a blueprint
  cost <blueprint>          monthly cost estimate (USD, on-demand prices)
  guardrails <blueprint>    security, compliance and budget checks
  diff <old> <new>          review a change: resources, code diff, cost delta, guardrail delta

A <blueprint> is a JSON or YAML file, "-" for standard input, or blueprint:<id>[@<version>]
to fetch a stored blueprint (or one of its saved versions) from a server (--server, --token).

Options:
  -f, --format table|json|markdown   output (default table; json is the API's response body)
      --iac terraform|cloudformation generate: which code (default terraform)
  -o, --out <dir>                    generate: write the files there instead of printing them
  -p, --param <name=value>           a parameter value (repeatable; JSON values are parsed)
      --params <file>                parameter values (JSON or YAML object)
      --settings <file>              guardrail settings (JSON or YAML); default: the server's
                                     when --server is given, else the permissive defaults
      --usage <file>                 cost: usage per resource (JSON or YAML)
      --region <region>              cost: price in another region
      --budget <usd>                 guardrails, diff: monthly budget for the budget rule
      --max-increase <usd|pct%>      diff: fail when the monthly cost rises by more (50, 12.5%)
      --fail-on any|new              diff: fail on any failing soft/hard guardrail of <new>
                                     (default) or only on newly failing ones
      --patch                        diff, table format: print the unified diffs too
      --server <url>                 API base URL (or IAC_DHARMA_SERVER)
      --token <jwt>                  bearer token (or IAC_DHARMA_TOKEN, which keeps it out of ps)
  -h, --help                         this text

Exit codes: 0 ok; 1 a soft or hard guardrail fails, or the cost rises past --max-increase;
2 bad usage, unreadable or invalid input, or a server error.`;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function amount(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0`);
  return n;
}

/** "50", "$50", "12.5%" → a threshold. */
export function parseMaxIncrease(value: string | undefined): MaxIncrease | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\$?)(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!m || (m[1] && m[3])) throw new UsageError('--max-increase must be an amount in USD (50) or a percentage (10%)');
  return { kind: m[3] ? 'percent' : 'usd', value: Number(m[2]) };
}

/** Parses argv (without node and the script); `env` supplies the server and token defaults. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        iac: { type: 'string' },
        out: { type: 'string', short: 'o' },
        param: { type: 'string', short: 'p', multiple: true },
        params: { type: 'string' },
        settings: { type: 'string' },
        usage: { type: 'string' },
        region: { type: 'string' },
        budget: { type: 'string' },
        'max-increase': { type: 'string' },
        'fail-on': { type: 'string' },
        patch: { type: 'boolean' },
        server: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) return 'help';
  const [command, ...files] = positionals;
  if (!(COMMANDS as readonly string[]).includes(command!))
    throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`);
  const want = command === 'diff' ? 2 : 1;
  if (files.length !== want)
    throw new UsageError(`${command} takes ${want === 2 ? 'two blueprints (old, new)' : 'one blueprint'}`);
  return {
    command: command as Command,
    files,
    format: oneOf('format', v.format, FORMATS, 'table'),
    iac: oneOf('iac', v.iac, ['terraform', 'cloudformation'] as const, 'terraform'),
    out: v.out,
    params: v.param ?? [],
    paramsFile: v.params,
    settingsFile: v.settings,
    usageFile: v.usage,
    region: v.region,
    budget: amount('budget', v.budget),
    maxIncrease: parseMaxIncrease(v['max-increase']),
    failOn: oneOf('fail-on', v['fail-on'], ['any', 'new'] as const, 'any'),
    patch: v.patch ?? false,
    server: v.server ?? env.IAC_DHARMA_SERVER,
    token: v.token ?? env.IAC_DHARMA_TOKEN,
  };
}
