// Runs the whole program under mocks for one stack (Pulumi.yaml defaults + the stack file + canary
// secrets) and checks what it registered. Each stack has its own test file, so each runs in its own
// process: the program is loaded once per process, as the Pulumi CLI loads it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { renderStack, type RenderResult } from "../tools/render";
import type { ConfigOverride } from "../tools/offline-config";
import type { RegisteredResource } from "../tools/recording-mocks";
import { get } from "./paths";

export { get };

/** Canary secrets: recognisable values that must never appear in plain text outside their Secret. */
export const canaries = {
    slackWebhookUrl: "https://hooks.slack.com/services/T0CANARY/B0CANARY/canarySlackWebhook",
    pagerdutyRoutingKey: "CANARYpagerdutyRoutingKey0123456",
    s3SecretAccessKey: "CANARY-s3-secret-access-key",
    storagePassword: "CANARY-opensearch-password",
    ssoClientSecret: "CANARY-sso-client-secret",
} as const;

/**
 * Single sign-on as staging and prod would run it: OpenID Connect, groups mapped to roles, the login
 * form off (the generated admin stays, for the Grafana provider). Its client secret is a canary.
 */
export const ssoOverrides: ConfigOverride[] = [
    { path: "grafana.sso.provider", value: "oidc", secret: false },
    { path: "grafana.sso.clientId", value: "stella-grafana", secret: false },
    { path: "grafana.sso.clientSecret", value: canaries.ssoClientSecret, secret: true },
    { path: "grafana.sso.allowedGroups[0]", value: "stella-staff", secret: false },
    { path: "grafana.sso.roles.admin[0]", value: "sre", secret: false },
    { path: "grafana.sso.roles.editor[0]", value: "stella-developers", secret: false },
    { path: "grafana.sso.disableLoginForm", value: "true", secret: false },
    { path: "grafana.sso.oidc.issuer", value: "https://sso.stella.example.com/realms/stella", secret: false },
    { path: "grafana.sso.oidc.authorizeEndpoint", value: "/protocol/openid-connect/auth", secret: false },
    { path: "grafana.sso.oidc.tokenEndpoint", value: "/protocol/openid-connect/token", secret: false },
    { path: "grafana.sso.oidc.userinfoEndpoint", value: "/protocol/openid-connect/userinfo", secret: false },
];

export const canaryOverrides: ConfigOverride[] = [
    { path: "alerting.slackWebhookUrl", value: canaries.slackWebhookUrl, secret: true },
    { path: "alerting.pagerdutyRoutingKey", value: canaries.pagerdutyRoutingKey, secret: true },
    { path: "loki.objectStorage.secretAccessKey", value: canaries.s3SecretAccessKey, secret: true },
    { path: "jaeger.storage.password", value: canaries.storagePassword, secret: true },
    ...ssoOverrides,
];

/** The mock's stand-in for the generated Grafana password: a canary too. */
export const grafanaPasswordCanary = "mock-password-grafana-admin-password";

