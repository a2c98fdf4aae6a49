// How fast do the alerts page? For each fault scenario of alerts/*-scenarios.ts, the minutes from the
// fault's onset to the first page (the first alert with severity=critical firing) and to the first
// alert of any severity, for our rendered prod rules and for the seed's own rules
// (test/fixtures/seed-rules.yaml), against the issue's targets. Exits non-zero if our rules miss one.
//
//   npm run bench:alerts -- [--rules <rule file>] [--baseline <minutes>] [--verbose]   (--help says it all)
//
// --rules measures another rule file in place of the rendered prod one (to try a change on a copy);
// --baseline simulates that many minutes of healthy traffic before every fault (default: each
// scenario's own, see alerts/scenario.ts); --verbose prints when each alert first fires, with its
// labels and annotations.
//
// promtool only checks expectations, so the firing times are discovered: for every 15 s evaluation
// from the onset to the scenario's end, an alert_rule_test per alert name expects silence, and
// promtool's failure report lists what fired instead.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { runCli, type Command, type Values } from "./cli";
import { requirePromtool3, runPromtool } from "./promtool";
import { placeholderSecretFlags, renderInProcess } from "./render-process";
import { absolute, withBaseline, testGroup, unitTestFile, type AlertRuleTest, type Scenario } from "../alerts/scenario";
import { scenarios as defaultScenarios } from "../alerts/scenarios";
import { stepSeconds } from "../alerts/simulator";

const root = resolve(__dirname, "..");
const seedRules = join(root, "test", "fixtures", "seed-rules.yaml");
/** The alert names of a rule file, in order, once each (a name may have a critical and a warning rule). */
export function alertNames(ruleFile: string): string[] {
    const file = parse(readFileSync(ruleFile, "utf8")) as { groups: { rules: { alert?: string }[] }[] };
    const names = file.groups.flatMap((group) => group.rules.flatMap((rule) => rule.alert ?? []));
    return [...new Set(names)];
}

/** Seconds in a Prometheus duration as promtool prints it: "6h5m15s". */
function seconds(duration: string): number {
    const units: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|[wdhms])/g))
        total += Number(amount) * (units[unit ?? "s"] ?? 0);
    return total;
}

function labelSet(text: string): Record<string, string> {
    const pairs: Record<string, string> = {};
    for (const [, name, value] of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        pairs[name ?? ""] = JSON.parse(`"${value ?? ""}"`) as string;
    return pairs;
}

export interface Firing {
    /** Minutes after the onset. */
    readonly at: number;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/** When each alert first fires in a scenario under a rule file (minutes after the onset), by "name severity". */
export async function firstFirings(
    scenario: Scenario,
    ruleFile: string,
    alerts: readonly string[],
    directory: string,
): Promise<Map<string, Firing>> {
    const tests: AlertRuleTest[] = [];
    const steps = Math.round((scenario.faultMinutes * 60) / stepSeconds);
    for (let step = 0; step <= steps; step += 1)
        for (const alert of alerts)
            tests.push({
                eval_time: absolute(scenario, (step * stepSeconds) / 60),
                alertname: alert,
                exp_alerts: [],
            });
    const file = join(
        directory,
        `${scenario.name.replaceAll(/\W+/g, "-")}-${Math.random().toString(36).slice(2)}.yaml`,
    );
    writeFileSync(file, stringify(unitTestFile(ruleFile, [testGroup(scenario, tests)]), { lineWidth: 0 }));
    const { code, output } = await runPromtool(["test", "rules", file]);
    const firings = new Map<string, Firing>();
    if (code === 0) return firings;
    // Each failure: "alertname: X, time: T, \n exp:[], \n got:[ 0: Labels:{…} Annotations:{…} … ]".
    const failures = [...output.matchAll(/alertname: (\S+), time: (\S+),/g)];
    if (failures.length === 0) throw new Error(`promtool failed on ${file}:\n${output}`);
    failures.forEach((failure, index) => {
        const [, name = "", time = ""] = failure;
        const body = output.slice(failure.index, failures[index + 1]?.index ?? output.length);
        const at = (seconds(time) - scenario.onsetMinutes * 60) / 60;
        // Every alert promtool got: an alert name may have a critical and a warning rule.
        const labels = [...body.matchAll(/Labels:(\{[^\n]*\})/g)].map((match) => labelSet(match[1] ?? "{}"));
        const annotations = [...body.matchAll(/Annotations:(\{[^\n]*\})/g)].map((match) => labelSet(match[1] ?? "{}"));
        labels.forEach((set, position) => {
            const key = `${name} ${set.severity ?? ""}`;
            const known = firings.get(key);
            if (known !== undefined && known.at <= at) return;
            firings.set(key, { at, labels: set, annotations: annotations[position] ?? {} });
        });
    });
    return firings;
}

interface Measured {
    readonly page?: number;
    readonly alert?: number;
    readonly firings: Map<string, Firing>;
}

function summarize(firings: Map<string, Firing>): Measured {
    const times = (critical: boolean) =>
        [...firings.values()]
            .filter((firing) => !critical || firing.labels.severity === "critical")
            .map((firing) => firing.at);
    const first = (values: number[]) => (values.length === 0 ? undefined : Math.min(...values));
    return { page: first(times(true)), alert: first(times(false)), firings };
}

const show = (minutes: number | undefined) => (minutes === undefined ? "—" : String(minutes));

function targetText(scenario: Scenario): string {
    const target = scenario.target;
    if (target === undefined) return "";
    if (target.kind === "nothing fires") return "nothing fires";
    return target.bound === "absolute"
        ? `${target.kind} ≤ ${target.withinMinutes}`
        : `${target.kind} ≤ seed (issue: ${target.withinMinutes})`;
}

/**
 * Whether our rules meet the scenario's target: within an absolute bound, or no later than the seed's
 * rules replayed the same way (or than the issue's figure, whichever is later).
 */
function meets(scenario: Scenario, ours: Measured, seed: Measured): boolean {
    const target = scenario.target;
    if (target === undefined) return true;
    if (target.kind === "nothing fires") return ours.alert === undefined;
    const pick = (measured: Measured) => (target.kind === "page" ? measured.page : measured.alert);
    const mine = pick(ours);
    if (mine === undefined) return false;
    const bound = target.bound === "absolute" ? target.withinMinutes : Math.max(target.withinMinutes, pick(seed) ?? 0);
    return mine <= bound;
}

async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
    const results: T[] = new Array<T>(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const index = next++;
            results[index] = await (tasks[index] as () => Promise<T>)();
        }
    };
    await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
    return results;
}

