// Alertmanager as it will run: the rendered alertmanager.yaml of each stack, checked by amtool, its
// routes tested, and its inhibition proven on a real Alertmanager (Debian's prometheus-alertmanager)
// listening on loopback, fed alerts through its API.

import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { overrideFlags, placeholderSecrets } from "../tools/offline-config";
import { temporaryDirectory } from "./temporary";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const stagingSecrets = overrideFlags(placeholderSecrets);

/** Renders a stack and returns the path of its alertmanager.yaml. */
function renderAlertmanager(stack: string, extra: string[] = []): string {
    const out = temporaryDirectory(`am-${stack}-`);
    const result = spawnSync(tsx, ["tools/render.ts", "--stack", stack, "--out", out, ...extra], {
        cwd: root,
        encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return join(out, stack, "alertmanager.yaml");
}

function amtool(args: string[]): string {
    try {
        return execFileSync("amtool", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (error) {
        const failure = error as { code?: string; stdout?: string; stderr?: string };
        if (failure.code === "ENOENT")
            assert.fail("amtool is not installed (apt-get install prometheus-alertmanager; .ci/run does it)");
        assert.fail(`amtool ${args.join(" ")} failed:\n${failure.stdout ?? ""}${failure.stderr ?? ""}`);
    }
}

const route = (file: string, labels: string[]) =>
    amtool(["config", "routes", "test", `--config.file=${file}`, ...labels]);

describe("alertmanager.yaml", () => {
    let prod: string;
    let dev: string;
    let devWithSlack: string;
    let withHeartbeat: string;
    before(() => {
        prod = renderAlertmanager("prod", stagingSecrets);
        dev = renderAlertmanager("dev");
        devWithSlack = renderAlertmanager(
            "dev",
            overrideFlags(placeholderSecrets.filter((secret) => secret.path === "alerting.slackWebhookUrl")),
        );
        withHeartbeat = renderAlertmanager("staging", [
            ...stagingSecrets,
            "--config",
            "alerting.heartbeatUrl=https://hc-ping.example.com/abc",
        ]);
    });

    it("is accepted by amtool check-config in every variant", () => {
        for (const file of [prod, dev, devWithSlack, withHeartbeat])
            assert.match(amtool(["check-config", file]), /SUCCESS/);
    });

    it("pages PagerDuty for critical alerts and sends the rest to Slack", () => {
        assert.equal(
            route(prod, ["severity=critical", "alertname=HighErrorRate", "service=stella-backend"]),
            "pagerduty,slack",
        );
        assert.equal(route(prod, ["severity=warning", "alertname=HighLatency", "service=stella-backend"]), "slack");
        assert.equal(route(prod, ["severity=info", "alertname=Something"]), "slack");
    });

    it("keeps Watchdog away from people, or sends it to the dead man's switch when one is configured", () => {
        assert.equal(route(prod, ["alertname=Watchdog", "severity=none"]), "null");
        assert.equal(route(withHeartbeat, ["alertname=Watchdog", "severity=none"]), "heartbeat");
        assert.equal(route(withHeartbeat, ["severity=critical", "alertname=HighErrorRate"]), "pagerduty,slack");
    });

    it("sends critical alerts to Slack when PagerDuty is not configured, and drops everything without receivers", () => {
        assert.equal(route(devWithSlack, ["severity=critical", "alertname=HighErrorRate"]), "slack");
        assert.equal(route(dev, ["severity=critical", "alertname=HighErrorRate"]), "null");
    });

    it("reports resolved alerts and carries runbook and dashboard links", () => {
        const text = readFileSync(prod, "utf8");
        assert.equal((text.match(/send_resolved: true/g) ?? []).length, 2);
        assert.match(text, /runbook_url/);
        assert.match(text, /dashboard_url/);
    });
});

async function freePort(): Promise<number> {
    return new Promise((done, fail) => {
        const server = createServer();
        server.once("error", fail);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => done(typeof address === "object" && address !== null ? address.port : 0));
        });
    });
}

interface ApiAlert {
    labels: Record<string, string>;
    status: { state: string; inhibitedBy: string[] };
}

describe("inhibition on a running Alertmanager", () => {
    let alertmanager: ChildProcess | undefined;
    let url = "";

    before(async () => {
        // The rendered prod config, with the receiver files it reads at /etc/alertmanager/secrets/…
        // moved into a temporary directory: nothing else changes.
        const directory = temporaryDirectory("am-live-");
        const secrets = join(directory, "secrets");
        const config = readFileSync(renderAlertmanager("prod", stagingSecrets), "utf8").replaceAll(
            "/etc/alertmanager/secrets",
            secrets,
        );
        for (const key of ["slack-webhook-url", "pagerduty-routing-key"]) {
            mkdirSync(join(secrets, "kube-prometheus-stack-alertmanager-receivers"), { recursive: true });
            writeFileSync(
                join(secrets, "kube-prometheus-stack-alertmanager-receivers", key),
                key === "slack-webhook-url" ? "http://127.0.0.1:9/" : "canary",
            );
        }
        writeFileSync(join(directory, "alertmanager.yaml"), config);
        const port = await freePort();
        url = `http://127.0.0.1:${port}`;
        alertmanager = spawn(
            "prometheus-alertmanager",
            [
                `--config.file=${join(directory, "alertmanager.yaml")}`,
                `--storage.path=${join(directory, "data")}`,
                `--web.listen-address=127.0.0.1:${port}`,
                "--cluster.listen-address=",
            ],
            { stdio: "ignore" },
        );
        alertmanager.once("error", (error) => assert.fail(`prometheus-alertmanager did not start: ${error.message}`));
        for (let attempt = 0; attempt < 100; attempt++) {
            try {
                if ((await fetch(`${url}/-/ready`)).ok) return;
            } catch {
                // not listening yet
            }
            await new Promise((done) => setTimeout(done, 100));
        }
        assert.fail("Alertmanager did not become ready within 10 s");
    });

    after(() => {
        alertmanager?.kill();
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

    it("lets a down backend silence its symptoms, and not itself", async () => {
        const state = await fire(
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
        assert.equal(inhibited(state.get("StellaBackendDown/critical")), false);
        assert.equal(inhibited(state.get("HighErrorRate/critical")), true);
        assert.equal(inhibited(state.get("StellaBackendNotReady/warning")), true);
        assert.equal(inhibited(state.get("AgentPodFailures/critical")), false, "another service's alert stays");
    });

    it("lets a critical alert silence the warning of the same alert and service", async () => {
        const state = await fire(
            [
                { alertname: "DiskFilling", severity: "critical", service: "loki", namespace: "monitoring" },
                { alertname: "DiskFilling", severity: "warning", service: "loki", namespace: "monitoring" },
                { alertname: "OtherWarning", severity: "warning", service: "loki", namespace: "monitoring" },
            ],
            ["DiskFilling/warning"],
        );
        assert.equal(inhibited(state.get("DiskFilling/warning")), true);
        assert.equal(inhibited(state.get("DiskFilling/critical")), false);
        assert.equal(inhibited(state.get("OtherWarning/warning")), false);
    });

    it("pages once for one cause: a fast burn silences the high error rate", async () => {
        const state = await fire(
            [
                { alertname: "StellaAvailabilityFastBurn", severity: "critical", service: "stella-backend" },
                { alertname: "HighErrorRate", severity: "critical", service: "stella-backend" },
            ],
            ["HighErrorRate/critical"],
        );
        assert.equal(inhibited(state.get("HighErrorRate/critical")), true);
        assert.equal(inhibited(state.get("StellaAvailabilityFastBurn/critical")), false);
    });

    it("lets a fast burn silence its slow twin", async () => {
        const state = await fire(
            [
                { alertname: "StellaLatencyFastBurn", severity: "critical", service: "stella-backend" },
                { alertname: "StellaLatencySlowBurn", severity: "warning", service: "stella-backend" },
            ],
            ["StellaLatencySlowBurn/warning"],
        );
        assert.equal(inhibited(state.get("StellaLatencySlowBurn/warning")), true);
    });
});
