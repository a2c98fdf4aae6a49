// Seconds from a fault to the page, on loopback, end to end: the rendered prod stack with real
// Prometheus 3.5, Alertmanager 0.33 and Blackbox exporter, fake prom-client backend pods and a fake
// Python agent, fake PagerDuty and Slack (tools/e2e/). Prod's timings throughout: 15 s scrape and
// evaluation intervals, group_wait 30s, group_interval 5m. Each scenario runs on a stack of its own,
// side by side.
//
// A fresh Prometheus holds minutes of history, so its 1h and 6h burn-rate windows would show an error
// share diluted by minutes of good traffic, not hours, and page sooner than on a long-running backend:
// the benchmark first backfills hours of healthy traffic (promtool tsdb create-blocks-from openmetrics).

import { parseArgs } from "node:util";
import { LoopbackStack } from "./e2e/loopback-stack";
import type { Fault } from "./e2e/fake-backend";
import type { PagerDutyEvent, SlackMessage } from "./e2e/receivers";

const scenarios: Record<string, { title: string; fault: Fault }> = {
    outage: { title: "total outage (every request 503)", fault: { mode: "errors", errorRatio: 1 } },
    errors10: { title: "10% errors", fault: { mode: "errors", errorRatio: 0.1 } },
    hang: { title: "backend stops answering", fault: { mode: "hang" } },
};

const usage = `Usage: npm run bench:e2e -- [--scenario <name>]... [--backfill-hours <h>] [--max-minutes <m>]

Runs each fault scenario on a loopback copy of the rendered prod stack and prints the seconds from the
fault to the PagerDuty page and to Slack, and from recovery to the resolved notices.

Flags:
  --scenario <name>      outage, errors10 or hang; repeat for several (default: all three)
  --backfill-hours <h>   hours of healthy traffic written into Prometheus before it starts, so that
                         the 1h/6h burn-rate windows look like production's (default 6; 0: none)
  --max-minutes <m>      how long to wait for a page, and then for the resolved notices (default 20)
  --help                 this text

Example:
  npm run bench:e2e -- --scenario outage --scenario hang --backfill-hours 6`;

function fail(message: string): never {
    console.error(`bench:e2e: ${message}\n\n${usage}`);
    process.exit(2);
}

function options() {
    let parsed;
    try {
        parsed = parseArgs({
            strict: true,
            allowPositionals: false,
            options: {
                scenario: { type: "string", multiple: true },
                "backfill-hours": { type: "string", default: "6" },
                "max-minutes": { type: "string", default: "20" },
                help: { type: "boolean", default: false },
            },
        });
    } catch (error) {
        fail((error as Error).message);
    }
    const { values } = parsed;
    if (values.help) {
        console.log(usage);
        process.exit(0);
    }
    const chosen = values.scenario ?? Object.keys(scenarios);
    for (const name of chosen)
        if (!(name in scenarios)) fail(`--scenario ${name}: expected one of ${Object.keys(scenarios).join(", ")}`);
    const backfillHours = Number(values["backfill-hours"]);
    if (!Number.isInteger(backfillHours) || backfillHours < 0 || backfillHours > 72)
        fail(`--backfill-hours ${values["backfill-hours"]}: expected a whole number of hours from 0 to 72`);
    const maxMinutes = Number(values["max-minutes"]);
    if (!Number.isFinite(maxMinutes) || maxMinutes <= 0 || maxMinutes > 60)
        fail(`--max-minutes ${values["max-minutes"]}: expected minutes, more than 0 and at most 60`);
    return { chosen: [...new Set(chosen)], backfillHours, maxMinutes };
}

interface Result {
    scenario: string;
    alerts: string;
    toPagerDuty?: number;
    toSlack?: number;
    toPagerDutyResolved?: number;
    toSlackResolved?: number;
    note?: string;
}

// The alert a Slack message or PagerDuty event is about ("[FIRING:1] StellaBackendDown", "StellaBackendDown: …").
const slackAlert = (message: SlackMessage) => message.attachments[0]?.title.replace(/^\[[A-Z:0-9]+\] /, "") ?? "";
// Slow warnings that no fault here causes (no Jaeger runs on loopback) are not the fault's notice.
const unrelated = new Set(["JaegerNotReceivingSpans"]);

