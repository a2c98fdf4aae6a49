// After `pulumi up`: proves, from the stack's outputs, that each component answers and that it runs
// what this stack configured, which `/-/ready` cannot show: Prometheus has loaded every STELLA rule
// group and scrapes the backend and the agents, Alertmanager runs this stack's config with its Slack
// and PagerDuty receivers, Grafana holds the data sources and dashboards. In-cluster services are
// reached through `kubectl port-forward` (which enters the pod's own network, so the namespace's
// NetworkPolicies do not stand in the way), so the runner needs only its kubeconfig; Grafana is called
// at its public URL, as users reach it, with the admin credentials of the outputs.
//
//   pulumi stack output --json --show-secrets | npm run smoke -- [--context <kube context>] [--attempts <n>]   (--help says it all)

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { SmokeExpectations } from "../stack";
import { runCli, type Command, type Values } from "./cli";

export type { SmokeExpectations };

/** Where a check calls: a Service to port-forward to, or an absolute base URL. */
export type Endpoint =
    | { readonly kind: "service"; readonly namespace: string; readonly service: string; readonly port: number }
    | { readonly kind: "url"; readonly url: string };

export interface SmokeCheck {
    readonly name: string;
    readonly endpoint: Endpoint;
    /** The path (and query) called on the endpoint. */
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
    /** Throws, saying what is wrong, unless the answer shows what the stack configured. Default: any 2xx. */
    readonly verify?: (body: string) => void;
    /** Why the check cannot run at all (it then fails with this, without a call). */
    readonly blockedBy?: string;
}

/** What to pipe in, said when nothing is. */
export const usage =
    "pipe the stack's outputs in: pulumi stack output --json --show-secrets | npm run smoke -- [--context <kube context>]\n" +
    "(--show-secrets gives the Grafana admin password, with which the check reads Grafana's data sources and dashboards; it is never printed)";

/** http://<service>.<namespace>.svc.cluster.local[:<port>] -> the Service to port-forward to. */
export function serviceEndpoint(inClusterUrl: string): Endpoint {
    const url = new URL(inClusterUrl);
    const [service, namespace] = url.hostname.split(".");
    if (service === undefined || namespace === undefined || !url.hostname.endsWith(".svc.cluster.local")) {
        throw new Error(`not an in-cluster service URL: ${inClusterUrl}`);
    }
    return { kind: "service", namespace, service, port: url.port === "" ? 80 : Number(url.port) };
}

function json(body: string): unknown {
    try {
        return JSON.parse(body) as unknown;
    } catch {
        throw new Error(`answered something that is not JSON: ${body.slice(0, 80)}`);
    }
}

const missing = (what: string, names: readonly string[]) => `${what} missing: ${names.join(", ")}`;

/** Every STELLA rule group is loaded, and none of its rules fails to evaluate. */
export function verifyRules(expected: readonly string[]) {
    return (body: string) => {
        const groups =
            (
                json(body) as {
                    data?: {
                        groups?: { name: string; rules?: { name: string; health?: string; lastError?: string }[] }[];
                    };
                }
            ).data?.groups ?? [];
        const loaded = new Set(groups.map((group) => group.name));
        const absent = expected.filter((name) => !loaded.has(name));
        if (absent.length > 0) throw new Error(missing("rule groups", absent));
        const broken = groups
            .filter((group) => expected.includes(group.name))
            .flatMap((group) => group.rules ?? [])
            .filter((rule) => rule.health === "err");
        if (broken.length > 0)
            throw new Error(
                `rules failing: ${broken.map((rule) => `${rule.name} (${rule.lastError ?? "error"})`).join(", ")}`,
            );
    };
}

/** The query returned at least one `up` series: Prometheus has a target of the job. */
export function verifyTargets(job: string) {
    return (body: string) => {
        const result = (json(body) as { data?: { result?: { value?: [number, string] }[] } }).data?.result ?? [];
        if (result.length === 0)
            throw new Error(
                `no target of job ${job}: up{job="${job}"} is empty (are the pods running, with the port declared?)`,
            );
    };
}

/** Alertmanager runs a config with this stack's receivers, each with its integrations. */
export function verifyAlertmanagerConfig(expected: SmokeExpectations["receivers"]) {
    return (body: string) => {
        const original = (json(body) as { config?: { original?: string } }).config?.original;
        if (typeof original !== "string") throw new Error("/api/v2/status has no config.original");
        const config = parse(original) as { receivers?: Record<string, unknown>[] } | null;
        const running = new Map((config?.receivers ?? []).map((receiver) => [String(receiver.name), receiver]));
        const problems: string[] = [];
        for (const receiver of expected) {
            const found = running.get(receiver.name);
            if (found === undefined) {
                problems.push(`receiver ${receiver.name} missing`);
                continue;
            }
            const absent = receiver.integrations.filter((key) => !Array.isArray(found[key]) || found[key].length === 0);
            if (absent.length > 0) problems.push(`receiver ${receiver.name} has no ${absent.join(", ")}`);
        }
        if (problems.length > 0)
            throw new Error(
                `Alertmanager does not run this stack's config: ${problems.join("; ")} (running: ${[...running.keys()].join(", ")})`,
            );
    };
}

