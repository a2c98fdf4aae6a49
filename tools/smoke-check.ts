// After `pulumi up`: proves each component answers, from the stack's outputs. In-cluster services are
// reached through the Kubernetes API server's service proxy (`kubectl get --raw`), so the runner needs
// only its kubeconfig; Grafana is called at its public URL, as users reach it.
//
//   pulumi stack output --json --show-secrets=false | npx tsx tools/smoke-check.ts [--context <kube context>]

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export interface SmokeCheck {
    readonly name: string;
    /** A path for `kubectl get --raw`, or an absolute URL to fetch. */
    readonly target:
        { readonly kind: "service-proxy"; readonly path: string } | { readonly kind: "url"; readonly url: string };
}

/** http://<service>.<namespace>.svc.cluster.local:<port> + path -> the API server's proxy path. */
export function serviceProxyPath(inClusterUrl: string, path: string): string {
    const url = new URL(inClusterUrl);
    const [service, namespace] = url.hostname.split(".");
    if (service === undefined || namespace === undefined || !url.hostname.endsWith(".svc.cluster.local")) {
        throw new Error(`not an in-cluster service URL: ${inClusterUrl}`);
    }
    return `/api/v1/namespaces/${namespace}/services/http:${service}:${url.port}/proxy${path}`;
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
        target: { kind: "service-proxy", path: serviceProxyPath(text(key), path) },
    });
    return [
        { name: "Grafana", target: { kind: "url", url: `${text("grafanaUrl").replace(/\/+$/, "")}/api/health` } },
        proxy("Prometheus", "prometheusUrl", "/-/ready"),
        proxy("Alertmanager", "alertmanagerUrl", "/-/ready"),
        proxy("Loki", "lokiPushUrl", "/ready"),
        proxy("Jaeger", "jaegerQueryUrl", "/api/services"),
    ];
}

async function run(check: SmokeCheck, context: string | undefined): Promise<void> {
    if (check.target.kind === "url") {
        const response = await fetch(check.target.url, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`${check.target.url} answered ${response.status}`);
        return;
    }
    execFileSync(
        "kubectl",
        [...(context === undefined ? [] : ["--context", context]), "get", "--raw", check.target.path],
        {
            stdio: ["ignore", "ignore", "pipe"],
            timeout: 20_000,
        },
    );
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { context: { type: "string" }, attempts: { type: "string", default: "10" } },
        strict: true,
    });
    const outputs = JSON.parse(readFileSync(0, "utf8")) as Record<string, unknown>;
    let failed = 0;
    for (const check of smokeChecks(outputs)) {
        let error: unknown;
        for (let attempt = 1; attempt <= Number(values.attempts); attempt++) {
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

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: Error) => {
            console.error(`smoke check failed: ${error.message}`);
            process.exit(2);
        },
    );
}
