// NetworkPolicies: the monitoring namespace admits only the flows the stack needs. Everything is denied
// by default; then Prometheus may scrape every pod, the components reach each other where they must,
// STELLA's namespaces send OTLP to Jaeger, and users (through the ingress controller) reach Grafana.
// Egress stays open: Prometheus scrapes every namespace, and the stores (S3, OpenSearch) are outside.
// Pod labels are the charts' (checked against `helm template` by tools/check-charts.ts); the release
// names and ports come from their components.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { grafanaPorts } from "./grafana-values";
import { jaegerPorts } from "./jaeger";
import { lokiPorts } from "./loki";
import { operatorPodLabels, prometheusStackPorts } from "./prometheus-stack";

/** The labels that select each component's pods. */
export const podLabels = {
    prometheus: { "app.kubernetes.io/name": "prometheus" },
    alertmanager: { "app.kubernetes.io/name": "alertmanager" },
    operator: operatorPodLabels,
    grafana: { "app.kubernetes.io/name": "grafana" },
    loki: { "app.kubernetes.io/name": "loki" },
    alloy: { "app.kubernetes.io/name": "alloy" },
    jaeger: { "app.kubernetes.io/name": "jaeger" },
} as const;

/**
 * The label cert-manager puts on the HTTP-01 solver pods it starts in the Certificate's namespace, and
 * the port they listen on (cert-manager's pkg/apis/acme/v1 SolverIdentificationLabelKey and
 * pkg/issuer/acme/http acmeSolverListenPort). Not a chart's pod: tools/check-charts.ts cannot render it.
 */
export const http01SolverLabels = { "acme.cert-manager.io/http01-solver": "true" } as const;
export const http01SolverPort = 8089;

type Labels = Readonly<Record<string, string>>;

interface Port {
    readonly port: number;
    readonly protocol?: "TCP" | "UDP";
}

/** A peer: pods of this namespace, or every pod of other namespaces, or anyone. */
type Peer = { readonly pods: Labels } | { readonly namespaces: readonly string[] } | "anyone";

export interface PolicySpec {
    readonly name: string;
    readonly description: string;
    readonly podSelector: Labels;
    /** Empty: no ingress at all (the default deny). */
    readonly ingress: readonly { readonly from: Peer; readonly ports?: readonly Port[] }[];
}

export interface NetworkPolicyArgs {
    /** The namespaces whose apps send OTLP to Jaeger (STELLA's). */
    readonly otlpNamespaces: readonly string[];
    /** The ingress controller's namespace, the only way to Grafana; unset: Grafana is open to anyone (NodePort, LoadBalancer). */
    readonly ingressControllerNamespace?: string;
    /**
     * cert-manager issues Grafana's certificate with an ACME HTTP-01 challenge: its solver pods run here
     * and must be reachable from the ingress controller. Default false.
     */
    readonly acmeHttp01Solver?: boolean;
}

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port, protocol: "TCP" }));