export const releases = {
    "kube-prometheus-stack": {
        chart: "kube-prometheus-stack",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    "kube-prometheus-stack-crds": {
        chart: "prometheus-operator-crds",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    loki: { chart: "loki", repository: "https://grafana-community.github.io/helm-charts" },
    alloy: { chart: "alloy", repository: "https://grafana.github.io/helm-charts" },
    jaeger: { chart: "jaeger", repository: "https://jaegertracing.github.io/helm-charts" },
    "blackbox-exporter": {
        chart: "prometheus-blackbox-exporter",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    grafana: { chart: "grafana", repository: "https://grafana-community.github.io/helm-charts" },
} as const;

/** Every resource a stack without object storage or a password-protected trace store registers. */
export const devResources = [
    "pulumi:providers:kubernetes kubernetes",
    "kubernetes:core/v1:Namespace monitoring-namespace",
    "stella:monitoring:PrometheusStack prometheus",
    "kubernetes:core/v1:Secret prometheus-receivers",
    "kubernetes:core/v1:Secret prometheus-alertmanager-config",
    "kubernetes:helm.sh/v3:Release prometheus",
    "kubernetes:helm.sh/v3:Release prometheus-crds",
    "stella:monitoring:HealthProbes health-probes",
    "kubernetes:helm.sh/v3:Release health-probes",
    "stella:monitoring:Loki loki",
    "kubernetes:helm.sh/v3:Release loki",
    "stella:monitoring:LogCollector alloy",
    "kubernetes:helm.sh/v3:Release alloy",
    "stella:monitoring:Jaeger jaeger",
    "kubernetes:helm.sh/v3:Release jaeger",
    "stella:monitoring:Grafana grafana",
    "random:index/randomPassword:RandomPassword grafana-admin-password",
    "kubernetes:core/v1:Secret grafana-admin",
    "kubernetes:helm.sh/v3:Release grafana",
    "pulumi:providers:grafana grafana-provider",
    "grafana:oss/folder:Folder grafana-folder",
    "grafana:oss/dataSource:DataSource grafana-datasource-prometheus",
    "grafana:oss/dataSource:DataSource grafana-datasource-loki",
    "grafana:oss/dataSource:DataSource grafana-datasource-jaeger",
    "grafana:oss/dataSource:DataSource grafana-datasource-alertmanager",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-overview",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-system",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-agents",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-infrastructure",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-slo",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-logs-traces",
];

export interface StackExpectations {
    /** The pinned chart version per release name. */
    readonly versions: Record<keyof typeof releases, string>;
    /** Every registered resource as "type name", sorted. */
    readonly resources: string[];
    /** The secrets this stack is given, and where each must land: the Secret's name and key. */
    readonly secrets: { value: string; secretName: string; key: string }[];
    /** Stack-specific checks. */
    readonly extra?: (context: {
        result: () => RenderResult;
        release: (name: string) => Record<string, unknown>;
    }) => void;
}

function byUrn(resources: RegisteredResource[], urn: string | null): RegisteredResource | undefined {
    return resources.find((resource) => resource.urn === urn);
}

function tool(name: string, args: string[]): string {
    try {
        return execFileSync(name, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const failure = error as { code?: string; stdout?: string; stderr?: string };
        if (failure.code === "ENOENT")
            assert.fail(
                `${name} is not installed (apt-get install prometheus prometheus-alertmanager; .ci/run does it)`,
            );
        assert.fail(`${name} ${args.join(" ")} failed:\n${failure.stdout ?? ""}${failure.stderr ?? ""}`);
    }
}

export function describeStack(stack: string, withSecrets: boolean, expectations: StackExpectations): void {
    describe(`stack ${stack} under mocks`, () => {
        let result: RenderResult;
        let directory: string;
        before(async () => {
            result = await renderStack({ stack, overrides: withSecrets ? canaryOverrides : [] });
            directory = mkdtempSync(join(tmpdir(), `render-${stack}-`));
            for (const [path, content] of result.files) {
                const file = join(directory, path.replaceAll("/", "__"));
                writeFileSync(file, content);
            }
        });
        const resources = () => result.resources;
        const release = (name: string) => {
            const found = resources().find(
                (resource) => resource.type === "kubernetes:helm.sh/v3:Release" && resource.inputs.name === name,
            );
            assert.ok(found, `no Helm release ${name}`);
            return found.inputs;
        };

        it("registers exactly the expected resources", () => {
            const actual = resources()
                .map((resource) => `${resource.type} ${resource.name}`)
                .sort();
            assert.deepEqual(actual, [...expectations.resources].sort());
            const urns = resources().map((resource) => resource.urn);
            assert.equal(new Set(urns).size, urns.length, "URNs must be unique");
        });

        it("installs every chart at its pinned version from its repository, atomically", () => {
            for (const [name, chart] of Object.entries(releases)) {
                const inputs = release(name);
                assert.equal(inputs.chart, chart.chart);
                assert.equal(inputs.version, expectations.versions[name as keyof typeof releases]);
                assert.equal(get(inputs, "repositoryOpts.repo"), chart.repository);
                assert.equal(inputs.namespace, "monitoring");
                assert.equal(inputs.atomic, true);
                assert.equal(inputs.cleanupOnFail, true);
                assert.ok(typeof inputs.timeout === "number" && inputs.timeout >= 300);
            }
        });

        it("parents every resource under its component and routes it through the right provider", () => {
            for (const resource of resources()) {
                if (
                    resource.type.startsWith("stella:monitoring:") ||
                    resource.type.startsWith("pulumi:providers:kubernetes")
                ) {
                    assert.equal(resource.parent, null, `${resource.name} belongs at the top`);
                    continue;
                }
                if (resource.type === "kubernetes:core/v1:Namespace") {
                    assert.equal(resource.parent, null);
                } else {
                    const parent = byUrn(resources(), resource.parent);
                    assert.ok(
                        parent !== undefined && parent.type.startsWith("stella:monitoring:"),
                        `${resource.type} ${resource.name} has no component parent`,
                    );
                    assert.ok(
                        resource.name.startsWith(parent.name),
                        `${resource.name} is not named after its component ${parent.name}`,
                    );
                }
                const provider = byUrn(resources(), resource.provider);
                if (resource.type.startsWith("kubernetes:"))
                    assert.equal(provider?.type, "pulumi:providers:kubernetes", resource.name);
                if (resource.type.startsWith("grafana:"))
                    assert.equal(provider?.type, "pulumi:providers:grafana", resource.name);
            }
        });

        it("puts every Kubernetes object in the monitoring namespace, valid against its schema", async () => {
            // kubernetes-models is ESM-only.
            const { Namespace, Secret } = await import("kubernetes-models/v1");
            for (const resource of resources().filter((r) => r.type === "kubernetes:core/v1:Secret")) {
                assert.equal(get(resource.inputs, "metadata.namespace"), "monitoring");
                new Secret(resource.plainInputs).validate();
            }
            for (const resource of resources().filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
                new Namespace(resource.plainInputs).validate();
            }
            const { NetworkPolicy } = await import("kubernetes-models/networking.k8s.io/v1");
            for (const resource of resources().filter(
                (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            )) {
                assert.equal(get(resource.inputs, "metadata.namespace"), "monitoring");
                new NetworkPolicy(resource.plainInputs).validate();
            }
        });

        it("installs the Prometheus Operator's CRDs before every chart that ships a monitor", () => {
            const crds = resources().find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prometheus-crds",
            );
            assert.ok(crds);
            for (const name of ["kube-prometheus-stack", "loki", "alloy", "grafana"]) {
                const release = resources().find(
                    (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === name,
                );
                assert.ok(release?.dependsOn.includes(crds.urn), `${name} does not wait for the CRDs`);
            }
        });

        it("makes the Grafana provider wait for the Grafana release", () => {
            const provider = resources().find((resource) => resource.type === "pulumi:providers:grafana");
            const grafanaRelease = resources().find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "grafana",
            );
            assert.ok(provider && grafanaRelease);
            assert.deepEqual(provider.dependsOn, [grafanaRelease.urn]);
            assert.ok(provider.secretInputPaths.includes("auth"), "the provider's credentials must be secret");
        });

        it("delivers each secret to its Kubernetes Secret, marked secret", () => {
            const secrets = [
                ...expectations.secrets,
                { value: grafanaPasswordCanary, secretName: "grafana-admin", key: "admin-password" },
            ];
            for (const expected of secrets) {
                const holder = resources().find(
                    (resource) =>
                        resource.type === "kubernetes:core/v1:Secret" &&
                        get(resource.inputs, "metadata.name") === expected.secretName,
                );
                assert.ok(holder, `no Secret ${expected.secretName}`);
                assert.equal(get(holder.plainInputs, `stringData.${expected.key}`), expected.value);
                assert.ok(
                    holder.secretInputPaths.some((path) => `stringData.${expected.key}`.startsWith(path)),
                    `${expected.secretName}/${expected.key} is not secret`,
                );
            }
        });

        it("never shows a secret in plain text: not in any input, output or rendered file", () => {
            const values = [...expectations.secrets.map((secret) => secret.value), grafanaPasswordCanary];
            const everything = [
                JSON.stringify(resources().map((resource) => resource.inputs)),
                JSON.stringify(result.outputs),
                ...result.files.values(),
            ].join("\n");
            for (const value of values)
                assert.ok(!everything.includes(value), `a canary secret leaked: ${value.slice(0, 12)}…`);
            assert.equal(result.outputs.grafanaAdminPassword, "[secret]");
        });

        it("writes every file of the contract", () => {
            const names = [...result.files.keys()];
            for (const name of [
                "resources.json",
                "prometheus-rules.yaml",
                "alertmanager.yaml",
                "datasources.json",
                "dashboards/stella-overview.json",
                ...Object.keys(releases).map((release) => `helm/${release}.json`),
            ]) {
                assert.ok(names.includes(name), `missing ${name}`);
            }
            const datasources = JSON.parse(result.files.get("datasources.json") ?? "[]") as { uid: string }[];
            assert.deepEqual(datasources.map((source) => source.uid).sort(), [
                "alertmanager",
                "jaeger",
                "loki",
                "prometheus",
            ]);
        });

        it("renders an alertmanager.yaml that amtool accepts", () => {
            const output = tool("amtool", ["check-config", join(directory, "alertmanager.yaml")]);
            assert.match(output, /SUCCESS/);
        });

        it("renders a rule file that promtool accepts", () => {
            const output = tool("promtool", ["check", "rules", join(directory, "prometheus-rules.yaml")]);
            assert.match(output, /SUCCESS: \d+ rules found/);
        });

        if (withSecrets) {
            it("routes critical alerts to PagerDuty and the rest to Slack", () => {
                const route = (labels: string[]) =>
                    tool("amtool", [
                        "config",
                        "routes",
                        "test",
                        `--config.file=${join(directory, "alertmanager.yaml")}`,
                        ...labels,
                    ]).trim();
                assert.equal(route(["severity=critical", "alertname=HighErrorRate"]), "pagerduty,slack");
                assert.equal(route(["severity=warning", "alertname=HighLatency"]), "slack");
                assert.equal(route(["alertname=Watchdog", "severity=none"]), "null");
            });
        }

        expectations.extra?.({ result: () => result, release });
    });
}