function table(rows: string[][]): string {
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
    const [header = [], ...body] = rows;
    return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

export const benchAlertsCommand = {
    invocation: "npm run bench:alerts --",
    summary:
        "How fast the alerts page: for each fault scenario, the minutes from the fault's onset to the first\n" +
        "page (severity=critical) and to the first alert, for the rendered prod rules and the seed's rules,\n" +
        "against each scenario's target (promtool replays them). Exit 1 when our rules miss a target.",
    flags: {
        rules: {
            type: "text",
            value: "<rule file>",
            description: "measure this rule file instead of the rendered prod one (try a change on a copy)",
        },
        baseline: {
            type: "integer",
            value: "<minutes>",
            min: 60,
            description: "minutes of healthy traffic before every fault (unset: each scenario's own)",
        },
        verbose: { type: "switch", description: "print when each alert first fires, with labels and annotations" },
    },
    notes: ['Needs promtool on PATH (eval "$(bash .ci/install-tools.sh)" installs it).'],
    examples: ["npm run bench:alerts", "npm run bench:alerts -- --rules /tmp/my-rules.yaml --baseline 120 --verbose"],
} as const satisfies Command;

async function main(values: Values<typeof benchAlertsCommand>): Promise<number> {
    requirePromtool3();
    const started = Date.now();
    const baseline = values.baseline;
    const scenarios =
        baseline === undefined ? defaultScenarios : defaultScenarios.map((s) => withBaseline(s, baseline));
    const work = mkdtempSync(join(tmpdir(), "bench-alerts-"));
    try {
        return await measureAll(values, scenarios, work, started);
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

async function measureAll(
    values: Values<typeof benchAlertsCommand>,
    scenarios: readonly Scenario[],
    work: string,
    started: number,
): Promise<number> {
    // Without --rules: the prod stack's rule file, rendered with placeholder secrets.
    const ours =
        values.rules === undefined
            ? join(renderInProcess("prod", work, placeholderSecretFlags("prod")), "prometheus-rules.yaml")
            : resolve(values.rules);
    const ourAlerts = alertNames(ours);
    const seedAlerts = alertNames(seedRules);
    const directory = join(work, "tests");
    mkdirSync(directory);

    const tasks = scenarios.flatMap((scenario) => [
        () => firstFirings(scenario, seedRules, seedAlerts, directory).then(summarize),
        () => firstFirings(scenario, ours, ourAlerts, directory).then(summarize),
    ]);
    const results = await pool(tasks, 4);

    const rows = [
        [
            "scenario",
            "seed: first page (min)",
            "seed: first alert (min)",
            "ours: first page (min)",
            "ours: first alert (min)",
            "target",
            "",
        ],
    ];
    let missed = 0;
    scenarios.forEach((scenario, index) => {
        const seed = results[2 * index] as Measured;
        const mine = results[2 * index + 1] as Measured;
        const ok = meets(scenario, mine, seed);
        if (!ok) missed += 1;
        rows.push([
            scenario.name,
            show(seed.page),
            show(seed.alert),
            show(mine.page),
            show(mine.alert),
            targetText(scenario),
            scenario.target === undefined ? "" : ok ? "ok" : "MISSED",
        ]);
        if (values.verbose) {
            for (const [label, measured] of [
                ["seed", seed],
                ["ours", mine],
            ] as const)
                for (const [name, firing] of [...measured.firings].sort((a, b) => a[1].at - b[1].at))
                    console.log(
                        `${scenario.name} [${label}] ${name} at +${firing.at}m ${JSON.stringify(firing.labels)} ${JSON.stringify(firing.annotations)}`,
                    );
        }
    });
    console.log(
        `Minutes from fault onset (first sample showing the fault) to the first firing alert, in steps of ${stepSeconds}s;`,
    );
    console.log(`page = first alert with severity=critical. Ours: ${ours}`);
    console.log(table(rows));
    console.log(
        `${missed === 0 ? "every target met" : `${missed} target(s) missed`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return missed === 0 ? 0 : 1;
}

if (require.main === module) runCli("bench-alerts", benchAlertsCommand, main);
