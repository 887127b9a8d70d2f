// A small, dependency-free command-line parser for the `tsbpf` command:
// positional arguments, `--flag`, `--name value`, `--name=value`, `-o value`.
// Unknown options are usage errors (exit code 2), reported by the caller.

export interface OptionSpec {
  /** Long name without dashes, e.g. "output". */
  name: string;
  /** One-letter alias without the dash, e.g. "o". */
  short?: string;
  /** Whether the option takes a value. */
  takesValue: boolean;
  /** May be given several times (values collected in order). */
  repeatable?: boolean;
  description: string;
  valueName?: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  const put = (spec: OptionSpec, value: string): void => {
    const list = options.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeatable) {
      throw new UsageError(`option --${spec.name} given more than once`);
    }
    list.push(value);
    options.set(spec.name, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [rawName, inlineValue] = long ? splitOnce(arg.slice(2), "=") : [arg.slice(1), undefined];
    const spec = long ? byLong.get(rawName) : byShort.get(rawName);
    if (!spec) throw new UsageError(`unknown option ${long ? "--" : "-"}${rawName}`);
    if (!spec.takesValue) {
      if (inlineValue !== undefined) throw new UsageError(`option --${spec.name} takes no value`);
      put(spec, "true");
      continue;
    }
    const value = inlineValue ?? argv[++i];
    if (value === undefined) {
      throw new UsageError(`option --${spec.name} needs a value (${spec.valueName ?? "VALUE"})`);
    }
    put(spec, value);
  }
  return { positionals, options };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.has(name);
}

export function value(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}

/** Render the options table of a command's --help. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.takesValue ? ` ${s.valueName ?? "VALUE"}` : ""}`;
    return [names, s.description] as const;
  });
  const width = Math.max(0, ...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join("\n");
}
