// The shape of a Prometheus rule and the helpers every rule group builds with: the context they read
// (plain config, no Outputs), the alert builder that gives every alert what an on-call engineer needs
// (severity, summary, description with the value, runbook, dashboard) and a `for`, recording rules and
// selectors. The groups (backend-rules.ts, agent-rules.ts, stack-rules.ts) import this; rules.ts
// gathers them. Nothing here imports a group, so no group imports what imports it.

import type { StackConfig } from "../config";
import { panelPath, type PanelRef } from "../catalogue";
import { lokiIngesterStreamLimit } from "../config/loki-sizing";

export interface Rule {
    readonly alert?: string;
    readonly record?: string;
    readonly expr: string;
    readonly for?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
    readonly name: string;
    readonly interval?: string;
    readonly rules: readonly Rule[];
}

export type Severity = "critical" | "warning" | "info";

/** Everything the rule builders read: plain config, no Outputs. */
export interface RulesContext {
    readonly stella: StackConfig["stella"];
    readonly slo: StackConfig["slo"];
    readonly thresholds: StackConfig["alerting"]["thresholds"];
    readonly runbookBaseUrl: string;
    readonly grafanaUrl: string;
    /** The namespace the monitoring stack runs in. */
    readonly monitoringNamespace: string;
    /** The active streams one Loki ingester holds before it refuses new ones (LokiStreamsNearLimit). */
    readonly lokiIngesterStreamLimit: number;
}

/** The context of a stack's rules, from its config: the monitoring stack runs in `kubernetes.namespace`. */
export function rulesContext(config: StackConfig): RulesContext {
    return {
        stella: config.stella,
        slo: config.slo,
        thresholds: config.alerting.thresholds,
        runbookBaseUrl: config.alerting.runbookBaseUrl,
        grafanaUrl: config.grafana.url,
        monitoringNamespace: config.kubernetes.namespace,
        lokiIngesterStreamLimit: lokiIngesterStreamLimit(config.loki),
    };
}

export interface AlertSpec {
    readonly name: string;
    readonly expr: string;
    readonly for: string;
    readonly severity: Severity;
    /** Which part of the platform: it groups notifications and scopes inhibition. */
    readonly service: string;
    readonly summary: string;
    /** Go template text; `{{ $value }}` is the value that fired. */
    readonly description: string;
    /** The panel to open first. */
    readonly panel: PanelRef;
}

/** An alerting rule with the labels and annotations every STELLA alert carries. */
export function alertRule(context: RulesContext, spec: AlertSpec): Rule {
    const base = context.runbookBaseUrl.replace(/\/+$/, "");
    return {
        alert: spec.name,
        expr: spec.expr,
        for: spec.for,
        labels: { severity: spec.severity, service: spec.service },
        annotations: {
            summary: spec.summary,
            description: spec.description,
            runbook_url: `${base}/${spec.name}.md`,
            dashboard_url: `${context.grafanaUrl.replace(/\/+$/, "")}${panelPath(spec.panel)}`,
        },
    };
}

/** A recording rule. */
export function recordingRule(record: string, expr: string, labels?: Record<string, string>): Rule {
    return labels === undefined ? { record, expr } : { record, expr, labels };
}

/** PromQL selector text for a label set: {a="x", b=~"y"}. */
export function selector(matchers: Record<string, string>): string {
    const parts = Object.entries(matchers).map(([label, value]) =>
        value.startsWith("~") ? `${label}=~${JSON.stringify(value.slice(1))}` : `${label}=${JSON.stringify(value)}`,
    );
    return `{${parts.join(", ")}}`;
}
