// Runs the whole program under mocks for one stack (Pulumi.yaml defaults + the stack file + canary
// secrets) and checks what it registered. Each stack has its own test file, so each runs in its own
// process: the program is loaded once per process, as the Pulumi CLI loads it.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { renderStack, type RenderResult } from "../../tools/render";
import type { RegisteredResource } from "../../tools/recording-mocks";
import { valueAt } from "../../config/paths";
import { canaryOverrides, grafanaPasswordCanary, releases } from "./stack-fixtures";
import { temporaryDirectory } from "./temporary";
import { routeTest, tool } from "./tools";

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

/** The config of a stack file, keyed as written (`stella-monitoring:<key>`). */
export function readStackFile(stack: string): Record<string, Record<string, string> | undefined> {
    const file = parse(readFileSync(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, Record<string, string>>;
    };
    return file.config ?? {};
}

/** The PodMonitor objects the stack registers: their names and specs. */
function podMonitors(resources: RegisteredResource[]): { name: unknown; spec: unknown }[] {
    return resources
        .filter((resource) => resource.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor")
        .map((resource) => ({
            name: valueAt(resource.inputs, "metadata.name"),
            spec: valueAt(resource.inputs, "spec"),
        }));
}

function byUrn(resources: RegisteredResource[], urn: string | null): RegisteredResource | undefined {
    return resources.find((resource) => resource.urn === urn);
}

export function describeStack(stack: string, withSecrets: boolean, expectations: StackExpectations): void {
    describe(`stack ${stack} under mocks`, () => {
        let result: RenderResult;
        let directory: string;
        before(async () => {
            result = await renderStack({ stack, overrides: withSecrets ? canaryOverrides : [] });
            directory = temporaryDirectory(`render-${stack}-`);
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
                assert.equal(valueAt(inputs, "repositoryOpts.repo"), chart.repository);
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
                assert.equal(valueAt(resource.inputs, "metadata.namespace"), "monitoring");
                new Secret(resource.plainInputs).validate();
            }
            for (const resource of resources().filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
                new Namespace(resource.plainInputs).validate();
            }
            const { NetworkPolicy } = await import("kubernetes-models/networking.k8s.io/v1");
            for (const resource of resources().filter(
                (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            )) {
                assert.equal(valueAt(resource.inputs, "metadata.namespace"), "monitoring");
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
                        valueAt(resource.inputs, "metadata.name") === expected.secretName,
                );
                assert.ok(holder, `no Secret ${expected.secretName}`);
                assert.equal(valueAt(holder.plainInputs, `stringData.${expected.key}`), expected.value);
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
                const route = (labels: string[]) => routeTest(join(directory, "alertmanager.yaml"), labels);
                assert.equal(route(["severity=critical", "alertname=HighErrorRate"]), "pagerduty,slack");
                assert.equal(route(["severity=warning", "alertname=HighLatency"]), "slack");
                assert.equal(route(["alertname=Watchdog", "severity=none"]), "heartbeat");
            });
        }

        it("writes every resource's inputs into resources.json: Namespace, NetworkPolicies, Secrets redacted", () => {
            const written = JSON.parse(result.files.get("resources.json") ?? "[]") as {
                urn: string;
                type: string;
                inputs: Record<string, unknown>;
            }[];
            assert.equal(written.length, resources().length);
            for (const [index, resource] of resources().entries()) {
                const entry = written[index];
                assert.equal(entry?.urn, resource.urn);
                if (resource.type === "kubernetes:helm.sh/v3:Release") {
                    // The values live in helm/<release>.json; the rest of the inputs are here.
                    const { values, ...rest } = resource.inputs;
                    assert.deepEqual(entry?.inputs, rest);
                    const helmFile = JSON.parse(
                        result.files.get(`helm/${String(resource.inputs.name)}.json`) ?? "{}",
                    ) as {
                        values?: unknown;
                    };
                    assert.deepEqual(helmFile.values, values);
                } else {
                    assert.deepEqual(entry?.inputs, resource.inputs, `${resource.type} ${resource.name}`);
                }
            }
            const namespace = written.find((entry) => entry.type === "kubernetes:core/v1:Namespace");
            assert.equal(
                (valueAt(namespace?.inputs, "metadata.labels") as Record<string, string>)[
                    "pod-security.kubernetes.io/enforce"
                ],
                "privileged",
            );
            const secretsWritten = written.filter((entry) => entry.type === "kubernetes:core/v1:Secret");
            assert.ok(secretsWritten.length >= 3);
            for (const entry of secretsWritten) assert.equal(valueAt(entry.inputs, "stringData"), "[secret]");
            for (const entry of written.filter((e) => e.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy"))
                assert.ok(Array.isArray(valueAt(entry.inputs, "spec.ingress")), entry.urn);
        });

        it("labels every series and alert it sends out with its cluster and environment", () => {
            const spec = valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec") as Record<
                string,
                unknown
            >;
            const stackFile = readStackFile(stack);
            assert.deepEqual(spec.externalLabels, {
                cluster: stackFile["stella-monitoring:kubernetes"]?.context ?? stack,
                environment: stack,
            });
        });

        it("loads rules only from the stack's and STELLA's namespaces; monitors stay cluster-wide", () => {
            const spec = valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec") as Record<
                string,
                unknown
            >;
            assert.deepEqual(spec.ruleNamespaceSelector, {
                matchExpressions: [
                    { key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring", "ai-agents"] },
                ],
            });
            assert.equal(spec.ruleSelectorNilUsesHelmValues, false);
            for (const key of [
                "serviceMonitorNamespaceSelector",
                "podMonitorNamespaceSelector",
                "probeNamespaceSelector",
            ])
                assert.equal(spec[key], undefined, key);
        });

        it("keeps each client on one Prometheus replica", () => {
            assert.equal(
                valueAt(release("kube-prometheus-stack"), "values.prometheus.service.sessionAffinity"),
                "ClientIP",
            );
        });

        it("parses STELLA's scrapes as Prometheus text when they come without a usable Content-Type", () => {
            const monitors = podMonitors(resources());
            for (const job of ["stella-backend", "stella-agents"])
                assert.equal(
                    valueAt(monitors.find((m) => m.name === job)?.spec, "fallbackScrapeProtocol"),
                    "PrometheusText0.0.4",
                    job,
                );
        });

        it("creates the PodMonitors after the chart's release, which deletes the copies it held before", () => {
            const release = resources().find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "prometheus",
            );
            const monitors = resources().filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor");
            assert.deepEqual(
                monitors.map((monitor) => valueAt(monitor.inputs, "metadata.name")),
                ["stella-backend", "stella-agents", "jaeger"],
            );
            for (const monitor of monitors) assert.deepEqual(monitor.dependsOn, [release?.urn], monitor.name);
        });

        it("waits in pulumi up until the operator reports Prometheus and Alertmanager available and reconciled", () => {
            for (const kind of ["Prometheus", "Alertmanager"]) {
                const patch = resources().find((r) => r.type === `kubernetes:monitoring.coreos.com/v1:${kind}Patch`);
                assert.ok(patch, `no ${kind}Patch`);
                assert.equal(valueAt(patch.inputs, "metadata.name"), `kube-prometheus-stack-${kind.toLowerCase()}`);
                assert.equal(valueAt(patch.inputs, "metadata.namespace"), "monitoring");
                // Nothing but annotations: the chart keeps owning the spec.
                assert.deepEqual(Object.keys(patch.inputs).sort(), ["apiVersion", "kind", "metadata"]);
                const annotations = valueAt(patch.inputs, "metadata.annotations") as Record<string, string>;
                assert.deepEqual(JSON.parse(annotations["pulumi.com/waitFor"] ?? "[]"), [
                    "condition=Available",
                    "condition=Reconciled",
                ]);
                assert.equal(annotations["pulumi.com/skipAwait"], undefined);
                // Re-applied, so awaited again, after every upgrade of the release (its revision).
                assert.equal(annotations["stella-monitoring/awaited-release-revision"], "1");
                assert.ok(patch.parent?.endsWith("stella:monitoring:PrometheusStack::prometheus"));
            }
        });

        it("tells the smoke check exactly what it registered: rule groups, receivers, data sources, dashboards", () => {
            const expected = result.outputs.smokeExpectations as {
                ruleGroups: string[];
                scrapeJobs: string[];
                receivers: { name: string; integrations: string[] }[];
                grafanaDataSources: string[];
                grafanaDashboards: string[];
            };
            const rules = parse(result.files.get("prometheus-rules.yaml") ?? "") as { groups: { name: string }[] };
            assert.deepEqual(
                expected.ruleGroups,
                rules.groups.map((group) => group.name),
            );
            const alertmanager = parse(result.files.get("alertmanager.yaml") ?? "") as {
                receivers: Record<string, unknown>[];
            };
            assert.deepEqual(
                expected.receivers.map((receiver) => receiver.name),
                alertmanager.receivers.map((receiver) => receiver.name),
            );
            const datasources = JSON.parse(result.files.get("datasources.json") ?? "[]") as { uid: string }[];
            assert.deepEqual([...expected.grafanaDataSources].sort(), datasources.map((source) => source.uid).sort());
            const dashboards = [...result.files.keys()]
                .filter((path) => path.startsWith("dashboards/"))
                .map((path) => path.slice("dashboards/".length, -".json".length));
            assert.deepEqual([...expected.grafanaDashboards].sort(), dashboards.sort());
            const monitors = podMonitors(resources());
            for (const job of expected.scrapeJobs)
                assert.ok(
                    monitors.some((monitor) => monitor.name === job),
                    job,
                );
        });

        expectations.extra?.({ result: () => result, release });
    });
}
