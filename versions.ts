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
    /** Grafana; it moved to grafana-community in January 2026 (grafana/helm-charts#4087). */
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
