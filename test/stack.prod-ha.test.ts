// prod at its largest: Grafana replicated on an external database, Loki in Distributed mode, remote
// write to a long-term store. The extra secret (the database password) must reach its Secret, and
// nothing else, like every other.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { renderStack, type RenderResult } from "../tools/render";
import { valueAt } from "../config/paths";
import { canaryOverrides, plainOverrides } from "./support/stack-fixtures";

const databasePassword = "CANARY-grafana-database-password";
const remoteWritePassword = "CANARY-remote-write-password";
const remoteWriteToken = "CANARY-remote-write-bearer-token";

describe("prod with HA Grafana, distributed Loki and remote write", () => {
    let result: RenderResult;
    before(async () => {
        result = await renderStack({
            stack: "prod",
            overrides: [
                ...canaryOverrides,
                ...plainOverrides({
                    "grafana.replicas": "2",
                    "grafana.persistence.enabled": "false",
                    "grafana.database.type": "postgres",
                    "grafana.database.host": "postgres.internal:5432",
                    "grafana.database.name": "grafana",
                    "grafana.database.user": "grafana",
                }),
                { path: "grafana.database.password", value: databasePassword, secret: true },
                ...plainOverrides({
                    "loki.mode": "distributed",
                    "prometheus.remoteWrite[0].name": "mimir",
                    "prometheus.remoteWrite[0].url": "https://mimir.example.com/api/v1/push",
                    "prometheus.remoteWrite[0].headers.X-Scope-OrgID": "stella-prod",
                    "prometheus.remoteWrite[0].basicAuth.username": "stella",
                }),
                { path: "prometheus.remoteWrite[0].basicAuth.password", value: remoteWritePassword, secret: true },
                ...plainOverrides({
                    "prometheus.remoteWrite[1].name": "thanos",
                    "prometheus.remoteWrite[1].url": "https://thanos-receive.example.com/api/v1/receive",
                }),
                { path: "prometheus.remoteWrite[1].bearerToken", value: remoteWriteToken, secret: true },
            ],
        });
    });
    const release = (name: string) =>
        result.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === name)?.inputs;

    it("runs two Grafanas on the database, its password from a Secret", () => {
        const grafana = release("grafana");
        assert.equal(valueAt(grafana, "values.replicas"), 2);
        assert.deepEqual(valueAt(grafana, "values.podDisruptionBudget"), { minAvailable: 1 });
        const ini = (valueAt(grafana, "values") as Record<string, unknown>)["grafana.ini"];
        assert.deepEqual(valueAt(ini, "database"), {
            type: "postgres",
            host: "postgres.internal:5432",
            name: "grafana",
            user: "grafana",
            ssl_mode: "require",
        });
        assert.deepEqual(valueAt(grafana, "values.envValueFrom.GF_DATABASE_PASSWORD"), {
            secretKeyRef: { name: "grafana-database", key: "password" },
        });
        const secret = result.resources.find(
            (r) => r.type === "kubernetes:core/v1:Secret" && valueAt(r.inputs, "metadata.name") === "grafana-database",
        );
        assert.equal(valueAt(secret?.plainInputs, "stringData.password"), databasePassword);
        assert.ok(secret?.secretInputPaths.some((path) => "stringData.password".startsWith(path)));
    });

    it("never shows the database password or a remote-write credential in plain text", () => {
        const everything = [
            JSON.stringify(result.resources.map((r) => r.inputs)),
            JSON.stringify(result.outputs),
            ...result.files.values(),
        ].join("\n");
        for (const canary of [databasePassword, remoteWritePassword, remoteWriteToken])
            assert.ok(!everything.includes(canary), canary);
    });

    it("gives the operator the remote-write credentials through a Secret, and the values only its keys", () => {
        const secret = result.resources.find(
            (r) =>
                r.type === "kubernetes:core/v1:Secret" &&
                valueAt(r.inputs, "metadata.name") === "kube-prometheus-stack-remote-write",
        );
        assert.ok(secret, "no remote-write Secret");
        assert.equal(valueAt(secret.inputs, "metadata.namespace"), "monitoring");
        assert.deepEqual(valueAt(secret.plainInputs, "stringData"), {
            "mimir-username": "stella",
            "mimir-password": remoteWritePassword,
            "thanos-bearer-token": remoteWriteToken,
        });
        assert.ok(secret.secretInputPaths.includes("stringData"));
        // The release waits for the Secret: the operator would not reconcile without it.
        const kps = result.resources.find(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "kube-prometheus-stack",
        );
        assert.ok(kps);
        assert.ok(kps.dependsOn.includes(secret.urn));
        // The values are plain: no Output, nothing secret.
        assert.deepEqual(
            kps.secretInputPaths.filter((path) => path.startsWith("values")),
            [],
        );
    });

    it("gives the distributed ingesters and compactor the stack's volume size, not the chart's 10Gi", () => {
        for (const component of ["ingester", "compactor"]) {
            assert.deepEqual(valueAt(release("loki"), `values.${component}.persistence.claims`), [
                { name: "data", accessModes: ["ReadWriteOnce"], size: "50Gi" },
            ]);
        }
    });

    it("runs Loki distributed behind its gateway and writes metrics to the long-term store", () => {
        assert.equal(valueAt(release("loki"), "values.deploymentMode"), "Distributed");
        assert.equal(result.outputs.lokiPushUrl, "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push");
        const reference = (key: string) => ({ name: "kube-prometheus-stack-remote-write", key });
        assert.deepEqual(valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.remoteWrite"), [
            {
                name: "mimir",
                url: "https://mimir.example.com/api/v1/push",
                headers: { "X-Scope-OrgID": "stella-prod" },
                basicAuth: { username: reference("mimir-username"), password: reference("mimir-password") },
            },
            {
                name: "thanos",
                url: "https://thanos-receive.example.com/api/v1/receive",
                authorization: { type: "Bearer", credentials: reference("thanos-bearer-token") },
            },
        ]);
        // Two stacks writing to one store stay apart by these.
        assert.deepEqual(valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.externalLabels"), {
            cluster: "stella-prod",
            environment: "prod",
        });
        const sources = JSON.parse(result.files.get("datasources.json") ?? "[]") as { uid: string; url: string }[];
        assert.equal(
            sources.find((source) => source.uid === "loki")?.url,
            "http://loki-gateway.monitoring.svc.cluster.local",
        );
    });
});
