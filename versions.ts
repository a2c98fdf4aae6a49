// Every Helm chart this program installs: its name, the repository it is published in, and the exact
// version pinned by default. Stack config (`versions.*`) overrides the version; staging and prod pin
// every chart explicitly so that promotion can copy them (npm run promote; README "From a branch to production").

/** The charts, keyed by the name used in the `versions` config object. */
export const charts = {
    /** Prometheus Operator, Prometheus, Alertmanager, kube-state-metrics, node-exporter. */
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "88.5.3",
    },
    /**
     * The Prometheus Operator's CRDs as templates, so that every upgrade upgrades them: Helm installs a
     * chart's crds/ directory once and never again (kube-prometheus-stack's own copy is turned off).
     */
    prometheusOperatorCrds: {
        chart: "prometheus-operator-crds",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "31.0.1",
    },
    /** The OSS Loki chart; it moved to grafana-community in March 2026 (grafana/loki#20705). */
    loki: {
        chart: "loki",
        repository: "https://grafana-community.github.io/helm-charts",
        version: "18.11.0",
    },
    /** Grafana Alloy, the log collector that replaces Promtail (end of life). Not in the community repo. */
    alloy: {
        chart: "alloy",
        repository: "https://grafana.github.io/helm-charts",
        version: "1.11.1",
    },
    /** Jaeger chart 4.x: Jaeger v2 only, an OpenTelemetry Collector based all-in-one. */
    jaeger: {
        chart: "jaeger",
        repository: "https://jaegertracing.github.io/helm-charts",
        version: "4.11.1",
    },
    /** The Blackbox exporter, which probes the backend's /health and /health/ready for Prometheus. */
    blackboxExporter: {
        chart: "prometheus-blackbox-exporter",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "11.17.2",
    },
    /** Grafana; it moved to grafana-community in January 2026 (grafana/helm-charts#4087). 12.11.1 runs Grafana 13.2.0. */
    grafana: {
        chart: "grafana",
        repository: "https://grafana-community.github.io/helm-charts",
        version: "12.11.1",
    },
} as const;

export type ChartKey = keyof typeof charts;
export const chartKeys = Object.keys(charts) as ChartKey[];

/** The default pinned versions, in the shape of the `versions` config object. */
export const defaultVersions: Record<ChartKey, string> = Object.fromEntries(
    chartKeys.map((key) => [key, charts[key].version]),
) as Record<ChartKey, string>;

/**
 * The Prometheus Operator version each chart version carries (its Chart.yaml appVersion, read from
 * prometheus-community/helm-charts). kube-prometheus-stack runs the operator; prometheus-operator-crds
 * installs the CRDs that operator reads: a pair of pins is known to match only when both carry the
 * same operator version. A Renovate bump to a version missing here is refused until it is added.
 */
export const operatorVersions: Record<"kubePrometheusStack" | "prometheusOperatorCrds", Record<string, string>> = {
    kubePrometheusStack: {
        ...forOperator("v0.92.0", ["87.0.0", "87.0.1", "87.1.0", "87.2.0", "87.2.1", "87.3.0"]),
        ...forOperator("v0.92.1", [
            ...["87.4.0", "87.5.0", "87.5.1", "87.6.0", "87.7.0", "87.8.0", "87.9.0", "87.10.0", "87.10.1"],
            ...["87.11.0", "87.12.0", "87.12.1", "87.12.2", "87.12.3", "87.12.4", "87.12.5", "87.13.0"],
            ...["87.14.0", "87.15.0", "87.15.1", "87.15.2", "87.16.0", "87.16.1", "87.17.0", "87.18.0"],
            ...["87.18.1", "87.19.0", "87.19.1", "87.19.2", "87.20.0", "87.21.0"],
        ]),
        ...forOperator("v0.93.0", [
            ...["88.0.0", "88.0.1", "88.1.0", "88.1.1", "88.1.2", "88.1.3", "88.1.4", "88.1.5", "88.1.6"],
            ...["88.2.0", "88.3.0"],
        ]),
        ...forOperator("v0.93.1", ["88.4.0", "88.5.0", "88.5.1", "88.5.2", "88.5.3"]),
    },
    prometheusOperatorCrds: {
        ...forOperator("v0.92.0", ["30.0.0"]),
        ...forOperator("v0.92.1", ["30.0.1"]),
        ...forOperator("v0.93.0", ["31.0.0"]),
        ...forOperator("v0.93.1", ["31.0.1"]),
    },
};

function forOperator(operator: string, chartVersions: string[]): Record<string, string> {
    return Object.fromEntries(chartVersions.map((version) => [version, operator]));
}

/**
 * Why a kube-prometheus-stack and prometheus-operator-crds pair is refused, naming both keys; undefined
 * when both carry the same operator version.
 */
export function operatorPairProblem(kubePrometheusStack: string, prometheusOperatorCrds: string): string | undefined {
    const operator = operatorVersions.kubePrometheusStack[kubePrometheusStack];
    const crdsOperator = operatorVersions.prometheusOperatorCrds[prometheusOperatorCrds];
    const pair = `versions.kubePrometheusStack ${kubePrometheusStack} and versions.prometheusOperatorCrds ${prometheusOperatorCrds}`;
    if (operator === undefined || crdsOperator === undefined) {
        const unknown = operator === undefined ? "versions.kubePrometheusStack" : "versions.prometheusOperatorCrds";
        return `${pair}: not a pair known to carry the same Prometheus Operator (${unknown} is not in operatorVersions in versions.ts; add it from the chart's appVersion)`;
    }
    if (operator !== crdsOperator) {
        const matching = Object.entries(operatorVersions.prometheusOperatorCrds)
            .filter(([, version]) => version === operator)
            .map(([chart]) => chart);
        return `${pair} do not match: the operator ${operator} would read the CRDs of ${crdsOperator}${matching.length > 0 ? `; pin prometheusOperatorCrds ${matching.join(" or ")}` : ""}`;
    }
    return undefined;
}
