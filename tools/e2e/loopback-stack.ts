// One STELLA monitoring stack on loopback, from the offline render of prod: two fake backend pods
// (prom-client) and a fake agent (Python prometheus_client), a real Blackbox exporter, a real Prometheus
// 3.5 with the rendered rule file, a real Alertmanager 0.33 with the rendered alertmanager.yaml, and fake
// Slack, PagerDuty and heartbeat receivers. Everything binds 127.0.0.1; every process is stopped by its
// PID in stop(), and start() stops what it started when it fails half-way.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { localAlertmanagerConfig, startAlertmanager } from "./alertmanager-local";
import type { Fault } from "./fake-backend";
import {
    blackboxChartConfig,
    localPrometheusConfig,
    readRenderedPrometheus,
    watchdogRuleFile,
    type FakePod,
} from "./prometheus-local";
import { freePort, startProcess, waitReady, type RunningProcess } from "./processes";
import { FakeReceivers } from "./receivers";
import { placeholderSecretFlags, renderInProcess } from "../render-process";

const root = resolve(__dirname, "..", "..");

/** The routing key the fake PagerDuty must receive: a canary, never a real key. */
export const canaryRoutingKey = "CANARYe2eRoutingKey0123456789";

export interface LoopbackStackOptions {
    /** Extra render flags (--config <path>=<value>), e.g. a shorter group interval the caller states. */
    readonly renderFlags?: string[];
    /** Healthy request history written into Prometheus' TSDB before it starts (promtool backfill). */
    readonly backfillHours?: number;
    /** API requests per second the traffic generator sends, spread over the pods. Default 10. */
    readonly requestsPerSecond?: number;
}

interface BackendPod extends FakePod {
    readonly adminPort: number;
}

export class LoopbackStack {
    readonly receivers = new FakeReceivers();
    readonly directory = mkdtempSync(join(tmpdir(), "stella-e2e-"));
    private readonly processes: RunningProcess[] = [];
    private backends: BackendPod[] = [];
    private traffic: NodeJS.Timeout | undefined;
    prometheusUrl = "";
    alertmanagerUrl = "";
    /** The rendered files of the stack (prod). */
    renderDirectory = "";

    static async start(options: LoopbackStackOptions = {}): Promise<LoopbackStack> {
        const stack = new LoopbackStack();
        try {
            await stack.boot(options);
        } catch (error) {
            await stack.stop();
            throw error;
        }
        return stack;
    }

    /** The rendered alertmanager.yaml's text. */
    renderedAlertmanager(): string {
        return readFileSync(join(this.renderDirectory, "alertmanager.yaml"), "utf8");
    }

