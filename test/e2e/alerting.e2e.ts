// End to end, on loopback: real client libraries (prom-client, Python prometheus_client) feeding a real
// Prometheus 3.5 with the rendered prod rules and scrape jobs, a real Blackbox exporter, a real
// Alertmanager 0.33 with the rendered alertmanager.yaml, and fake Slack, PagerDuty and heartbeat
// receivers recording every notification (tools/e2e/). `npm run test:e2e`; about 5 minutes.
//
// Timings are the rendered prod ones (15 s scrape and evaluation intervals, group_wait 30s, the
// Watchdog's own route), with one exception the test derives and prints: the stack that proves
// recovery renders alerting.groupInterval at a tenth of prod's 5m, because a resolved notice waits for
// the group's next tick and 5 minutes of it would not fit the run. The outage stack keeps prod's.
//
// Three stacks run side by side: one takes a total outage (every API request fails) and keeps prod's
// timings, one a backend that stops answering and then recovers, and one a backend pod that starts
// putting a new label value on a counter with every request (the bad deploy the scrape limits guard
// against): that stack renders a backend sample limit the test reaches in about a minute and a half
// (stella.scrapeLimits.backend.samples; prod's default would take an hour at this traffic), everything
// else as prod. The three faults run at the same time, each watched on its own stack: the label
// explosion is switched on after the warm-up and checked after the recovery, so it adds no minutes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { defaultConfigValues } from "../../config";
import { canaryRoutingKey, LoopbackStack } from "../../tools/e2e/loopback-stack";
import { readRenderedPrometheus } from "../../tools/e2e/prometheus-local";
import type { PagerDutyEvent, SlackMessage, WebhookMessage } from "../../tools/e2e/receivers";
import { requireToolVersion } from "../../tools/tool-versions";

const seconds = (duration: string): number => {
    const match = /^(\d+)(ms|s|m|h)$/.exec(duration);
    if (match === null) throw new Error(`not a simple duration: ${duration}`);
    const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as "ms" | "s" | "m" | "h"];
    return Number(match[1]) * factor;
};

interface Route {
    receiver: string;
    matchers?: string[];
    group_wait?: string;
    group_interval?: string;
    repeat_interval?: string;
    routes?: Route[];
}

// Jaeger does not run on loopback: its "no spans while the backend serves traffic" warning rightly goes
// pending here (and would fire after 15 minutes); it is not the healthy backend's doing.
const notRunningHere = new Set(["JaegerNotReceivingSpans"]);

const isPage = (event: PagerDutyEvent) => event.event_action === "trigger";
const firingSlack = (message: SlackMessage) => message.attachments.some((a) => a.title.startsWith("[FIRING"));
const resolvedSlack = (message: SlackMessage) => message.attachments.some((a) => a.title.startsWith("[RESOLVED"));

/**
 * The cardinality stack's backend sample limit: a healthy fake backend pod exposes about 130 samples;
 * one new series per request (5 per second and pod, 75 per 15 s scrape) crosses the 80% warning band
 * (120 samples wide, so that at least one scrape lands in it) and then the limit about 90 s in.
 */
const cardinalitySampleLimit = 600;
/** How long the label explosion may take to page, from the switch. */
const labelExplosionBudget = 300_000;