/** The policies, as data. Pure. */
export function networkPolicySpecs(args: NetworkPolicyArgs): PolicySpec[] {
    const { prometheus, alertmanager, alertmanagerCluster, operatorWebhook } = prometheusStackPorts;
    const throughIngressController: Peer =
        args.ingressControllerNamespace === undefined ? "anyone" : { namespaces: [args.ingressControllerNamespace] };
    return [
        {
            name: "default-deny-ingress",
            description: "Nothing reaches a pod here unless a policy below admits it.",
            podSelector: {},
            ingress: [],
        },
        {
            name: "allow-prometheus-scrapes",
            description: "Prometheus scrapes every pod of the stack, on any port.",
            podSelector: {},
            ingress: [{ from: { pods: podLabels.prometheus } }],
        },
        {
            name: "prometheus",
            description: "Grafana queries Prometheus; Jaeger reads its span metrics back; replicas talk to each other.",
            podSelector: podLabels.prometheus,
            ingress: [
                { from: { pods: podLabels.grafana }, ports: tcp(prometheus) },
                { from: { pods: podLabels.jaeger }, ports: tcp(prometheus) },
                { from: { pods: podLabels.prometheus }, ports: tcp(prometheus) },
            ],
        },
        {
            name: "alertmanager",
            description:
                "Prometheus sends alerts; Grafana reads them (its Alertmanager data source); replicas gossip on 9094.",
            podSelector: podLabels.alertmanager,
            ingress: [
                { from: { pods: podLabels.prometheus }, ports: tcp(alertmanager) },
                { from: { pods: podLabels.grafana }, ports: tcp(alertmanager) },
                {
                    from: { pods: podLabels.alertmanager },
                    ports: [...tcp(alertmanager, alertmanagerCluster), { port: alertmanagerCluster, protocol: "UDP" }],
                },
            ],
        },
        {
            name: "prometheus-operator-webhook",
            description:
                "The API server calls the operator's admission webhook; its address is the cluster's, not a pod's.",
            podSelector: podLabels.operator,
            ingress: [{ from: "anyone", ports: tcp(operatorWebhook) }],
        },
        {
            name: "loki",
            description:
                "Alloy pushes logs and Grafana queries them; Loki's own pods (components, caches) talk to each other.",
            podSelector: podLabels.loki,
            ingress: [
                { from: { pods: podLabels.alloy }, ports: tcp(lokiPorts.http, lokiPorts.gateway) },
                { from: { pods: podLabels.grafana }, ports: tcp(lokiPorts.http, lokiPorts.gateway) },
                { from: { pods: podLabels.loki } },
            ],
        },
        {
            name: "jaeger",
            description: "STELLA's apps send OTLP; Grafana queries traces.",
            podSelector: podLabels.jaeger,
            ingress: [
                { from: { namespaces: args.otlpNamespaces }, ports: tcp(jaegerPorts.otlpGrpc, jaegerPorts.otlpHttp) },
                { from: { pods: podLabels.grafana }, ports: tcp(jaegerPorts.ui, jaegerPorts.queryGrpc) },
            ],
        },
        {
            name: "grafana",
            description: "People reach Grafana through the ingress controller; Grafana replicas gossip for alerting.",
            podSelector: podLabels.grafana,
            ingress: [
                { from: throughIngressController, ports: tcp(grafanaPorts.http) },
                {
                    from: { pods: podLabels.grafana },
                    ports: [
                        ...tcp(grafanaPorts.alertingGossip),
                        { port: grafanaPorts.alertingGossip, protocol: "UDP" },
                    ],
                },
            ],
        },
        ...(args.acmeHttp01Solver === true
            ? [
                  {
                      name: "cert-manager-http01-solver",
                      description:
                          "The ACME server, and cert-manager's self-check, fetch the HTTP-01 challenge from cert-manager's solver pod through the ingress controller; without it Grafana's certificate is never issued or renewed.",
                      podSelector: http01SolverLabels,
                      ingress: [{ from: throughIngressController, ports: tcp(http01SolverPort) }],
                  },
              ]
            : []),
    ];
}

function peer(from: Peer): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
    if (from === "anyone") return [];
    if ("pods" in from) return [{ podSelector: { matchLabels: { ...from.pods } } }];
    return [
        {
            namespaceSelector: {
                matchExpressions: [
                    { key: "kubernetes.io/metadata.name", operator: "In", values: [...from.namespaces] },
                ],
            },
        },
    ];
}

/** A NetworkPolicy spec as Kubernetes takes it. Pure. */
export function networkPolicySpec(policy: PolicySpec): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { ...policy.podSelector } },
        policyTypes: ["Ingress"],
        ingress: policy.ingress.map((rule) => ({
            // An empty `from` admits every source; "anyone" is said that way on purpose.
            ...(rule.from === "anyone" ? {} : { from: peer(rule.from) }),
            ...(rule.ports === undefined
                ? {}
                : { ports: rule.ports.map((port) => ({ port: port.port, protocol: port.protocol ?? "TCP" })) }),
        })),
    };
}

export interface NetworkPoliciesArgs extends NetworkPolicyArgs {
    /** The monitoring namespace; created by the caller. */
    readonly namespace: pulumi.Input<string>;
}

/** The monitoring namespace's NetworkPolicies. */
export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:NetworkPolicies", name, {}, opts);
        for (const policy of networkPolicySpecs(args)) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy.name}`,
                {
                    metadata: {
                        name: policy.name,
                        namespace: args.namespace,
                        labels: { "app.kubernetes.io/part-of": "stella-monitoring" },
                        annotations: { "stella-monitoring/why": policy.description },
                    },
                    spec: networkPolicySpec(policy),
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