    private async boot(options: LoopbackStackOptions): Promise<void> {
        // The prod render, with placeholder secrets (the real ones are written below as files).
        const out = join(this.directory, "render");
        this.renderDirectory = renderInProcess("prod", out, [
            ...placeholderSecretFlags("prod"),
            ...(options.renderFlags ?? []),
        ]);

        await this.receivers.start();
        const alertmanager = await startAlertmanager(
            this.directory,
            localAlertmanagerConfig(this.renderedAlertmanager(), this.directory, {
                secrets: {
                    slackWebhookUrl: this.receivers.url("slack"),
                    pagerdutyRoutingKey: canaryRoutingKey,
                    heartbeatUrl: this.receivers.url("heartbeat"),
                },
                pagerdutyUrl: this.receivers.url("pagerduty"),
            }),
        );
        this.processes.push(alertmanager.process);
        this.alertmanagerUrl = alertmanager.url;

        const rendered = readRenderedPrometheus(this.renderDirectory);
        const appOf = (job: string) =>
            rendered.podMonitors.find((monitor) =>
                monitor.podMetricsEndpoints.some((endpoint) =>
                    (endpoint.relabelings ?? []).some((rule) => rule.targetLabel === "job" && rule.replacement === job),
                ),
            )?.selector.matchLabels.app;
        const backendApp = appOf("stella-backend");
        const agentApp = appOf("stella-agents");
        if (backendApp === undefined || agentApp === undefined)
            throw new Error("the render has no PodMonitor giving job stella-backend or stella-agents");

        for (const suffix of ["7d9f8-a1", "7d9f8-b2"]) {
            const pod = { name: `${backendApp}-${suffix}`, port: await freePort(), adminPort: await freePort() };
            const process = await startProcess(
                `backend ${pod.name}`,
                "node",
                [
                    "--import",
                    "tsx",
                    "tools/e2e/fake-backend.ts",
                    "--port",
                    String(pod.port),
                    "--admin-port",
                    String(pod.adminPort),
                    "--pod",
                    pod.name,
                ],
                { cwd: root },
            );
            this.processes.push(process);
            await waitReady(process, `http://127.0.0.1:${pod.port}/health`);
            this.backends.push(pod);
        }
        const agent: FakePod = { name: `${agentApp}-5c6d7-c3`, port: await freePort() };
        const agentProcess = await startProcess(
            "agent",
            "python3",
            ["tools/e2e/fake-agent.py", "--port", String(agent.port)],
            {
                cwd: root,
            },
        );
        this.processes.push(agentProcess);
        await waitReady(agentProcess, `http://127.0.0.1:${agent.port}/metrics`);

        const blackboxPort = await freePort();
        const blackboxConfig = join(this.directory, "blackbox.yml");
        writeFileSync(blackboxConfig, stringify(blackboxChartConfig));
        const blackbox = await startProcess("blackbox_exporter", "blackbox_exporter", [
            `--config.file=${blackboxConfig}`,
            `--web.listen-address=127.0.0.1:${blackboxPort}`,
        ]);
        this.processes.push(blackbox);
        await waitReady(blackbox, `http://127.0.0.1:${blackboxPort}/-/healthy`);

        const watchdog = join(this.directory, "watchdog.rules.yaml");
        writeFileSync(watchdog, stringify(watchdogRuleFile));
        const prometheusConfig = join(this.directory, "prometheus.yml");
        writeFileSync(
            prometheusConfig,
            stringify(
                localPrometheusConfig(rendered, {
                    podsByApp: { [backendApp]: this.backends, [agentApp]: [agent] },
                    blackbox: `127.0.0.1:${blackboxPort}`,
                    alertmanager: alertmanager.url.replace("http://", ""),
                    ruleFiles: [join(this.renderDirectory, "prometheus-rules.yaml"), watchdog],
                }),
            ),
        );
        const data = join(this.directory, "prometheus-data");
        if (options.backfillHours !== undefined)
            backfillHealthyHistory(this.directory, data, options.backfillHours, options.requestsPerSecond ?? 10);
        const prometheusPort = await freePort();
        const prometheus = await startProcess("prometheus", "prometheus", [
            `--config.file=${prometheusConfig}`,
            `--storage.tsdb.path=${data}`,
            `--web.listen-address=127.0.0.1:${prometheusPort}`,
        ]);
        this.processes.push(prometheus);
        this.prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
        await waitReady(prometheus, `${this.prometheusUrl}/-/ready`, 60_000);

        // The traffic generator: steady API calls spread over the pods, each bounded in time.
        const perTick = Math.max(1, Math.round((options.requestsPerSecond ?? 10) / 10));
        let next = 0;
        this.traffic = setInterval(() => {
            for (let index = 0; index < perTick; index++) {
                const pod = this.backends[next++ % this.backends.length] as BackendPod;
                fetch(`http://127.0.0.1:${pod.port}/api/sessions`, { signal: AbortSignal.timeout(2000) }).then(
                    (response) => void response.arrayBuffer().catch(() => undefined),
                    () => undefined,
                );
            }
        }, 100);
    }

    /** Injects a fault into every backend pod (a total outage, errors, hang) or heals them. */
    async setFault(fault: Fault): Promise<void> {
        await Promise.all(
            this.backends.map(async (pod) => {
                const response = await fetch(`http://127.0.0.1:${pod.adminPort}/fault`, {
                    method: "POST",
                    body: JSON.stringify(fault),
                    signal: AbortSignal.timeout(5000),
                });
                if (!response.ok) throw new Error(`fault injection into ${pod.name} failed: ${response.status}`);
            }),
        );
    }