describe("a page from real client libraries, end to end", { timeout: 13 * 60_000 }, () => {
    let outage: LoopbackStack | undefined;
    let hang: LoopbackStack | undefined;
    let cardinality: LoopbackStack | undefined;
    let labelExplosion:
        | Promise<{
              bad: string;
              good: string;
              switchedAt: number;
              warned?: { at: number; state: string };
              page?: { at: number; body: PagerDutyEvent };
          }>
        | undefined;
    let started = 0;
    let groupWait = 0;
    let heartbeatCadence = 0;
    let runbookBase = "";

    before(async () => {
        requireToolVersion("prometheus", "3.5");
        requireToolVersion("promtool", "3.5");
        requireToolVersion("alertmanager", "0.33");
        // The recovery stack's group interval: a tenth of the one prod renders (the default; asserted below).
        const prodGroupInterval = seconds(defaultConfigValues().alerting.groupInterval);
        const recoveryGroupInterval = `${prodGroupInterval / 10}s`;
        [outage, hang, cardinality] = await Promise.all([
            LoopbackStack.start(),
            LoopbackStack.start({ renderFlags: ["--config", `alerting.groupInterval=${recoveryGroupInterval}`] }),
            LoopbackStack.start({
                renderFlags: ["--config", `stella.scrapeLimits.backend.samples=${cardinalitySampleLimit}`],
            }),
        ]);
        started = Date.now();
        const route = (parse(outage.renderedAlertmanager()) as { route: Route }).route;
        assert.equal(seconds(route.group_interval ?? ""), prodGroupInterval, "prod renders the default group_interval");
        const recoveryRoute = (parse(hang.renderedAlertmanager()) as { route: Route }).route;
        console.log(
            `# timings: scrape/eval as rendered; group_wait ${route.group_wait}; group_interval ${route.group_interval} ` +
                `(outage stack), ${recoveryRoute.group_interval} (recovery stack: a tenth, so that its resolved notices come within the run)`,
        );
        groupWait = seconds(route.group_wait ?? "");
        const watchdog = route.routes?.find((child) => child.matchers?.includes('alertname = "Watchdog"'));
        assert.equal(watchdog?.receiver, "heartbeat", "prod sends the Watchdog to its dead man's switch");
        heartbeatCadence = seconds(watchdog.group_interval ?? "");
        const rules = parse(readFileSync(join(outage.renderDirectory, "prometheus-rules.yaml"), "utf8")) as {
            groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
        };
        const url = rules.groups.flatMap((group) => group.rules).find((rule) => rule.alert === "StellaBackendDown")
            ?.annotations?.runbook_url;
        runbookBase = (url ?? "").replace(/StellaBackendDown\.md$/, "");
    });

    after(async () => {
        await Promise.all([outage?.stop(), hang?.stop(), cardinality?.stop()]);
    });

    const stacks = () => [outage as LoopbackStack, hang as LoopbackStack];
    const everyStack = () => [...stacks(), cardinality as LoopbackStack];
    const failure = (stack: LoopbackStack, what: string) =>
        `${what}\nnotifications: ${JSON.stringify(stack.receivers.notifications, null, 1).slice(0, 4000)}\n${stack.logs()}`;

    it("scrapes both backend pods, the agent and the health probes under the stack's job names", async () => {
        for (const stack of everyStack()) {
            let up: { metric: Record<string, string>; value: number }[] = [];
            for (let attempt = 0; attempt < 60; attempt++) {
                up = await stack.query('up{namespace="ai-agents"} == 1 or probe_success == 1');
                if (up.length >= 7) break;
                await new Promise((done) => setTimeout(done, 1000));
            }
            const jobs = up.map(
                (sample) => `${sample.metric.job}/${sample.metric.probe ?? sample.metric.__name__ ?? ""}`,
            );
            assert.equal(
                up.filter((sample) => sample.metric.job === "stella-backend").length,
                2,
                failure(stack, jobs.join()),
            );
            assert.equal(
                up.filter((sample) => sample.metric.job === "stella-agents").length,
                1,
                failure(stack, jobs.join()),
            );
            assert.equal(
                up.filter((sample) => sample.metric.job === "stella-backend-health").length,
                4,
                failure(stack, jobs.join()),
            );
        }
    });

    it("reaches nobody during a healthy warm-up", async () => {
        // Long enough for every rule to be evaluated and a new group to wait out group_wait.
        const until = started + (groupWait + 30) * 1000;
        await new Promise((done) => setTimeout(done, Math.max(0, until - Date.now())));
        for (const stack of everyStack()) {
            assert.deepEqual(stack.receivers.of("pagerduty"), [], failure(stack, "a healthy backend paged"));
            assert.deepEqual(stack.receivers.of("slack"), [], failure(stack, "a healthy backend reached Slack"));
            const active = (await stack.alerts()).filter(
                (alert) => alert.labels.alertname !== "Watchdog" && !notRunningHere.has(alert.labels.alertname ?? ""),
            );
            assert.deepEqual(active, [], "nothing is pending or firing on healthy traffic but the Watchdog");
        }
    });

    it("starts a backend pod putting a label per request, watched while the other stacks take their faults", async () => {
        const stack = cardinality as LoopbackStack;
        const rendered = readRenderedPrometheus(stack.renderDirectory).podMonitors.find(
            (monitor) => monitor.name === "stella-backend",
        );
        assert.equal(rendered?.sampleLimit, cardinalitySampleLimit, "the render carries the overridden sample limit");
        const [bad, good] = stack.backendPodNames();
        const switchedAt = Date.now();
        await stack.setLabelPerRequest(0, true);
        // Watched in the background (the outage and recovery run meanwhile on their own stacks), polled
        // by hand: the warning is pending for about one scrape interval, between 80% and the limit.
        labelExplosion = (async () => {
            let warned: { at: number; state: string } | undefined;
            let page: { at: number; body: PagerDutyEvent } | undefined;
            for (const deadline = switchedAt + labelExplosionBudget; page === undefined && Date.now() < deadline;) {
                const near = (await stack.alerts()).find(
                    (alert) => alert.labels.alertname === "StellaScrapeSamplesNearLimit" && alert.labels.pod === bad,
                );
                if (near !== undefined && warned === undefined) warned = { at: Date.now(), state: near.state };
                page = stack.receivers
                    .of<PagerDutyEvent>("pagerduty")
                    .find(
                        (event) => isPage(event.body) && event.body.payload.summary.startsWith("StellaScrapeRejected:"),
                    );
                await new Promise((done) => setTimeout(done, 1000));
            }
            return { bad: bad as string, good: good as string, switchedAt, warned, page };
        })();
    });

    it("pages PagerDuty and Slack for a total outage and for a backend that stops answering", async () => {
        const faultAt = Date.now();
        await Promise.all([outage?.setFault({ mode: "errors", errorRatio: 1 }), hang?.setFault({ mode: "hang" })]);
        const budget = 240_000;
        await Promise.all(
            stacks().map(async (stack) => {
                const page = await stack.receivers.waitFor(
                    () => stack.receivers.of<PagerDutyEvent>("pagerduty").find((event) => isPage(event.body)),
                    budget,
                );
                assert.ok(page, failure(stack, `no PagerDuty page within ${budget / 1000} s of the fault`));
                const slack = await stack.receivers.waitFor(
                    () => stack.receivers.of<SlackMessage>("slack").find((message) => firingSlack(message.body)),
                    30_000,
                );
                assert.ok(slack, failure(stack, "the page did not reach Slack"));
                const event = page.body;
                assert.equal(event.routing_key, canaryRoutingKey);
                assert.equal(event.payload.severity, "critical");
                const [alertname, summary] = event.payload.summary.split(": ");
                assert.ok(
                    alertname !== undefined && summary !== undefined && summary.length > 10,
                    event.payload.summary,
                );
                const runbook = event.links?.find((link) => link.text === "Runbook")?.href ?? "";
                assert.equal(runbook, `${runbookBase}${alertname}.md`, "the page links the alert's runbook");
                assert.match(
                    slack.body.attachments[0]?.text ?? "",
                    new RegExp(`${runbookBase}${alertname}\\.md\\|Runbook`),
                );
                console.log(
                    `# ${stack === outage ? "total outage" : "stops answering"}: ${alertname} paged PagerDuty after ` +
                        `${Math.round((page.at - faultAt) / 1000)} s, Slack after ${Math.round((slack.at - faultAt) / 1000)} s`,
                );
            }),
        );
    });

    it("sends resolved notices to PagerDuty and Slack when the backend answers again", async () => {
        const stack = hang as LoopbackStack;
        const recoveredAt = Date.now();
        await stack.setFault({ mode: "healthy" });
        const pages = () => [
            ...new Set(
                stack.receivers
                    .of<PagerDutyEvent>("pagerduty")
                    .filter((event) => isPage(event.body))
                    .map((event) => event.body.dedup_key),
            ),
        ];
        const budget = 150_000;
        const resolved = await stack.receivers.waitFor(() => {
            const resolves = stack.receivers
                .of<PagerDutyEvent>("pagerduty")
                .filter((event) => event.at >= recoveredAt && event.body.event_action === "resolve");
            const slack = stack.receivers
                .of<SlackMessage>("slack")
                .filter((message) => message.at >= recoveredAt && resolvedSlack(message.body));
            const all = pages().every((key) => resolves.some((event) => event.body.dedup_key === key));
            return all && slack.length > 0 ? { resolves, slack } : undefined;
        }, budget);
        assert.ok(resolved, failure(stack, `no resolved notice for every page within ${budget / 1000} s of recovery`));
        const last = Math.max(...resolved.resolves.map((event) => event.at));
        console.log(
            `# recovery: PagerDuty resolved after ${Math.round((last - recoveredAt) / 1000)} s, Slack after ` +
                `${Math.round(((resolved.slack[0]?.at ?? 0) - recoveredAt) / 1000)} s`,
        );
    });

    it("warns, then pages, when a backend pod puts a label per request, naming the pod; the rest keeps working", async () => {
        const stack = cardinality as LoopbackStack;
        assert.ok(labelExplosion, "the label explosion was started");
        const { bad, good, switchedAt, warned, page } = await labelExplosion;
        const budget = labelExplosionBudget;
        assert.ok(
            page,
            failure(stack, `no StellaScrapeRejected page within ${budget / 1000} s of the label explosion`),
        );
        assert.ok(
            warned,
            failure(stack, "StellaScrapeSamplesNearLimit never went pending for the pod before the limit"),
        );
        assert.ok(warned.at <= page.at);
        assert.ok(page.body.payload.summary.includes(`ai-agents/${bad}`), page.body.payload.summary);
        assert.ok(page.body.payload.summary.includes("stella-backend"), page.body.payload.summary);
        const firing = (await stack.alerts()).filter((alert) => alert.labels.alertname === "StellaScrapeRejected");
        assert.deepEqual(
            firing.map((alert) => [alert.labels.job, alert.labels.pod, alert.state]),
            [["stella-backend", bad, "firing"]],
        );
        // Prometheus refuses that pod's scrapes and takes every other target's.
        const up = await stack.query('up{namespace="ai-agents"}');
        const upOf = (job: string, pod?: string) =>
            up.filter((sample) => sample.metric.job === job && (pod === undefined || sample.metric.pod === pod));
        assert.deepEqual(
            upOf("stella-backend", bad).map((sample) => sample.value),
            [0],
        );
        assert.deepEqual(
            upOf("stella-backend", good).map((sample) => sample.value),
            [1],
        );
        assert.deepEqual(
            upOf("stella-agents").map((sample) => sample.value),
            [1],
        );
        // A rejected scrape stores nothing: the pod's last sample is older than two scrape intervals (its
        // series stay visible for the 5m lookback), the other pod's is from its last scrape.
        const age = await stack.query(
            'time() - max by (pod) (timestamp(stella_http_requests_total{namespace="ai-agents"}))',
        );
        const ageOf = (pod: string | undefined) => age.find((sample) => sample.metric.pod === pod)?.value ?? 0;
        assert.ok(ageOf(bad) > 30, `${bad}'s last stored sample is ${ageOf(bad)} s old`);
        assert.ok(ageOf(good) <= 30, `${good}'s last stored sample is ${ageOf(good)} s old`);
        // Every other rule still evaluates, and nothing else fires or pages.
        const broken = (await stack.rules()).filter((rule) => rule.health !== "ok");
        assert.deepEqual(broken, [], "every rule evaluates");
        const expected = new Set([
            "Watchdog",
            "StellaScrapeSamplesNearLimit",
            "StellaScrapeRejected",
            ...notRunningHere,
        ]);
        const others = (await stack.alerts()).filter((alert) => !expected.has(alert.labels.alertname ?? ""));
        assert.deepEqual(others, [], "no other alert is pending or firing");
        const otherPages = stack.receivers
            .of<PagerDutyEvent>("pagerduty")
            .filter((event) => isPage(event.body) && !event.body.payload.summary.startsWith("StellaScrapeRejected:"));
        assert.deepEqual(otherPages, [], "nothing else paged");
        console.log(
            `# label per request: StellaScrapeSamplesNearLimit ${warned.state} after ${Math.round((warned.at - switchedAt) / 1000)} s, ` +
                `StellaScrapeRejected paged PagerDuty after ${Math.round((page.at - switchedAt) / 1000)} s ` +
                `(sample limit ${cardinalitySampleLimit})`,
        );
        await stack.setLabelPerRequest(0, false);
    });

    it("pings the heartbeat with the Watchdog at the route's cadence, and nobody else", () => {
        const beats = (outage as LoopbackStack).receivers.of<WebhookMessage>("heartbeat");
        assert.ok(
            beats.length >= 3,
            `only ${beats.length} heartbeats in ${Math.round((Date.now() - started) / 1000)} s`,
        );
        const gaps = beats.slice(1).map((beat, index) => (beat.at - (beats[index]?.at ?? 0)) / 1000);
        console.log(`# heartbeat gaps (s): ${gaps.map((gap) => gap.toFixed(1)).join(", ")}`);
        for (const gap of gaps) assert.ok(Math.abs(gap - heartbeatCadence) <= 10, `a heartbeat gap of ${gap} s`);
        for (const beat of beats)
            assert.deepEqual(
                beat.body.alerts.map((alert) => alert.labels.alertname),
                ["Watchdog"],
            );
        for (const stack of stacks())
            for (const kind of ["pagerduty", "slack"] as const)
                assert.doesNotMatch(JSON.stringify(stack.receivers.of(kind)), /Watchdog/);
    });
});
