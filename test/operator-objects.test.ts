// The Prometheus Operator objects each stack emits, validated against the operator's schemas: the
// PodMonitors, Probes, ScrapeConfigs, ServiceMonitors, PrometheusRules and AlertmanagerConfigs it
// registers itself, and those it hands to kube-prometheus-stack 88.5.3 in Helm values, rendered into
// full objects the way the chart's templates render them (templates/prometheus/podmonitors.yaml,
// servicemonitors.yaml, additionalPrometheusRules.yaml; the fields of prometheusSpec and
// alertmanagerSpec that prometheus.yaml and alertmanager.yaml copy as they are).
//
// Schemas: npm @kubernetes-models/prometheus-operator 6.0.0, generated from the operator's Go API
// types at prometheus-operator v0.91.0. The cluster runs operator v0.93.1 (kube-prometheus-stack
// 88.5.3, prometheus-operator-crds 31.0.1); 6.0.0 is the newest release of the package, and so the
// closest to v0.93.1 there is. A field the operator added in v0.92 or v0.93 would be reported unknown
// here: check it against the v0.93.1 CRDs before allowing it.
//
// Two checks, because each misses what the other sees:
// - the package's JSON schema validation (`validate()`): types, required fields, enums, formats. One
//   correction: the package requires `apiVersion` and `kind` of embedded objects (a Prometheus'
//   `storage.volumeClaimTemplate`), which the v0.93.1 CRDs leave optional (Go's TypeMeta is
//   `omitempty`); that one error is not counted, below the object's root only;
// - an unknown-field check with the package's TypeScript types: each object is type-checked as an
//   object literal of its kind (every field optional: the schema checks what is required), so a
//   misspelled field (which the API server would prune without a word, and the JSON schema allows) is
//   an error.
// And one the chart adds: a key of an additionalPodMonitors/additionalServiceMonitors entry that the
// chart's template does not copy into the object is silently dropped, so it is an error too.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { placeholderSecretFlags, readJson, renderToDirectory } from "./support/render";
import {
    chartObjects,
    loadModels,
    operatorObjects,
    schemaProblems,
    typeProblems,
    validate,
    type Found,
    type Json,
    type ModelClass,
    type RenderedObjects,
} from "./support/operator-schemas";

function render(stack: string): RenderedObjects {
    const directory = renderToDirectory(stack, placeholderSecretFlags(stack));
    const helm = readJson<{ name: string; namespace: string; values: Json }>(
        directory,
        "helm",
        "kube-prometheus-stack.json",
    );
    return {
        resources: readJson<RenderedObjects["resources"]>(directory, "resources.json"),
        values: helm.values,
        release: helm.name,
        namespace: helm.namespace,
    };
}

let models: Map<string, ModelClass>;
before(async () => {
    models = await loadModels();
});

for (const stack of ["dev", "staging", "prod"]) {
    describe(`operator objects of stack ${stack}`, () => {
        let found: Found[] = [];
        const dropped: string[] = [];
        before(() => {
            found = operatorObjects(render(stack), dropped);
        });

        it("holds STELLA's PodMonitors and rules, and the Prometheus and Alertmanager specs", () => {
            const names = found.map((item) => `${item.object.kind} ${item.object.metadata.name}`);
            for (const expected of [
                "PodMonitor stella-backend",
                "PodMonitor stella-agents",
                "PrometheusRule kube-prometheus-stack-stella",
                "Prometheus kube-prometheus-stack-prometheus",
                "Alertmanager kube-prometheus-stack-alertmanager",
            ])
                assert.ok(names.includes(expected), `no ${expected} among: ${names.join(", ")}`);
        });

        it("passes the operator's schemas, with no unknown field", () => {
            assert.deepEqual(validate(found, models), []);
        });

        it("gives the chart no monitor key it would drop", () => {
            assert.deepEqual(dropped, []);
        });
    });
}

describe("a deliberately broken object fails", () => {
    const podMonitor = (endpoint: Json): Found => ({
        origin: "broken",
        object: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "stella-backend", namespace: "monitoring" },
            spec: {
                selector: { matchLabels: { app: "session-management-server" } },
                podMetricsEndpoints: [{ portNumber: 3000, path: "/metrics", ...endpoint }],
            },
        },
    });

    const prometheusRule = (rule: Json): Found => ({
        origin: "broken",
        object: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "stella" },
            spec: { groups: [{ name: "g", rules: [rule] }] },
        },
    });

    it("the objects here are valid before they are broken", () => {
        const rule = prometheusRule({ record: "a:b:c", expr: "up" });
        assert.deepEqual(
            validate([podMonitor({ relabelings: [{ targetLabel: "job", replacement: "x" }] }), rule], models),
            [],
        );
    });

    it("a relabeling with an action the operator does not know (schema)", () => {
        const problems = validate([podMonitor({ relabelings: [{ action: "rename", targetLabel: "job" }] })], models);
        assert.ok(
            problems.some((problem) => /broken: PodMonitor stella-backend: .*action/s.test(problem)),
            problems.join("\n"),
        );
    });

    it("a misspelled field, which the JSON schema lets through (unknown field)", () => {
        const broken = podMonitor({ relabellings: [{ targetLabel: "job", replacement: "x" }] });
        assert.deepEqual(schemaProblems([broken], models), [], "the JSON schema alone allows unknown fields");
        const problems = typeProblems([broken]);
        assert.ok(
            problems.some(
                (problem) =>
                    problem.startsWith("broken: PodMonitor stella-backend:") && problem.includes("relabellings"),
            ),
            problems.join("\n"),
        );
    });

    it("a rule without an expression (schema)", () => {
        const problems = validate([prometheusRule({ alert: "X", for: "5m" })], models);
        assert.ok(
            problems.some((problem) => problem.includes("expr")),
            problems.join("\n"),
        );
    });

    it("a monitor key that kube-prometheus-stack's template drops", () => {
        const problems: string[] = [];
        chartObjects(
            {
                prometheus: {
                    additionalPodMonitors: [
                        {
                            name: "stella-backend",
                            selector: { matchLabels: { app: "x" } },
                            podMetricsEndpoints: [{ portNumber: 3000 }],
                            scrapeTimeout: "10s",
                        },
                    ],
                },
            },
            "kube-prometheus-stack",
            "monitoring",
            problems,
        );
        assert.deepEqual(problems, [
            'prometheus.additionalPodMonitors stella-backend: the chart drops key "scrapeTimeout"',
        ]);
    });
});