/** The checks, from the stack outputs. Pure. */
export function smokeChecks(outputs: Record<string, unknown>): SmokeCheck[] {
    const text = (key: string) => {
        const value = outputs[key];
        if (typeof value !== "string") throw new Error(`stack output ${key} is missing`);
        return value;
    };
    const expected = outputs.smokeExpectations as SmokeExpectations | undefined;
    if (expected === undefined || typeof expected !== "object")
        throw new Error(
            "stack output smokeExpectations is missing: run pulumi up with this version of the program first",
        );
    const prometheus = serviceEndpoint(text("prometheusUrl"));
    const alertmanager = serviceEndpoint(text("alertmanagerUrl"));
    const grafana: Endpoint = { kind: "url", url: text("grafanaUrl").replace(/\/+$/, "") };
    const password = outputs.grafanaAdminPassword;
    const grafanaAuth =
        typeof password === "string" && password !== "[secret]"
            ? { authorization: `Basic ${Buffer.from(`${text("grafanaAdminUser")}:${password}`).toString("base64")}` }
            : undefined;

    const checks: SmokeCheck[] = [
        { name: "Grafana", endpoint: grafana, path: "/api/health" },
        { name: "Prometheus", endpoint: prometheus, path: "/-/ready" },
        {
            name: "Prometheus rule groups",
            endpoint: prometheus,
            path: "/api/v1/rules?type=alert&type=record",
            verify: verifyRules(expected.ruleGroups),
        },
        ...expected.scrapeJobs.map((job) => ({
            name: `Prometheus targets of ${job}`,
            endpoint: prometheus,
            path: `/api/v1/query?query=${encodeURIComponent(`up{job="${job}"}`)}`,
            verify: verifyTargets(job),
        })),
        { name: "Alertmanager", endpoint: alertmanager, path: "/-/ready" },
        {
            name: "Alertmanager config",
            endpoint: alertmanager,
            path: "/api/v2/status",
            verify: verifyAlertmanagerConfig(expected.receivers),
        },
        { name: "Loki", endpoint: serviceEndpoint(text("lokiPushUrl")), path: "/ready" },
        { name: "Jaeger", endpoint: serviceEndpoint(text("jaegerQueryUrl")), path: "/api/services" },
    ];
    const grafanaChecks = [
        ...expected.grafanaDataSources.map((uid) => ({
            name: `Grafana data source ${uid}`,
            path: `/api/datasources/uid/${uid}`,
        })),
        ...expected.grafanaDashboards.map((uid) => ({
            name: `Grafana dashboard ${uid}`,
            path: `/api/dashboards/uid/${uid}`,
        })),
    ];
    for (const check of grafanaChecks) {
        checks.push({
            ...check,
            endpoint: grafana,
            ...(grafanaAuth === undefined
                ? { blockedBy: `no Grafana admin password in the outputs; ${usage}` }
                : { headers: grafanaAuth }),
        });
    }
    return checks;
}

/** Opens a way to an endpoint: its base URL, and how to close it. */
export type Opener = (endpoint: Endpoint) => Promise<{ readonly baseUrl: string; close(): void }>;

