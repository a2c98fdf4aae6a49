// Alertmanager as it will run: the rendered alertmanager.yaml of each stack, checked by amtool, its
// routes tested, its inhibition and the notifications it sends (PagerDuty, Slack, heartbeat, recorded
// by fakes) proven on a real Alertmanager 0.33 listening on loopback, fed alerts through its API.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, it } from "node:test";
import { overrideFlags, placeholderSecrets } from "../tools/offline-config";
import { localAlertmanagerConfig, startAlertmanager, type LocalAlertmanager } from "../tools/e2e/alertmanager-local";
import { FakeReceivers, type PagerDutyEvent, type SlackMessage, type WebhookMessage } from "../tools/e2e/receivers";
import { requireToolVersion } from "../tools/tool-versions";
import { placeholderSecretFlags, renderedFile } from "./support/render";
import { temporaryDirectory } from "./support/temporary";
import { amtool, routeTest } from "./support/tools";

const stagingSecrets = placeholderSecretFlags("staging");

// Alertmanager 0.27 changed its matcher parser; the cluster runs 0.34. Refuse anything older than 0.33.
before(() => {
    requireToolVersion("amtool", "0.33");
    requireToolVersion("alertmanager", "0.33");
});

describe("alertmanager.yaml", () => {
    let prod: string;
    let dev: string;
    let devWithSlack: string;
    let withoutHeartbeat: string;
    before(() => {
        prod = renderedFile("prod", "alertmanager.yaml", stagingSecrets);
        dev = renderedFile("dev", "alertmanager.yaml");
        devWithSlack = renderedFile(
            "dev",
            "alertmanager.yaml",
            overrideFlags(placeholderSecrets.filter((secret) => secret.path === "alerting.slackWebhookUrl")),
        );
        withoutHeartbeat = renderedFile(
            "staging",
            "alertmanager.yaml",
            overrideFlags(placeholderSecrets.filter((secret) => secret.path !== "alerting.heartbeatUrl")),
        );
    });

    it("is accepted by amtool check-config in every variant", () => {
        for (const file of [prod, dev, devWithSlack, withoutHeartbeat])
            assert.match(amtool(["check-config", file]), /SUCCESS/);
    });

    it("pages PagerDuty for critical alerts and sends the rest to Slack", () => {
        assert.equal(
            routeTest(prod, ["severity=critical", "alertname=HighErrorRate", "service=stella-backend"]),
            "pagerduty,slack",
        );
        assert.equal(routeTest(prod, ["severity=warning", "alertname=HighLatency", "service=stella-backend"]), "slack");
        assert.equal(routeTest(prod, ["severity=info", "alertname=Something"]), "slack");
    });

    it("keeps Watchdog away from people, or sends it to the dead man's switch when one is configured", () => {
        assert.equal(routeTest(prod, ["alertname=Watchdog", "severity=none"]), "heartbeat");
        assert.equal(routeTest(prod, ["severity=critical", "alertname=HighErrorRate"]), "pagerduty,slack");
        assert.equal(routeTest(withoutHeartbeat, ["alertname=Watchdog", "severity=none"]), "null");
        assert.equal(routeTest(dev, ["alertname=Watchdog", "severity=none"]), "null");
    });

    it("sends critical alerts to Slack when PagerDuty is not configured, and drops everything without receivers", () => {
        assert.equal(routeTest(devWithSlack, ["severity=critical", "alertname=HighErrorRate"]), "slack");
        assert.equal(routeTest(dev, ["severity=critical", "alertname=HighErrorRate"]), "null");
    });

    it("reports resolved alerts and carries runbook and dashboard links", () => {
        const text = readFileSync(prod, "utf8");
        assert.equal((text.match(/send_resolved: true/g) ?? []).length, 2);
        assert.match(text, /runbook_url/);
        assert.match(text, /dashboard_url/);
    });
});

interface ApiAlert {
    labels: Record<string, string>;
    status: { state: string; inhibitedBy: string[] };
}

