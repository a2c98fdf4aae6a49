// What staging and prod have in common, beyond dev: receivers, object storage, OpenSearch, Ingress.

import assert from "node:assert/strict";
import { it } from "node:test";
import { byteSizeBytes, quantityBytes } from "../../config";
import { chartKeys } from "../../versions";
import { valueAt } from "../../config/paths";
import { canaries, devResources } from "./stack-fixtures";
import { describeStack, readStackFile } from "./stack-harness";

/** dev's resources, plus the Secrets of the object store's and the trace store's credentials. */
const productionResources = [
    ...devResources,
    "kubernetes:core/v1:Secret loki-object-storage",
    "kubernetes:core/v1:Secret jaeger-storage",
    "kubernetes:core/v1:Secret grafana-sso",
    "stella:monitoring:NetworkPolicies network-policies",
    ...[
        "default-deny-ingress",
        "allow-prometheus-scrapes",
        "prometheus",
        "alertmanager",
        "prometheus-operator-webhook",
        "loki",
        "jaeger",
        "grafana",
        "cert-manager-http01-solver",
    ].map((policy) => `kubernetes:networking.k8s.io/v1:NetworkPolicy network-policies-${policy}`),
];

export interface ProductionSizes {
    readonly prometheusReplicas: number;
    readonly prometheusRetention: string;
    readonly prometheusStorage: string;
    readonly prometheusRetentionSize: string;
    readonly prometheusAntiAffinity: "soft" | "hard";
    readonly lokiReplicas: number;
    readonly jaegerReplicas: number;
    readonly grafanaHost: string;
    /** Whether what holds data is protected against `pulumi destroy`. */
    readonly protectsData: boolean;
}