async function run(name: string, backfillHours: number, maxMinutes: number): Promise<Result> {
    const { title, fault } = scenarios[name] as (typeof scenarios)[string];
    const stack = await LoopbackStack.start(backfillHours > 0 ? { backfillHours } : {});
    try {
        const receivers = stack.receivers;
        // Healthy warm-up: two minutes of live traffic on top of the history.
        await new Promise((done) => setTimeout(done, 120_000));
        const faultAt = Date.now();
        await stack.setFault(fault);
        const limit = maxMinutes * 60_000;
        const pages = () => receivers.of<PagerDutyEvent>("pagerduty").filter((e) => e.body.event_action === "trigger");
        const slackFiring = () =>
            receivers
                .of<SlackMessage>("slack")
                .filter((m) => m.body.attachments.some((a) => a.title.startsWith("[FIRING")))
                .filter((m) => !unrelated.has(slackAlert(m.body)));
        await receivers.waitFor(() => (pages().length > 0 && slackFiring().length > 0) || undefined, limit, 500);
        const page = pages()[0];
        const slack = slackFiring()[0];
        const result: Result = {
            scenario: title,
            alerts: [...new Set(pages().map((e) => e.body.payload.summary.split(":")[0]))].join(", "),
            toPagerDuty: page === undefined ? undefined : (page.at - faultAt) / 1000,
            toSlack: slack === undefined ? undefined : (slack.at - faultAt) / 1000,
        };
        if (page === undefined) {
            result.note = `no page within ${maxMinutes} min`;
            return result;
        }
        const recoveredAt = Date.now();
        await stack.setFault({ mode: "healthy" });
        const keys = () => new Set(pages().map((e) => e.body.dedup_key));
        const resolves = () =>
            receivers
                .of<PagerDutyEvent>("pagerduty")
                .filter((e) => e.at >= recoveredAt && e.body.event_action === "resolve");
        const slackResolved = () =>
            receivers
                .of<SlackMessage>("slack")
                .filter((m) => m.at >= recoveredAt && m.body.attachments.some((a) => a.title.startsWith("[RESOLVED")))
                .filter((m) => !unrelated.has(slackAlert(m.body)));
        await receivers.waitFor(
            () =>
                ([...keys()].every((key) => resolves().some((e) => e.body.dedup_key === key)) &&
                    slackResolved().length > 0) ||
                undefined,
            limit,
            500,
        );
        const allResolved = [...keys()].every((key) => resolves().some((e) => e.body.dedup_key === key));
        if (allResolved) result.toPagerDutyResolved = (Math.max(...resolves().map((e) => e.at)) - recoveredAt) / 1000;
        const firstSlackResolved = slackResolved()[0];
        if (firstSlackResolved !== undefined) result.toSlackResolved = (firstSlackResolved.at - recoveredAt) / 1000;
        if (!allResolved) result.note = `not every page resolved within ${maxMinutes} min`;
        return result;
    } finally {
        await stack.stop();
    }
}

async function main(): Promise<void> {
    const { chosen, backfillHours, maxMinutes } = options();
    console.log(
        `bench:e2e: ${chosen.join(", ")}, side by side; prod's rendered timings; ` +
            (backfillHours > 0 ? `${backfillHours} h of healthy traffic backfilled (promtool)` : "no backfill"),
    );
    const results = await Promise.all(chosen.map((name) => run(name, backfillHours, maxMinutes)));
    const shown = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(0));
    const rows = [
        [
            "scenario",
            "paged by",
            "fault→PagerDuty s",
            "fault→Slack s",
            "recovery→PD resolved s",
            "recovery→Slack resolved s",
        ],
        ...results.map((r) => [
            r.scenario,
            r.alerts === "" ? "-" : r.alerts,
            shown(r.toPagerDuty),
            shown(r.toSlack),
            shown(r.toPagerDutyResolved),
            shown(r.toSlackResolved),
        ]),
    ];
    const widths = (rows[0] as string[]).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
    for (const r of results) if (r.note !== undefined) console.log(`${r.scenario}: ${r.note}`);
}

void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