describe("inhibition on a running Alertmanager", () => {
    let alertmanager: LocalAlertmanager | undefined;
    let url = "";

    before(async () => {
        // The rendered prod config, with the receiver files it reads at /etc/alertmanager/secrets/…
        // moved into a temporary directory (receivers that go nowhere): nothing else changes.
        const directory = temporaryDirectory("am-live-");
        const config = localAlertmanagerConfig(
            readFileSync(renderedFile("prod", "alertmanager.yaml", stagingSecrets), "utf8"),
            directory,
            {
                secrets: {
                    slackWebhookUrl: "http://127.0.0.1:9/",
                    pagerdutyRoutingKey: "canary",
                    heartbeatUrl: "http://127.0.0.1:9/",
                },
                pagerdutyUrl: "http://127.0.0.1:9/",
            },
        );
        alertmanager = await startAlertmanager(directory, config);
        url = alertmanager.url;
    });

    after(async () => {
        await alertmanager?.process.stop();
    });

    // Alerts stay active until resolved; resolve each test's alerts so that none inhibits the next test's.
    let posted: Record<string, string>[] = [];
    afterEach(async () => {
        const endsAt = new Date(Date.now() - 1000).toISOString();
        await fetch(`${url}/api/v2/alerts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(posted.map((labels) => ({ labels, endsAt }))),
        });
        posted = [];
    });

    const inhibited = (alert: ApiAlert | undefined) =>
        alert !== undefined && alert.status.state === "suppressed" && alert.status.inhibitedBy.length > 0;

    /**
     * Posts the alerts, then reads them back until the inhibitor (which takes alerts asynchronously)
     * shows `expected` as the inhibited ones, or 5 s have passed; the caller asserts on what it got.
     */
    async function fire(alerts: Record<string, string>[], expected: string[]): Promise<Map<string, ApiAlert>> {
        posted = alerts;
        const startsAt = new Date().toISOString();
        const response = await fetch(`${url}/api/v2/alerts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt }))),
        });
        assert.equal(response.status, 200);
        const keys = new Set(alerts.map((labels) => `${labels.alertname}/${labels.severity}`));
        let state = new Map<string, ApiAlert>();
        for (let attempt = 0; attempt < 50; attempt++) {
            const listed = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
            state = new Map(listed.map((alert) => [`${alert.labels.alertname}/${alert.labels.severity}`, alert]));
            const now = [...keys].filter((key) => inhibited(state.get(key))).sort();
            if (JSON.stringify(now) === JSON.stringify([...expected].sort())) break;
            await new Promise((done) => setTimeout(done, 100));
        }
        return state;
    }

    /** Fires the alerts and asserts that exactly the `muted` ones (alertname/severity) are inhibited. */
    async function assertMutes(alerts: Record<string, string>[], muted: string[]): Promise<void> {
        const state = await fire(alerts, muted);
        const keys = alerts.map((labels) => `${labels.alertname}/${labels.severity}`);
        assert.deepEqual(
            keys.filter((key) => inhibited(state.get(key))),
            keys.filter((key) => muted.includes(key)),
        );
    }

    it("lets a down backend silence its symptoms, and not itself nor another service's alert", async () => {
        await assertMutes(
            [
                {
                    alertname: "StellaBackendDown",
                    severity: "critical",
                    service: "stella-backend",
                    namespace: "ai-agents",
                },
                { alertname: "HighErrorRate", severity: "critical", service: "stella-backend" },
                { alertname: "StellaBackendNotReady", severity: "warning", service: "stella-backend" },
                {
                    alertname: "AgentPodFailures",
                    severity: "critical",
                    service: "stella-agent",
                    namespace: "ai-agents",
                },
            ],
            ["HighErrorRate/critical", "StellaBackendNotReady/warning"],
        );
    });

    it("lets a critical alert silence the warning of the same alert and service", async () => {
        await assertMutes(
            [
                { alertname: "DiskFilling", severity: "critical", service: "loki", namespace: "monitoring" },
                { alertname: "DiskFilling", severity: "warning", service: "loki", namespace: "monitoring" },
                { alertname: "OtherWarning", severity: "warning", service: "loki", namespace: "monitoring" },
            ],
            ["DiskFilling/warning"],
        );
    });

    it("pages once for one cause: a fast burn silences the high error rate", async () => {
        await assertMutes(
            [
                { alertname: "StellaAvailabilityFastBurn", severity: "critical", service: "stella-backend" },
                { alertname: "HighErrorRate", severity: "critical", service: "stella-backend" },
            ],
            ["HighErrorRate/critical"],
        );
    });

    it("lets the outage page silence the high error rate and the slow burn, and not the fast burn", async () => {
        // Muted by the outage, the fast burn would page only after the recovery, when the outage clears
        // and the fast burn's 5m window still holds the errors.
        await assertMutes(
            [
                { alertname: "StellaBackendOutage", severity: "critical", service: "stella-backend" },
                { alertname: "StellaAvailabilityFastBurn", severity: "critical", service: "stella-backend" },
                { alertname: "StellaAvailabilitySlowBurn", severity: "warning", service: "stella-backend" },
                { alertname: "HighErrorRate", severity: "critical", service: "stella-backend" },
            ],
            ["StellaAvailabilitySlowBurn/warning", "HighErrorRate/critical"],
        );
    });

    it("lets a fast burn silence its slow twin", async () => {
        await assertMutes(
            [
                { alertname: "StellaLatencyFastBurn", severity: "critical", service: "stella-backend" },
                { alertname: "StellaLatencySlowBurn", severity: "warning", service: "stella-backend" },
            ],
            ["StellaLatencySlowBurn/warning"],
        );
    });
});