export function describeProductionStack(stack: "staging" | "prod", sizes: ProductionSizes): void {
    // The versions this stack pins in its own file: the test reads them rather than repeating them.
    const stackFile = readStackFile(stack);
    const pinned = stackFile["stella-monitoring:versions"];
    assert.ok(pinned, `Pulumi.${stack}.yaml must pin every chart version`);

    describeStack(stack, true, {
        versions: {
            "kube-prometheus-stack": pinned.kubePrometheusStack as string,
            "kube-prometheus-stack-crds": pinned.prometheusOperatorCrds as string,
            loki: pinned.loki as string,
            alloy: pinned.alloy as string,
            jaeger: pinned.jaeger as string,
            "blackbox-exporter": pinned.blackboxExporter as string,
            grafana: pinned.grafana as string,
        },
        resources: productionResources,
        secrets: [
            {
                value: canaries.slackWebhookUrl,
                secretName: "kube-prometheus-stack-alertmanager-receivers",
                key: "slack-webhook-url",
            },
            {
                value: canaries.pagerdutyRoutingKey,
                secretName: "kube-prometheus-stack-alertmanager-receivers",
                key: "pagerduty-routing-key",
            },
            {
                value: canaries.heartbeatUrl,
                secretName: "kube-prometheus-stack-alertmanager-receivers",
                key: "heartbeat-url",
            },
            { value: canaries.s3SecretAccessKey, secretName: "loki-object-storage", key: "LOKI_S3_SECRET_ACCESS_KEY" },
            { value: canaries.storagePassword, secretName: "jaeger-storage", key: "password" },
            { value: canaries.ssoClientSecret, secretName: "grafana-sso", key: "client-secret" },
        ],
        extra: ({ result, release }) => {
            it(
                sizes.protectsData
                    ? "protects what holds data against pulumi destroy"
                    : "protects nothing but the Grafana admin password",
                () => {
                    const resources = result().resources;
                    const urnOf = (type: string, name: string) =>
                        resources.find((r) => r.type === type && r.name === name)?.urn ?? "";
                    const holders = [
                        urnOf("kubernetes:core/v1:Namespace", "monitoring-namespace"),
                        urnOf("kubernetes:helm.sh/v3:Release", "prometheus"),
                        urnOf("kubernetes:helm.sh/v3:Release", "prometheus-crds"),
                        urnOf("kubernetes:helm.sh/v3:Release", "loki"),
                        urnOf("kubernetes:helm.sh/v3:Release", "grafana"),
                    ];
                    for (const resource of resources.filter((r) => holders.includes(r.urn))) {
                        assert.equal(resource.protect, sizes.protectsData, resource.name);
                    }
                    // Grafana's database keeps the admin password it was created with: replacing it is
                    // refused in every stack whose database outlives the pod.
                    const password = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
                    assert.equal(password?.protect, true, "the Grafana admin password");
                    const unprotected = resources.filter((r) => !holders.includes(r.urn) && r !== password);
                    assert.ok(unprotected.some((r) => r.type === "grafana:oss/dashboard:Dashboard"));
                    // Only what holds data: dashboards, Secrets and the rest must stay replaceable.
                    for (const resource of unprotected)
                        assert.equal(resource.protect, false, `${resource.type} ${resource.name}`);
                },
            );
            it("rolls the pods that read a Secret at start when that Secret changes", () => {
                // The mock API server gives each Secret the resourceVersion "<logical name>-v1".
                const key = "stella-monitoring/secrets-version";
                assert.equal(
                    valueAt(release("loki"), `values.defaults.podAnnotations.${key}`),
                    "loki-object-storage-v1",
                );
                assert.equal(valueAt(release("jaeger"), `values.jaeger.podLabels.${key}`), "jaeger-storage-v1");
                assert.equal(
                    valueAt(release("grafana"), `values.podAnnotations.${key}`),
                    "grafana-admin-v1-grafana-sso-v1",
                );
            });
            it("admits the ingress controller to cert-manager's HTTP-01 solver pods, which issue Grafana's certificate", () => {
                const policy = result().resources.find(
                    (r) =>
                        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
                        valueAt(r.inputs, "metadata.name") === "cert-manager-http01-solver",
                );
                assert.ok(policy, "no NetworkPolicy for the HTTP-01 solver");
                assert.deepEqual(valueAt(policy.inputs, "spec.podSelector"), {
                    matchLabels: { "acme.cert-manager.io/http01-solver": "true" },
                });
                assert.deepEqual(valueAt(policy.inputs, "spec.ingress"), [
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchExpressions: [
                                        {
                                            key: "kubernetes.io/metadata.name",
                                            operator: "In",
                                            values: ["ingress-nginx"],
                                        },
                                    ],
                                },
                            },
                        ],
                        ports: [{ port: 8089, protocol: "TCP" }],
                    },
                ]);
            });
            it("spreads Alertmanager by its own setting, not Prometheus'", () => {
                const values = release("kube-prometheus-stack");
                assert.equal(
                    valueAt(values, "values.prometheus.prometheusSpec.podAntiAffinity"),
                    sizes.prometheusAntiAffinity,
                );
                assert.equal(valueAt(values, "values.alertmanager.alertmanagerSpec.podAntiAffinity"), "soft");
            });
            it("keeps the TSDB within 85% of its volume", () => {
                const spec = valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec");
                assert.equal(valueAt(spec, "retentionSize"), sizes.prometheusRetentionSize);
                assert.ok(
                    byteSizeBytes(sizes.prometheusRetentionSize) <= 0.85 * quantityBytes(sizes.prometheusStorage),
                );
            });
            it("links alerts to runbooks on a real host", () => {
                const rules = result().files.get("prometheus-rules.yaml") ?? "";
                assert.doesNotMatch(rules, /git\.stella\.example\.com/);
                assert.match(
                    rules,
                    /runbook_url: https:\/\/github\.com\/stella-platform\/stella-monitoring\/blob\/main\/docs\/runbooks\/HighErrorRate\.md/,
                );
            });
            it("pins every chart version in the stack file", () => {
                assert.deepEqual(Object.keys(pinned).sort(), [...chartKeys].sort());
            });
            it("reads receiver credentials from mounted files, never inline", () => {
                const text = result().files.get("alertmanager.yaml") ?? "";
                assert.match(
                    text,
                    /api_url_file: \/etc\/alertmanager\/secrets\/kube-prometheus-stack-alertmanager-receivers\/slack-webhook-url/,
                );
                assert.match(
                    text,
                    /routing_key_file: \/etc\/alertmanager\/secrets\/kube-prometheus-stack-alertmanager-receivers\/pagerduty-routing-key/,
                );
                assert.match(
                    text,
                    /url_file: \/etc\/alertmanager\/secrets\/kube-prometheus-stack-alertmanager-receivers\/heartbeat-url/,
                );
                assert.doesNotMatch(text, /api_url:|routing_key:|service_key:|\burl:/);
                const spec = valueAt(release("kube-prometheus-stack"), "values.alertmanager.alertmanagerSpec");
                assert.deepEqual(valueAt(spec, "secrets"), ["kube-prometheus-stack-alertmanager-receivers"]);
                assert.equal(valueAt(spec, "configSecret"), "kube-prometheus-stack-alertmanager-config");
            });
            it("runs Prometheus and Alertmanager replicated on persistent volumes", () => {
                const values = release("kube-prometheus-stack");
                assert.equal(valueAt(values, "values.prometheus.prometheusSpec.replicas"), sizes.prometheusReplicas);
                assert.equal(valueAt(values, "values.prometheus.prometheusSpec.retention"), sizes.prometheusRetention);
                assert.equal(
                    valueAt(
                        values,
                        "values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage",
                    ),
                    sizes.prometheusStorage,
                );
                assert.equal(valueAt(values, "values.alertmanager.alertmanagerSpec.replicas"), 3);
                assert.ok(valueAt(values, "values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate"));
            });
            it("stores logs in object storage, credentials expanded from the environment", () => {
                const values = release("loki");
                assert.equal(valueAt(values, "values.loki.storage.type"), "s3");
                assert.equal(valueAt(values, "values.loki.schemaConfig.configs.0.object_store"), "s3");
                assert.equal(valueAt(values, "values.loki.storage.s3.secretAccessKey"), "${LOKI_S3_SECRET_ACCESS_KEY}");
                assert.equal(valueAt(values, "values.loki.storage.s3.accessKeyId"), "${LOKI_S3_ACCESS_KEY_ID}");
                assert.deepEqual(valueAt(values, "values.defaults.extraEnvFrom"), [
                    { secretRef: { name: "loki-object-storage" } },
                ]);
                assert.equal(valueAt(values, "values.singleBinary.replicas"), sizes.lokiReplicas);
            });
            it("stores traces in OpenSearch with the password from a Secret", () => {
                const values = release("jaeger");
                const backend = valueAt(
                    values,
                    "values.userconfig.extensions.jaeger_storage.backends.primary.opensearch",
                );
                assert.equal(valueAt(backend, "auth.basic.password"), "${env:JAEGER_STORAGE_PASSWORD}");
                assert.equal(valueAt(values, "values.jaeger.replicas"), sizes.jaegerReplicas);
                assert.deepEqual(valueAt(values, "values.jaeger.extraEnv"), [
                    {
                        name: "JAEGER_STORAGE_PASSWORD",
                        valueFrom: { secretKeyRef: { name: "jaeger-storage", key: "password" } },
                    },
                ]);
            });
            it("sizes Loki's ingestion limits from the stack file and keeps quorum through evictions", () => {
                const loki = stackFile["stella-monitoring:loki"] as unknown as {
                    limits: { ingestionRateMb: number; ingestionBurstSizeMb: number };
                };
                const limits = valueAt(release("loki"), "values.loki.limits_config");
                assert.equal(valueAt(limits, "ingestion_rate_mb"), loki.limits.ingestionRateMb);
                assert.equal(valueAt(limits, "ingestion_burst_size_mb"), loki.limits.ingestionBurstSizeMb);
                assert.ok(loki.limits.ingestionRateMb > 4, "above Loki's 4 MB/s default");
                assert.equal(valueAt(limits, "max_line_size_truncate"), true);
                assert.equal(valueAt(release("loki"), "values.singleBinary.podDisruptionBudget.maxUnavailable"), 1);
                assert.equal(valueAt(release("loki"), "values.memberlist.service.publishNotReadyAddresses"), true);
            });
            it("searches traces over the whole retention", () => {
                const backend = valueAt(
                    release("jaeger"),
                    "values.userconfig.extensions.jaeger_storage.backends.primary.opensearch",
                );
                assert.equal(valueAt(backend, "max_span_age"), "168h");
            });
            it("collects logs on every node, as non-root, with positions on the node", () => {
                const values = release("alloy");
                assert.deepEqual(valueAt(values, "values.controller.tolerations"), [{ operator: "Exists" }]);
                assert.equal(valueAt(values, "values.alloy.securityContext.runAsNonRoot"), true);
                assert.equal(valueAt(values, "values.alloy.storagePath"), "/var/lib/alloy/data");
                assert.deepEqual(valueAt(values, "values.controller.volumes.extra.0.hostPath"), {
                    path: "/var/lib/stella-monitoring/alloy",
                    type: "DirectoryOrCreate",
                });
                assert.deepEqual(valueAt(values, "values.controller.updateStrategy.rollingUpdate"), {
                    maxUnavailable: "25%",
                });
            });
            it("serves Grafana through a TLS Ingress at its public URL", () => {
                const values = release("grafana");
                assert.deepEqual(valueAt(values, "values.ingress.hosts"), [sizes.grafanaHost]);
                assert.deepEqual(valueAt(values, "values.ingress.tls"), [
                    { secretName: "grafana-tls", hosts: [sizes.grafanaHost] },
                ]);
                assert.equal(valueAt(valueAt(values, "values") as object, "persistence.enabled"), true);
                const ini = (valueAt(values, "values") as Record<string, unknown>)["grafana.ini"];
                assert.equal(valueAt(ini, "security.cookie_secure"), true);
                assert.deepEqual((ini as Record<string, unknown>)["auth.anonymous"], { enabled: false });
            });
            it("signs people in through OpenID Connect, the client secret read from its mounted Secret", () => {
                const values = valueAt(release("grafana"), "values") as Record<string, unknown>;
                const ini = values["grafana.ini"] as Record<string, Record<string, unknown>>;
                const oauth = ini["auth.generic_oauth"] ?? {};
                assert.equal(oauth.client_secret, "$__file{/etc/secrets/grafana-sso/client-secret}");
                assert.equal(
                    oauth.token_url,
                    "https://sso.stella.example.com/realms/stella/protocol/openid-connect/token",
                );
                assert.equal(oauth.allowed_groups, "stella-staff");
                // The form is off; basic auth stays for the Grafana provider's admin (break-glass).
                assert.deepEqual(ini.auth, { disable_login_form: true });
                assert.deepEqual(ini["auth.basic"], { enabled: true });
                assert.deepEqual(values.extraSecretMounts, [
                    {
                        name: "sso-client-secret",
                        secretName: "grafana-sso",
                        mountPath: "/etc/secrets/grafana-sso",
                        readOnly: true,
                    },
                ]);
                const provider = result().resources.find((r) => r.type === "pulumi:providers:grafana");
                assert.match(String(valueAt(provider?.plainInputs, "auth")), /^admin:/);
            });
        },
    });
}
