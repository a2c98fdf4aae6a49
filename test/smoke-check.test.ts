// The post-deploy smoke check, against fake Prometheus, Alertmanager, Grafana, Loki and Jaeger servers on
// 127.0.0.1 that serve what prod renders (its rule file, its alertmanager.yaml, its data sources and
// dashboards) in the shape of each one's HTTP API. Each missing piece must fail its own check, naming it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import {
    readOutputs,
    runSmokeChecks,
    serviceEndpoint,
    smokeChecks,
    usage,
    type Endpoint,
    type Opener,
    type SmokeExpectations,
} from "../tools/smoke-check";
import { renderStack } from "../tools/render";
import { canaryOverrides } from "./support/stack-fixtures";

const root = resolve(__dirname, "..");
const grafanaPassword = "smoke-test-admin-password";

/** What the fake servers serve; each test takes one piece away. */
interface World {
    ruleGroups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
    upJobs: string[];
    alertmanagerConfig: string;
    dataSources: string[];
    dashboards: string[];
}

type Handler = (request: IncomingMessage, url: URL) => { status: number; body: unknown };

function serve(handler: Handler): Promise<{ server: Server; url: string }> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const { status, body } = handler(request, url);
        response.writeHead(status, { "content-type": "application/json" });
        response.end(typeof body === "string" ? body : JSON.stringify(body));
    });
    return new Promise((done) =>
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            done({
                server,
                url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`,
            });
        }),
    );
}

describe("smoke check against fake servers", () => {
    let outputs: Record<string, unknown>;
    let expected: SmokeExpectations;
    let world: World;
    let pristine: () => World;
    const servers: Server[] = [];
    const urls = new Map<string, string>();

    before(async () => {
        const rendered = await renderStack({ stack: "prod", overrides: canaryOverrides });
        expected = rendered.outputs.smokeExpectations as SmokeExpectations;
        const rules = parse(rendered.files.get("prometheus-rules.yaml") ?? "") as {
            groups: { name: string; rules: { alert?: string; record?: string }[] }[];
        };
        const alertmanagerYaml = rendered.files.get("alertmanager.yaml") ?? "";
        const datasources = JSON.parse(rendered.files.get("datasources.json") ?? "[]") as { uid: string }[];
        const dashboards = [...rendered.files.keys()]
            .filter((path) => path.startsWith("dashboards/"))
            .map((path) => path.slice("dashboards/".length, -".json".length));
        pristine = () => ({
            // Prometheus also holds kube-prometheus-stack's own groups.
            ruleGroups: [
                { name: "kubernetes-apps", rules: [{ name: "KubePodCrashLooping", health: "ok" }] },
                ...rules.groups.map((group) => ({
                    name: group.name,
                    rules: group.rules.map((rule) => ({ name: rule.alert ?? rule.record ?? "", health: "ok" })),
                })),
            ],
            upJobs: ["stella-backend", "stella-agents", "kube-state-metrics"],
            alertmanagerConfig: alertmanagerYaml,
            dataSources: datasources.map((source) => source.uid),
            dashboards,
        });
        world = pristine();

        const prometheus = await serve((_request, url) => {
            if (url.pathname === "/-/ready") return { status: 200, body: "Prometheus Server is Ready." };
            if (url.pathname === "/api/v1/rules")
                return { status: 200, body: { status: "success", data: { groups: world.ruleGroups } } };
            if (url.pathname === "/api/v1/query") {
                const job = /^up\{job="([^"]+)"\}$/.exec(url.searchParams.get("query") ?? "")?.[1];
                const result = world.upJobs
                    .filter((name) => name === job)
                    .map((name) => ({
                        metric: { __name__: "up", job: name, instance: "10.0.0.1:3000" },
                        value: [1, "1"],
                    }));
                return { status: 200, body: { status: "success", data: { resultType: "vector", result } } };
            }
            return { status: 404, body: "404 page not found" };
        });
        const alertmanager = await serve((_request, url) => {
            if (url.pathname === "/-/ready") return { status: 200, body: "OK" };
            if (url.pathname === "/api/v2/status")
                return {
                    status: 200,
                    body: {
                        cluster: { status: "ready", peers: [] },
                        config: { original: world.alertmanagerConfig },
                        uptime: "",
                    },
                };
            return { status: 404, body: "" };
        });
        const grafana = await serve((request, url) => {
            if (url.pathname === "/api/health") return { status: 200, body: { database: "ok" } };
            const expectedAuth = `Basic ${Buffer.from(`admin:${grafanaPassword}`).toString("base64")}`;
            if (request.headers.authorization !== expectedAuth)
                return { status: 401, body: { message: "Unauthorized" } };
            const source = /^\/api\/datasources\/uid\/(.+)$/.exec(url.pathname)?.[1];
            if (source !== undefined)
                return world.dataSources.includes(source)
                    ? { status: 200, body: { uid: source } }
                    : { status: 404, body: { message: "Data source not found" } };
            const dashboard = /^\/api\/dashboards\/uid\/(.+)$/.exec(url.pathname)?.[1];
            if (dashboard !== undefined)
                return world.dashboards.includes(dashboard)
                    ? { status: 200, body: { dashboard: { uid: dashboard } } }
                    : { status: 404, body: { message: "Dashboard not found" } };
            return { status: 404, body: {} };
        });
        const simple = await serve((_request, url) =>
            url.pathname === "/ready" || url.pathname === "/api/services"
                ? { status: 200, body: { data: [] } }
                : { status: 404, body: "" },
        );
        servers.push(prometheus.server, alertmanager.server, grafana.server, simple.server);
        const service = (key: string) => serviceEndpoint(rendered.outputs[key] as string);
        const name = (endpoint: Endpoint) => (endpoint.kind === "service" ? endpoint.service : endpoint.url);
        urls.set(name(service("prometheusUrl")), prometheus.url);
        urls.set(name(service("alertmanagerUrl")), alertmanager.url);
        urls.set(name(service("lokiPushUrl")), simple.url);
        urls.set(name(service("jaegerQueryUrl")), simple.url);
        urls.set(grafana.url, grafana.url);
        outputs = { ...rendered.outputs, grafanaUrl: `${grafana.url}/`, grafanaAdminPassword: grafanaPassword };
    });

    after(async () => {
        await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
    });

    /** Opens nothing: maps each endpoint to its fake server. */
    const opener: Opener = (endpoint) => {
        const url = urls.get(endpoint.kind === "service" ? endpoint.service : endpoint.url);
        if (url === undefined) return Promise.reject(new Error(`no fake server for ${JSON.stringify(endpoint)}`));
        return Promise.resolve({ baseUrl: url, close: () => undefined });
    };
    const failures = async (from: Record<string, unknown> = outputs) =>
        (await runSmokeChecks(smokeChecks(from), opener, { attempts: 1, delayMs: 0, timeoutMs: 2_000 }))
            .filter((result) => result.error !== undefined)
            .map((result) => `${result.name}: ${result.error ?? ""}`);

    it("expects what prod configures: its rule groups, both scrape jobs, Slack and PagerDuty, data sources, dashboards", () => {
        assert.ok(expected.ruleGroups.length >= 3);
        assert.deepEqual(expected.scrapeJobs, ["stella-backend", "stella-agents"]);
        const receivers = new Map(expected.receivers.map((receiver) => [receiver.name, receiver.integrations]));
        assert.deepEqual(receivers.get("slack"), ["slack_configs"]);
        assert.deepEqual(receivers.get("pagerduty"), ["pagerduty_configs"]);
        assert.deepEqual([...expected.grafanaDataSources].sort(), ["alertmanager", "jaeger", "loki", "prometheus"]);
        assert.equal(expected.grafanaDashboards.length, 6);
    });

    it("passes when everything the stack configured is running", async () => {
        world = pristine();
        assert.deepEqual(await failures(), []);
    });

    const cases: { piece: string; take: (w: World) => void; fails: string; says: RegExp }[] = [
        {
            piece: "a STELLA rule group",
            take: (w) => (w.ruleGroups = w.ruleGroups.filter((group) => group.name !== expected.ruleGroups[1])),
            fails: "Prometheus rule groups",
            says: /rule groups missing: /,
        },
        {
            piece: "a healthy rule (one fails to evaluate)",
            take: (w) => {
                const group = w.ruleGroups.find((g) => g.name === expected.ruleGroups[0]);
                const rule = group?.rules[0];
                if (rule !== undefined) Object.assign(rule, { health: "err", lastError: "many-to-many matching" });
            },
            fails: "Prometheus rule groups",
            says: /rules failing: .*many-to-many matching/,
        },
        {
            piece: "the backend's targets",
            take: (w) => (w.upJobs = w.upJobs.filter((job) => job !== "stella-backend")),
            fails: "Prometheus targets of stella-backend",
            says: /no target of job stella-backend: up\{job="stella-backend"\} is empty/,
        },
        {
            piece: "the agents' targets",
            take: (w) => (w.upJobs = w.upJobs.filter((job) => job !== "stella-agents")),
            fails: "Prometheus targets of stella-agents",
            says: /no target of job stella-agents/,
        },
        {
            piece: "the Slack receiver (Alertmanager runs another config)",
            take: (w) => (w.alertmanagerConfig = 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n'),
            fails: "Alertmanager config",
            says: /does not run this stack's config: receiver slack missing; receiver pagerduty missing/,
        },
        {
            piece: "PagerDuty's integration",
            take: (w) =>
                (w.alertmanagerConfig = w.alertmanagerConfig.replace(/pagerduty_configs:/, "webhook_configs:")),
            fails: "Alertmanager config",
            says: /receiver pagerduty has no pagerduty_configs/,
        },
        {
            piece: "a data source",
            take: (w) => (w.dataSources = w.dataSources.filter((uid) => uid !== "loki")),
            fails: "Grafana data source loki",
            says: /\/api\/datasources\/uid\/loki answered 404/,
        },
        {
            piece: "a dashboard",
            take: (w) => (w.dashboards = w.dashboards.filter((uid) => uid !== "stella-slo")),
            fails: "Grafana dashboard stella-slo",
            says: /\/api\/dashboards\/uid\/stella-slo answered 404/,
        },
    ];
    for (const missing of cases) {
        it(`fails without ${missing.piece}, in that check only`, async () => {
            world = pristine();
            missing.take(world);
            const found = await failures();
            assert.equal(found.length, 1, found.join("\n"));
            assert.ok(found[0]?.startsWith(`${missing.fails}: `), found[0]);
            assert.match(found[0] ?? "", missing.says);
        });
    }

    it("says how to give it Grafana's password when the outputs hide it", async () => {
        world = pristine();
        const found = await failures({ ...outputs, grafanaAdminPassword: "[secret]" });
        assert.equal(found.length, expected.grafanaDataSources.length + expected.grafanaDashboards.length);
        for (const failure of found)
            assert.match(failure, /no Grafana admin password in the outputs; pipe .*--show-secrets/);
    });

    it("names a missing output, and the expectations of an older program", () => {
        assert.throws(
            () => smokeChecks({ ...outputs, prometheusUrl: undefined }),
            /stack output prometheusUrl is missing/,
        );
        assert.throws(() => smokeChecks({ ...outputs, smokeExpectations: undefined }), /smokeExpectations is missing/);
    });

    it("reaches in-cluster services by their Service, namespace and port", () => {
        assert.deepEqual(serviceEndpoint("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090"), {
            kind: "service",
            namespace: "monitoring",
            service: "kube-prometheus-stack-prometheus",
            port: 9090,
        });
        assert.deepEqual(serviceEndpoint("http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"), {
            kind: "service",
            namespace: "monitoring",
            service: "loki-gateway",
            port: 80,
        });
        assert.throws(() => serviceEndpoint("https://grafana.example.com"), /not an in-cluster service URL/);
    });
});

describe("npm run smoke with nothing piped in", () => {
    it("says what to pipe, and exits 2", () => {
        const result = spawnSync(join(root, "node_modules", ".bin", "tsx"), ["tools/smoke-check.ts"], {
            cwd: root,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 30_000,
        });
        assert.equal(result.status, 2, result.stderr);
        assert.match(
            result.stderr,
            /nothing piped in; pipe the stack's outputs in: pulumi stack output --json --show-secrets \| npm run smoke/,
        );
        assert.equal(readOutputs("  \n"), undefined);
        assert.ok(usage.includes("--show-secrets"));
    });
});