    /** The backend pods' names, in the order `setLabelPerRequest` counts them. */
    backendPodNames(): string[] {
        return this.backends.map((pod) => pod.name);
    }

    /** Makes one backend pod (by index) put a new `user_id` label value on a counter with every API request, or stop. */
    async setLabelPerRequest(index: number, on: boolean): Promise<void> {
        const pod = this.backends[index];
        if (pod === undefined) throw new Error(`no backend pod ${index}`);
        const response = await fetch(`http://127.0.0.1:${pod.adminPort}/label-per-request`, {
            method: "POST",
            body: JSON.stringify({ on }),
            signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new Error(`switching ${pod.name}'s label per request failed: ${response.status}`);
    }

    /** Prometheus' instant query, as numbers by their labels' JSON. */
    async query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]> {
        const response = await fetch(`${this.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = (await response.json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
    }

    /** Every rule Prometheus evaluates, with its health and last error. */
    async rules(): Promise<{ name: string; health: string; lastError?: string }[]> {
        const response = await fetch(`${this.prometheusUrl}/api/v1/rules`);
        const body = (await response.json()) as {
            data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
        };
        return body.data.groups.flatMap((group) => group.rules);
    }

    /** Prometheus' active alerts (pending and firing). */
    async alerts(): Promise<{ labels: Record<string, string>; state: string }[]> {
        const response = await fetch(`${this.prometheusUrl}/api/v1/alerts`);
        return ((await response.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } })
            .data.alerts;
    }

    /** The last lines each process logged, for a failure message. */
    logs(): string {
        return this.processes
            .map((process) => `--- ${process.name} (pid ${process.pid})\n${process.log().slice(-1500)}`)
            .join("\n");
    }

    async stop(): Promise<void> {
        if (this.traffic !== undefined) clearInterval(this.traffic);
        for (const process of [...this.processes].reverse()) await process.stop();
        this.processes.length = 0;
        await this.receivers.stop();
        rmSync(this.directory, { recursive: true, force: true });
    }
}

/**
 * Writes `hours` of healthy backend traffic (requests, latencies under the SLO threshold) into the
 * TSDB with `promtool tsdb create-blocks-from openmetrics`, ending a scrape interval before now, so that
 * the 1h and 6h burn-rate windows of a fresh Prometheus hold what a long-running backend's hold: an
 * error share diluted by hours of good traffic, not by a few minutes of it.
 */
export function backfillHealthyHistory(
    directory: string,
    data: string,
    hours: number,
    requestsPerSecond: number,
): void {
    const step = 15;
    const end = Math.floor(Date.now() / 1000) - step;
    const start = end - hours * 3600;
    const labels = 'job="stella-backend",namespace="ai-agents",pod="history",method="GET",route="/api/sessions"';
    const requests: string[] = ["# TYPE stella_http_requests counter"];
    const buckets = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
    const histogram: string[] = ["# TYPE stella_http_request_duration histogram"];
    const series = (name: string, extra: string, value: (t: number) => number, into: string[]) => {
        for (let t = start; t <= end; t += step) into.push(`${name}{${labels}${extra}} ${value(t)} ${t}`);
    };
    const count = (t: number) => Math.round((t - start) * requestsPerSecond);
    series("stella_http_requests_total", ',status="200"', count, requests);
    // Every request well under the SLO threshold: the 0.05 s bucket holds them all.
    for (const le of buckets) series("stella_http_request_duration_bucket", `,le="${le}"`, count, histogram);
    series("stella_http_request_duration_count", "", count, histogram);
    series("stella_http_request_duration_sum", "", (t) => count(t) * 0.01, histogram);
    const file = join(directory, "history.om");
    writeFileSync(file, [...requests, ...histogram, "# EOF", ""].join("\n"));
    const result = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, data], {
        encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`promtool backfill failed:\n${result.stdout}${result.stderr}`);
}
