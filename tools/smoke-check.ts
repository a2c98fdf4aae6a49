// After `pulumi up`: proves each component answers, from the stack's outputs. In-cluster services are
// reached through `kubectl port-forward` (which enters the pod's own network, so the namespace's
// NetworkPolicies do not stand in the way), so the runner needs only its kubeconfig; Grafana is called
// at its public URL, as users reach it.
//
//   pulumi stack output --json --show-secrets=false | npm run smoke -- [--context <kube context>] [--attempts <n>]

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { runCli, type Command, type Values } from "./cli";

export interface SmokeCheck {
    readonly name: string;
    /** A Service to port-forward to, or an absolute URL to fetch. */
    readonly target: ServiceTarget | { readonly kind: "url"; readonly url: string };
}

export interface ServiceTarget {
    readonly kind: "service";
    readonly namespace: string;
    readonly service: string;
    readonly port: number;
    readonly path: string;
}

/** http://<service>.<namespace>.svc.cluster.local[:<port>] + path -> the Service to port-forward to. */
export function serviceTarget(inClusterUrl: string, path: string): ServiceTarget {
    const url = new URL(inClusterUrl);
    const [service, namespace] = url.hostname.split(".");
    if (service === undefined || namespace === undefined || !url.hostname.endsWith(".svc.cluster.local")) {
        throw new Error(`not an in-cluster service URL: ${inClusterUrl}`);
    }
    return { kind: "service", namespace, service, port: url.port === "" ? 80 : Number(url.port), path };
}

/** The checks, from the stack outputs. Pure. */
export function smokeChecks(outputs: Record<string, unknown>): SmokeCheck[] {
    const text = (key: string) => {
        const value = outputs[key];
        if (typeof value !== "string") throw new Error(`stack output ${key} is missing`);
        return value;
    };
    const proxy = (name: string, key: string, path: string): SmokeCheck => ({
        name,
        target: serviceTarget(text(key), path),
    });
    return [
        { name: "Grafana", target: { kind: "url", url: `${text("grafanaUrl").replace(/\/+$/, "")}/api/health` } },
        proxy("Prometheus", "prometheusUrl", "/-/ready"),
        proxy("Alertmanager", "alertmanagerUrl", "/-/ready"),
        proxy("Loki", "lokiPushUrl", "/ready"),
        proxy("Jaeger", "jaegerQueryUrl", "/api/services"),
    ];
}

/** Forwards a local port to the Service, calls `path` through it, and stops forwarding. */
async function throughPortForward(target: ServiceTarget, context: string | undefined): Promise<Response> {
    const forward = spawn(
        "kubectl",
        [
            ...(context === undefined ? [] : ["--context", context]),
            "-n",
            target.namespace,
            "port-forward",
            `svc/${target.service}`,
            `:${target.port}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
        const localPort = await new Promise<number>((done, fail) => {
            const timer = setTimeout(() => fail(new Error("kubectl port-forward did not start within 20 s")), 20_000);
            forward.stdout.on("data", (chunk: Buffer) => {
                const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(chunk.toString());
                if (match !== null) {
                    clearTimeout(timer);
                    done(Number(match[1]));
                }
            });
            forward.once("exit", (code) => fail(new Error(`kubectl port-forward exited with ${String(code)}`)));
        });
        return await fetch(`http://127.0.0.1:${localPort}${target.path}`, { signal: AbortSignal.timeout(10_000) });
    } finally {
        forward.kill();
    }
}

async function run(check: SmokeCheck, context: string | undefined): Promise<void> {
    const response =
        check.target.kind === "url"
            ? await fetch(check.target.url, { signal: AbortSignal.timeout(10_000) })
            : await throughPortForward(check.target, context);
    if (!response.ok) throw new Error(`answered ${response.status}`);
}

export const smokeCommand = {
    invocation: "pulumi stack output --json --show-secrets=false | npm run smoke --",
    summary:
        "After `pulumi up`: proves Grafana, Prometheus, Alertmanager, Loki and Jaeger each answer, reading the\n" +
        "stack's outputs from stdin. In-cluster services are reached through `kubectl port-forward`, Grafana at\n" +
        "its public URL. Exit 1 when a component does not answer within its attempts.",
    flags: {
        context: { type: "text", value: "<kube context>", description: "kubectl's context (unset: the current one)" },
        attempts: {
            type: "integer",
            value: "<n>",
            default: 10,
            min: 1,
            description: "tries per component, 6 s apart",
        },
    },
    notes: ["Reads the stack outputs (JSON) from stdin: pipe `pulumi stack output --json` in."],
    examples: [
        "pulumi stack output --json --show-secrets=false | npm run smoke -- --context kind-stella",
        "pulumi stack output --json | npm run smoke -- --attempts 3",
    ],
} as const satisfies Command;

async function main(values: Values<typeof smokeCommand>): Promise<number> {
    const input = process.stdin.isTTY ? "" : readFileSync(0, "utf8");
    if (input.trim() === "")
        throw new Error("no stack outputs on stdin: pipe them in (pulumi stack output --json | npm run smoke)");
    let outputs: Record<string, unknown>;
    try {
        outputs = JSON.parse(input) as Record<string, unknown>;
    } catch {
        throw new Error("stdin is not the JSON of `pulumi stack output --json`");
    }
    let failed = 0;
    for (const check of smokeChecks(outputs)) {
        let error: unknown;
        for (let attempt = 1; attempt <= values.attempts; attempt++) {
            try {
                await run(check, values.context);
                error = undefined;
                break;
            } catch (caught) {
                error = caught;
                await new Promise((done) => setTimeout(done, 6_000));
            }
        }
        if (error === undefined) {
            console.log(`ok    ${check.name}`);
        } else {
            failed++;
            console.log(`FAIL  ${check.name}: ${(error as Error).message.split("\n")[0] ?? ""}`);
        }
    }
    return failed === 0 ? 0 : 1;
}

if (require.main === module) runCli("smoke check", smokeCommand, main);
