// The monitoring namespace's NetworkPolicies, evaluated the way Kubernetes evaluates them: a pod that
// some policy selects admits a connection only if one of those policies has a rule whose peer and port
// match. The flows are asked as questions ("may the ingress controller reach cert-manager's solver on
// 8089?"), so a missing or too-wide rule fails here, whatever the policies look like.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as k8s from "@pulumi/kubernetes";
import {
    http01SolverLabels,
    http01SolverPort,
    networkPolicySpec,
    networkPolicySpecs,
    podLabels,
    type NetworkPolicyArgs,
} from "../components/network-policies";
import { parseStackConfig } from "../config";
import { usesCertManagerIssuer } from "../stack";
import { valueAt } from "../config/paths";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Selector = k8s.types.input.meta.v1.LabelSelector;
type Labels = Record<string, string>;
interface Rule {
    readonly ports?: { port?: number; protocol?: string }[];
    readonly from?: { podSelector?: Selector; namespaceSelector?: Selector }[];
}

interface Pod {
    readonly namespace: string;
    readonly labels: Labels;
}

const monitoring = "monitoring";

function matches(selector: Selector | undefined, labels: Labels): boolean {
    if (selector === undefined) return true;
    const matchLabels = (selector.matchLabels ?? {}) as Labels;
    if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
    const expressions = (selector.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[];
    return expressions.every((expression) => {
        const value = labels[expression.key];
        if (expression.operator === "In") return value !== undefined && (expression.values ?? []).includes(value);
        throw new Error(`the evaluator does not know the operator ${expression.operator}`);
    });
}

/** Whether a TCP connection from `source` to `target` on `port` is admitted by the policies of the monitoring namespace. */
function admits(specs: Spec[], source: Pod, target: Pod, port: number): boolean {
    const selecting = specs.filter((spec) => matches(spec.podSelector as Selector, target.labels));
    if (selecting.length === 0) return true;
    return selecting.some((spec) =>
        ((spec.ingress ?? []) as Rule[]).some((rule) => {
            const ports = rule.ports ?? [];
            const portMatches =
                ports.length === 0 || ports.some((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");
            const peers = rule.from ?? [];
            const peerMatches =
                peers.length === 0 ||
                peers.some((peer) => {
                    if (peer.namespaceSelector !== undefined) {
                        const namespaceLabels = { "kubernetes.io/metadata.name": source.namespace };
                        return (
                            matches(peer.namespaceSelector, namespaceLabels) && matches(peer.podSelector, source.labels)
                        );
                    }
                    return source.namespace === monitoring && matches(peer.podSelector, source.labels);
                });
            return portMatches && peerMatches;
        }),
    );
}

const specs = (args: NetworkPolicyArgs) => networkPolicySpecs(args).map(networkPolicySpec);
const solver: Pod = {
    namespace: monitoring,
    // cert-manager's solver pod also carries the domain and token hashes.
    labels: {
        ...http01SolverLabels,
        "acme.cert-manager.io/http-domain": "1234",
        "acme.cert-manager.io/http-token": "5",
    },
};
const ingressController: Pod = { namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" } };
const grafana: Pod = { namespace: monitoring, labels: { ...podLabels.grafana } };
const stellaApp: Pod = { namespace: "ai-agents", labels: { app: "session-management-server" } };

describe("NetworkPolicies, evaluated", () => {
    const args: NetworkPolicyArgs = { otlpNamespaces: ["ai-agents"], ingressControllerNamespace: "ingress-nginx" };

    it("locks cert-manager's HTTP-01 solver out when no issuer is set (what the fix changes)", () => {
        assert.equal(admits(specs(args), ingressController, solver, http01SolverPort), false);
    });

    it("admits the ingress controller to the HTTP-01 solver on 8089 whenever an issuer is set, and nothing else", () => {
        const withIssuer = specs({ ...args, acmeHttp01Solver: true });
        assert.equal(admits(withIssuer, ingressController, solver, http01SolverPort), true);
        assert.equal(admits(withIssuer, ingressController, solver, 8080), false);
        assert.equal(admits(withIssuer, stellaApp, solver, http01SolverPort), false);
        // The solver's rule does not open other pods of the namespace.
        assert.equal(admits(withIssuer, ingressController, grafana, http01SolverPort), false);
        // Without a named ingress controller namespace, Grafana is open to anyone, and so is the solver.
        const open = specs({ otlpNamespaces: ["ai-agents"], acmeHttp01Solver: true });
        assert.equal(admits(open, stellaApp, solver, http01SolverPort), true);
    });

    it("keeps the flows that were there: Grafana from the ingress controller, OTLP from STELLA", () => {
        const withIssuer = specs({ ...args, acmeHttp01Solver: true });
        assert.equal(admits(withIssuer, ingressController, grafana, 3000), true);
        assert.equal(admits(withIssuer, stellaApp, grafana, 3000), false);
        assert.equal(
            admits(withIssuer, stellaApp, { namespace: monitoring, labels: { ...podLabels.jaeger } }, 4317),
            true,
        );
    });

    it("knows an issuer from certManagerClusterIssuer or from cert-manager's own Ingress annotations", () => {
        const ingress = (value: Record<string, unknown>) =>
            parseStackConfig("dev", { grafana: { value: { ingress: value }, secret: false } }).grafana.ingress;
        assert.equal(
            usesCertManagerIssuer(ingress({ enabled: true, tlsSecretName: "t", certManagerClusterIssuer: "le" })),
            true,
        );
        assert.equal(
            usesCertManagerIssuer(ingress({ enabled: true, annotations: { "cert-manager.io/issuer": "local" } })),
            true,
        );
        assert.equal(usesCertManagerIssuer(ingress({ enabled: true, tlsSecretName: "grafana-tls" })), false);
        assert.equal(usesCertManagerIssuer(ingress({ enabled: false })), false);
    });
});

describe("networkPolicySpecs", () => {
    const policies = networkPolicySpecs({ otlpNamespaces: ["ai-agents"], ingressControllerNamespace: "ingress-nginx" });
    const byName = new Map(policies.map((policy) => [policy.name, policy]));

    it("denies ingress by default and lets Prometheus scrape everything", () => {
        assert.deepEqual(byName.get("default-deny-ingress")?.ingress, []);
        assert.deepEqual(byName.get("default-deny-ingress")?.podSelector, {});
        assert.deepEqual(byName.get("allow-prometheus-scrapes")?.ingress, [
            { from: { pods: { "app.kubernetes.io/name": "prometheus" } } },
        ]);
    });

    it("admits OTLP to Jaeger from STELLA's namespace only, and Grafana from the ingress controller only", () => {
        const jaeger = networkPolicySpec(byName.get("jaeger") as NonNullable<ReturnType<typeof byName.get>>);
        assert.deepEqual(valueAt(jaeger, "ingress.0.from.0.namespaceSelector.matchExpressions.0.values"), [
            "ai-agents",
        ]);
        assert.deepEqual(valueAt(jaeger, "ingress.0.ports"), [
            { port: 4317, protocol: "TCP" },
            { port: 4318, protocol: "TCP" },
        ]);
        const grafana = networkPolicySpec(byName.get("grafana") as NonNullable<ReturnType<typeof byName.get>>);
        assert.deepEqual(valueAt(grafana, "ingress.0.from.0.namespaceSelector.matchExpressions.0.values"), [
            "ingress-nginx",
        ]);
    });

    it("opens Grafana's port to anyone when no ingress controller namespace is named", () => {
        const open = networkPolicySpecs({ otlpNamespaces: ["ai-agents"] }).find((policy) => policy.name === "grafana");
        const spec = networkPolicySpec(open as NonNullable<typeof open>);
        assert.equal(valueAt(spec, "ingress.0.from"), undefined);
    });
});
