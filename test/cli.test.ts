// Every tool answers --help (usage, every flag, an example) and refuses a bad command line before it
// does anything: an unknown flag gets the usage and a did-you-mean, a count must be a whole number.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parseCommandLine, usage, UsageError, type Command } from "../tools/cli";
import { benchCommand } from "../tools/bench";
import { benchAlertsCommand } from "../tools/bench-alerts";
import { benchE2eCommand } from "../tools/bench-e2e";
import { checkChartsCommand } from "../tools/check-charts";
import { docsConfigCommand } from "../tools/config-reference";
import { promoteCommand } from "../tools/promote";
import { renderCommand } from "../tools/render";
import { runbookExpressionsCommand } from "../tools/runbook-expressions";
import { smokeCommand } from "../tools/smoke-check";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

const example = {
    invocation: "npm run example --",
    summary: "An example tool.",
    flags: {
        stack: { type: "text", value: "<stack>", required: true, choices: ["dev", "prod"], description: "the stack" },
        out: { type: "text", value: "<dir>", default: "build", description: "where" },
        config: { type: "list", value: "<path>=<value>", description: "a value" },
        runs: { type: "integer", value: "<n>", default: 5, min: 1, description: "how many" },
        check: { type: "switch", description: "only check" },
    },
    examples: ["npm run example -- --stack dev"],
} as const satisfies Command;

function usageError(argv: string[]): string {
    try {
        parseCommandLine(example, argv);
    } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        return error.message;
    }
    assert.fail(`accepted ${argv.join(" ")}`);
}

describe("tools/cli.ts", () => {
    it("parses every kind of flag into typed values, with defaults", () => {
        const values = parseCommandLine(example, [
            "--stack",
            "dev",
            "--config",
            "a=1",
            "--config=b=2",
            "--runs",
            "3",
            "--check",
        ]);
        assert.deepEqual(values, { stack: "dev", out: "build", config: ["a=1", "b=2"], runs: 3, check: true });
        assert.deepEqual(parseCommandLine(example, ["--stack", "prod"]), {
            stack: "prod",
            out: "build",
            config: [],
            runs: 5,
            check: false,
        });
    });

    it("answers --help and -h, even beside other flags", () => {
        assert.equal(parseCommandLine(example, ["--help"]), "help");
        assert.equal(parseCommandLine(example, ["--stack", "dev", "-h"]), "help");
    });

    it("names an unknown flag with a did-you-mean, and none when nothing is close", () => {
        assert.equal(usageError(["--stak", "dev"]), "unknown flag --stak; did you mean --stack?");
        assert.equal(usageError(["--stack", "dev", "--run", "2"]), "unknown flag --run; did you mean --runs?");
        assert.equal(usageError(["--stack", "dev", "--zzzzzzzz"]), "unknown flag --zzzzzzzz");
    });

    it("refuses a count that is not a whole number, naming the flag and echoing the value", () => {
        assert.equal(usageError(["--stack", "dev", "--runs", "abc"]), '--runs: expected a whole number, got "abc"');
        assert.equal(usageError(["--stack", "dev", "--runs", "2.5"]), '--runs: expected a whole number, got "2.5"');
        assert.equal(usageError(["--stack", "dev", "--runs", "0"]), "--runs: expected at least 1, got 0");
    });

    it("refuses a missing required flag, a flag without its value, a value for a switch, a bad choice", () => {
        assert.equal(usageError([]), "--stack <stack> is required: the stack");
        assert.equal(usageError(["--stack"]), "--stack needs a value (<stack>)");
        assert.equal(usageError(["--stack", "dev", "--check=yes"]), "--check takes no value");
        assert.equal(
            usageError(["--stack", "prdo"]),
            '--stack: expected one of dev, prod, got "prdo"; did you mean prod?',
        );
        assert.equal(
            usageError(["--stack", "dev", "extra"]),
            'unexpected argument "extra": every value follows its flag',
        );
    });

    it("prints a usage with every flag, its default and its constraints, and an example", () => {
        const text = usage(example);
        assert.match(
            text,
            /^Usage: npm run example -- --stack <stack> \[--out <dir>\] \[--config <path>=<value>\]\.\.\. \[--runs <n>\] \[--check\] \[--help\]$/m,
        );
        assert.match(text, /--stack <stack> +the stack \(required; one of dev, prod\)/);
        assert.match(text, /--out <dir> +where \(default build\)/);
        assert.match(text, /--config <path>=<value> +a value \(repeatable\)/);
        assert.match(text, /--runs <n> +how many \(a whole number, at least 1; default 5\)/);
        assert.match(text, /^Example:\n {2}npm run example -- --stack dev$/m);
    });
});