describe("what a running Alertmanager sends PagerDuty, Slack and the heartbeat", () => {
    // The rendered prod config, run here (tools/e2e/alertmanager-local.ts: credential files in a
    // temporary folder, PagerDuty's URL on loopback); group_wait 1s through its config key, so that each
    // notification comes at once rather than after the 30 s a real group waits.
    const receivers = new FakeReceivers();
    let alertmanager: LocalAlertmanager | undefined;
    const description = "27.6% of requests are failing: at this rate the monthly error budget is gone in 2h";

    before(async () => {
        await receivers.start();
        const directory = temporaryDirectory("am-notify-");
        const rendered = readFileSync(
            renderedFile("prod", "alertmanager.yaml", [
                ...stagingSecrets,
                "--secret",
                "alerting.heartbeatUrl=https://hc-ping.example.com/canary",
                "--config",
                "alerting.groupWait=1s",
            ]),
            "utf8",
        );
        const config = localAlertmanagerConfig(rendered, directory, {
            secrets: {
                slackWebhookUrl: receivers.url("slack"),
                pagerdutyRoutingKey: "CANARYroutingKey0123456789",
                heartbeatUrl: receivers.url("heartbeat"),
            },
            pagerdutyUrl: receivers.url("pagerduty"),
        });
        alertmanager = await startAlertmanager(directory, config);
        const startsAt = new Date().toISOString();
        const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify([
                {
                    labels: {
                        alertname: "StellaAvailabilityFastBurn",
                        severity: "critical",
                        service: "stella-backend",
                    },
                    annotations: {
                        summary: "STELLA backend burns its error budget 14x too fast",
                        description,
                        runbook_url: "https://runbooks.example.com/StellaAvailabilityFastBurn.md",
                    },
                    startsAt,
                },
                { labels: { alertname: "Watchdog", severity: "none" }, startsAt },
            ]),
        });
        assert.equal(response.status, 200);
        const arrived = await receivers.waitFor(
            () =>
                ["pagerduty", "slack", "heartbeat"].every(
                    (kind) => receivers.of(kind as "pagerduty" | "slack" | "heartbeat").length > 0,
                ) || undefined,
            15_000,
        );
        assert.ok(
            arrived,
            `not every receiver was notified within 15 s: ${JSON.stringify(receivers.notifications)}\n${alertmanager.process.log()}`,
        );
    });

    after(async () => {
        await alertmanager?.process.stop();
        await receivers.stop();
    });

    it("pages PagerDuty with the routing key from the Secret and the alert's own severity", () => {
        const [event] = receivers.of<PagerDutyEvent>("pagerduty");
        assert.equal(event?.body.routing_key, "CANARYroutingKey0123456789");
        assert.equal(event?.body.event_action, "trigger");
        assert.equal(event?.body.payload.severity, "critical", "PagerDuty's severity is the alert's, not `error`");
        assert.match(event?.body.payload.summary ?? "", /burns its error budget 14x too fast/);
        assert.deepEqual(
            event?.body.links?.find((link) => link.text === "Runbook")?.href,
            "https://runbooks.example.com/StellaAvailabilityFastBurn.md",
        );
    });

    it("gives the on-call the description as written, not parsed into a map", () => {
        const [event] = receivers.of<PagerDutyEvent>("pagerduty");
        const firing = event?.body.payload.custom_details?.firing;
        assert.equal(typeof firing, "string", `custom_details.firing is ${JSON.stringify(firing)}`);
        assert.ok((firing as string).includes(description), `custom_details.firing is ${JSON.stringify(firing)}`);
        assert.equal(event?.body.payload.custom_details?.service, "stella-backend");
    });

    it("posts to the Slack webhook with no channel of its own: the webhook decides where it lands", () => {
        const [message] = receivers.of<SlackMessage>("slack");
        assert.equal(message?.body.channel, undefined);
        assert.match(message?.body.attachments[0]?.text ?? "", /27\.6% of requests are failing: at this rate/);
    });

    it("sends the Watchdog to the heartbeat URL read from the receivers Secret, and nowhere else", () => {
        const beats = receivers.of<WebhookMessage>("heartbeat");
        assert.ok(beats.length > 0);
        assert.deepEqual(
            beats.flatMap((beat) => beat.body.alerts.map((alert) => alert.labels.alertname)),
            beats.map(() => "Watchdog"),
        );
        for (const kind of ["pagerduty", "slack"] as const) {
            assert.doesNotMatch(JSON.stringify(receivers.of(kind)), /Watchdog/);
        }
    });
});