/** Through `kubectl port-forward` to a Service, or straight to a URL. */
export function kubectlOpener(context: string | undefined): Opener {
    return async (endpoint) => {
        if (endpoint.kind === "url") return { baseUrl: endpoint.url, close: () => undefined };
        const forward = spawn(
            "kubectl",
            [
                ...(context === undefined ? [] : ["--context", context]),
                "-n",
                endpoint.namespace,
                "port-forward",
                `svc/${endpoint.service}`,
                `:${endpoint.port}`,
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        try {
            const localPort = await new Promise<number>((done, fail) => {
                const timer = setTimeout(
                    () => fail(new Error("kubectl port-forward did not start within 20 s")),
                    20_000,
                );
                forward.stdout.on("data", (chunk: Buffer) => {
                    const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(chunk.toString());
                    if (match !== null) {
                        clearTimeout(timer);
                        done(Number(match[1]));
                    }
                });
                forward.once("exit", (code) => {
                    clearTimeout(timer);
                    fail(new Error(`kubectl port-forward exited with ${String(code)}`));
                });
            });
            return { baseUrl: `http://127.0.0.1:${localPort}`, close: () => forward.kill() };
        } catch (error) {
            forward.kill();
            throw error;
        }
    };
}

export interface CheckResult {
    readonly name: string;
    /** Undefined when the check passed. */
    readonly error?: string;
}

/**
 * Runs the checks, each endpoint opened once, each check tried up to `attempts` times `delayMs` apart
 * (components settle after an upgrade). Reports every check, passed or not.
 */
export async function runSmokeChecks(
    checks: readonly SmokeCheck[],
    open: Opener,
    options: { attempts: number; delayMs: number; timeoutMs?: number },
): Promise<CheckResult[]> {
    const byEndpoint = new Map<string, SmokeCheck[]>();
    for (const check of checks) {
        const key = JSON.stringify(check.endpoint);
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), check]);
    }
    const results: CheckResult[] = [];
    for (const group of byEndpoint.values()) {
        let way: Awaited<ReturnType<Opener>>;
        try {
            way = await open((group[0] as SmokeCheck).endpoint);
        } catch (error) {
            results.push(...group.map((check) => ({ name: check.name, error: (error as Error).message })));
            continue;
        }
        try {
            for (const check of group) {
                if (check.blockedBy !== undefined) {
                    results.push({ name: check.name, error: check.blockedBy });
                    continue;
                }
                let error: string | undefined;
                for (let attempt = 1; attempt <= options.attempts; attempt++) {
                    error = await attemptCheck(check, way.baseUrl, options.timeoutMs ?? 10_000);
                    if (error === undefined) break;
                    if (attempt < options.attempts) await new Promise((done) => setTimeout(done, options.delayMs));
                }
                results.push(error === undefined ? { name: check.name } : { name: check.name, error });
            }
        } finally {
            way.close();
        }
    }
    return results;
}

async function attemptCheck(check: SmokeCheck, baseUrl: string, timeoutMs: number): Promise<string | undefined> {
    try {
        const response = await fetch(`${baseUrl}${check.path}`, {
            headers: { ...check.headers },
            signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        if (!response.ok) return `${check.path} answered ${response.status}`;
        check.verify?.(body);
        return undefined;
    } catch (error) {
        return (error as Error).message.split("\n")[0] ?? "failed";
    }
}

/** The stack outputs piped in, or undefined when nothing was. */
export function readOutputs(text: string): Record<string, unknown> | undefined {
    if (text.trim() === "") return undefined;
    const outputs = JSON.parse(text) as unknown;
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs))
        throw new Error("expected the JSON object of `pulumi stack output --json`");
    return outputs as Record<string, unknown>;
}

export const smokeCommand = {
    invocation: "pulumi stack output --json --show-secrets | npm run smoke --",
    summary:
        "After `pulumi up`: proves each component answers and runs what this stack configured (every STELLA\n" +
        "rule group loaded, the backend and agent targets scraped, Alertmanager's receivers, Grafana's data\n" +
        "sources and dashboards), reading the stack's outputs from stdin. In-cluster services are reached\n" +
        "through `kubectl port-forward`, Grafana at its public URL. Exit 1 when a check fails, 2 when nothing\n" +
        "is piped in.",
    flags: {
        context: { type: "text", value: "<kube context>", description: "kubectl's context (unset: the current one)" },
        attempts: {
            type: "integer",
            value: "<n>",
            default: 10,
            min: 1,
            description: "tries per check, 6 s apart",
        },
    },
    notes: ["Reads the stack outputs (JSON) from stdin: pipe `pulumi stack output --json --show-secrets` in."],
    examples: [
        "pulumi stack output --json --show-secrets | npm run smoke -- --context kind-stella",
        "pulumi stack output --json --show-secrets | npm run smoke -- --attempts 3",
    ],
} as const satisfies Command;

async function main(values: Values<typeof smokeCommand>): Promise<number> {
    const outputs = process.stdin.isTTY ? undefined : readOutputs(readFileSync(0, "utf8"));
    if (outputs === undefined) {
        console.error(`smoke check: nothing piped in; ${usage}`);
        return 2;
    }
    const results = await runSmokeChecks(smokeChecks(outputs), kubectlOpener(values.context), {
        attempts: values.attempts,
        delayMs: 6_000,
    });
    for (const result of results)
        console.log(result.error === undefined ? `ok    ${result.name}` : `FAIL  ${result.name}: ${result.error}`);
    return results.every((result) => result.error === undefined) ? 0 : 1;
}

if (require.main === module) runCli("smoke", smokeCommand, main);
