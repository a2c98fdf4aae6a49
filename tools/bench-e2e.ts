// Seconds from a fault to the page, on loopback, end to end: the rendered prod stack with real
// Prometheus 3.5, Alertmanager 0.33 and Blackbox exporter, fake prom-client backend pods and a fake
// Python agent, fake PagerDuty and Slack (tools/e2e/). Prod's timings throughout: 15 s scrape and
// evaluation intervals, group_wait 30s, group_interval 5m. Each scenario runs on a stack of its own,
// side by side.
//
// A fresh Prometheus holds minutes of history, so its 1h and 6h burn-rate windows would show an error
// share diluted by minutes of good traffic, not hours, and page sooner than on a long-running backend:
// the benchmark first backfills hours of healthy traffic (promtool tsdb create-blocks-from openmetrics).

import { runCli, UsageError, type Command, type Values } from "./cli";
import { LoopbackStack } from "./e2e/loopback-stack";
import type { Fault } from "./e2e/fake-backend";
import type { PagerDutyEvent, SlackMessage } from "./e2e/receivers";

const scenarios: Record<string, { title: string; fault: Fault }> = {
    outage: { title: "total outage (every request 503)", fault: { mode: "errors", errorRatio: 1 } },
    errors10: { title: "10% errors", fault: { mode: "errors", errorRatio: 0.1 } },
    hang: { title: "backend stops answering", fault: { mode: "hang" } },
};

export const benchE2eCommand = {
    invocation: "npm run bench:e2e --",
    summary:
        "Runs each fault scenario on a loopback copy of the rendered prod stack (real Prometheus, Alertmanager\n" +
        "and Blackbox exporter; fake prom-client backend pods, a Python agent, fake PagerDuty and Slack) and\n" +
        "prints the seconds from the fault to the PagerDuty page and to Slack, and from recovery to the\n" +
        "resolved notices. About 20 minutes for all three.",
    flags: {
        scenario: {
            type: "list",
            value: "<name>",
            choices: Object.keys(scenarios),
            description: "run only this scenario; repeat for several (default: all three)",
        },
        "backfill-hours": {
            type: "integer",
            value: "<h>",
            default: 6,
            min: 0,
            description:
                "hours of healthy traffic written into Prometheus first, so the 1h/6h burn-rate windows look like production's (0: none; at most 72)",
        },
        "max-minutes": {
            type: "integer",
            value: "<m>",
            default: 20,
            min: 1,
            description: "how long to wait for a page, and then for the resolved notices (at most 60)",
        },
    },
    notes: [
        'Needs prometheus, alertmanager, blackbox_exporter, promtool and python3 with prometheus_client on PATH (eval "$(bash .ci/install-tools.sh)").',
    ],
    examples: ["npm run bench:e2e", "npm run bench:e2e -- --scenario outage --scenario hang --backfill-hours 6"],
} as const satisfies Command;

interface Result {
    scenario: string;
    alerts: string;
    /** Distinct PagerDuty incidents (dedup keys) the fault opened, recovery included. */
    pages?: number;
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
        result.pages = keys().size;
        result.alerts = [...new Set(pages().map((e) => e.body.payload.summary.split(":")[0]))].join(", ");
        if (!allResolved) result.note = `not every page resolved within ${maxMinutes} min`;
        return result;
    } finally {
        await stack.stop();
    }
}

async function main(values: Values<typeof benchE2eCommand>): Promise<number> {
    const backfillHours = values["backfill-hours"];
    const maxMinutes = values["max-minutes"];
    if (backfillHours > 72) throw new UsageError(`--backfill-hours: expected at most 72, got ${backfillHours}`);
    if (maxMinutes > 60) throw new UsageError(`--max-minutes: expected at most 60, got ${maxMinutes}`);
    const chosen = values.scenario.length === 0 ? Object.keys(scenarios) : [...new Set(values.scenario)];
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
            "pages",
            "fault→PagerDuty s",
            "fault→Slack s",
            "recovery→PD resolved s",
            "recovery→Slack resolved s",
        ],
        ...results.map((r) => [
            r.scenario,
            r.alerts === "" ? "-" : r.alerts,
            shown(r.pages),
            shown(r.toPagerDuty),
            shown(r.toSlack),
            shown(r.toPagerDutyResolved),
            shown(r.toSlackResolved),
        ]),
    ];
    const widths = (rows[0] as string[]).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
    for (const r of results) if (r.note !== undefined) console.log(`${r.scenario}: ${r.note}`);
    return results.some((r) => r.note !== undefined) ? 1 : 0;
}

if (require.main === module) runCli("bench-e2e", benchE2eCommand, main);