const tools: { script: string; file: string; command: Command }[] = [
    { script: "render", file: "tools/render.ts", command: renderCommand },
    { script: "promote", file: "tools/promote.ts", command: promoteCommand },
    { script: "smoke", file: "tools/smoke-check.ts", command: smokeCommand },
    { script: "bench", file: "tools/bench.ts", command: benchCommand },
    { script: "bench:alerts", file: "tools/bench-alerts.ts", command: benchAlertsCommand },
    { script: "bench:e2e", file: "tools/bench-e2e.ts", command: benchE2eCommand },
    { script: "check:charts", file: "tools/check-charts.ts", command: checkChartsCommand },
    { script: "docs:config", file: "tools/config-reference.ts", command: docsConfigCommand },
    { script: "docs:runbooks", file: "tools/runbook-expressions.ts", command: runbookExpressionsCommand },
];

function run(file: string, ...args: string[]) {
    return spawnSync(tsx, [file, ...args], { cwd: root, encoding: "utf8", timeout: 60_000, input: "" });
}

describe("every tool's command line", () => {
    for (const { script, file, command } of tools) {
        it(`npm run ${script} -- --help prints its usage, every flag and an example, and exits 0`, () => {
            const result = run(file, "--help");
            assert.equal(result.status, 0, result.stderr);
            assert.ok(result.stdout.startsWith(`Usage: npm run ${script} --`) || script === "smoke", result.stdout);
            for (const flag of Object.keys(command.flags))
                assert.match(result.stdout, new RegExp(`^ {2}--${flag}\\b`, "m"));
            assert.match(result.stdout, /^Examples?:\n {2}\S/m);
            assert.equal(result.stdout, usage(command));
        });

        it(`npm run ${script} with an unknown flag prints the usage and a did-you-mean, exit 2, doing nothing`, () => {
            const [first = "x"] = Object.keys(command.flags);
            const typo = `${first.slice(0, -1)}${first.at(-1) === "z" ? "y" : "z"}`;
            const result = run(file, `--${typo}`, "value");
            assert.equal(result.status, 2, result.stdout + result.stderr);
            assert.match(result.stderr, new RegExp(`unknown flag --${typo}; did you mean --${first}\\?`));
            assert.match(result.stderr, /^Usage: /m);
            assert.equal(result.stdout, "");
        });
    }

    it("package.json runs each of these tools under the script name its usage shows", () => {
        const scripts = JSON.parse(
            spawnSync("npm", ["pkg", "get", "scripts"], { cwd: root, encoding: "utf8" }).stdout,
        ) as Record<string, string>;
        for (const { script, file } of tools) assert.equal(scripts[script], `tsx ${file}`);
    });

    it("npm run bench -- --runs abc fails at once, naming the flag and the value, before measuring anything", () => {
        const result = run("tools/bench.ts", "--runs", "abc");
        assert.equal(result.status, 2);
        assert.match(result.stderr, /^bench: --runs: expected a whole number, got "abc"$/m);
        assert.doesNotMatch(result.stdout + result.stderr, /NaN|MISSED|warming up/);
    });

    it("npm run smoke with nothing piped in says what to pipe", () => {
        const result = run("tools/smoke-check.ts", "--attempts", "1");
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            /^smoke check: nothing piped in; pipe the stack's outputs in: pulumi stack output --json --show-secrets \| npm run smoke/m,
        );
    });

    it("npm run check:charts without helm or the chart folder says so in one line each, before rendering", () => {
        const result = run("tools/check-charts.ts", "--charts", join(root, "no-such-folder"), "--helm", "no-such-helm");
        assert.equal(result.status, 2);
        const lines = result.stderr.trim().split("\n");
        assert.equal(lines.length, 2, result.stderr);
        assert.match(lines[0] ?? "", /^check-charts: cannot run helm as "no-such-helm" .*: pass --helm <path>$/);
        assert.match(
            lines[1] ?? "",
            /^check-charts: no chart folder .*no-such-folder: fill it with `helm pull --untar` per chart/,
        );
        assert.doesNotMatch(result.stdout, /FAIL/);

        const empty = run("tools/check-charts.ts", "--charts", join(root, "docs"), "--helm", "no-such-helm");
        assert.match(
            empty.stderr,
            /^check-charts: .*docs lacks 7 chart\(s\): kube-prometheus-stack, prometheus-operator-crds, loki, alloy, jaeger, prometheus-blackbox-exporter, grafana; fill it with `helm pull --untar` per chart \(README "Tests"\)$/m,
        );
    });
});
