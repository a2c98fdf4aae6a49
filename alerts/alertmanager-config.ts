// Builds Alertmanager's configuration (alertmanager.yaml) for STELLA: everything to Slack (into the
// channel the stack's incoming webhook posts to), severity=critical to PagerDuty as well, the Watchdog to
// a dead man's switch. Credentials are referenced by file path, never inline: the files are the keys of
// a Kubernetes Secret that the Prometheus Operator mounts into every Alertmanager pod. stack.ts builds it
// from the config (alertmanagerContext) and hands it to components/prometheus-stack.ts as data.

import type { StackConfig } from "../config";

/** Where the operator mounts a Secret listed in `alertmanagerSpec.secrets`. */
export function mountedSecretPath(secretName: string, key: string): string {
    return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

/** The keys of the receiver Secret. */
export const receiverSecretKeys = {
    slackWebhookUrl: "slack-webhook-url",
    pagerdutyRoutingKey: "pagerduty-routing-key",
    heartbeatUrl: "heartbeat-url",
} as const;

/** Receiver names, as they appear in routes and in `amtool config routes test`. */
export const receiverNames = {
    slack: "slack",
    pagerduty: "pagerduty",
    /** Drops what it gets: kube-prometheus-stack's always-firing Watchdog, and dev without receivers. */
    blackhole: "null",
    /** The dead man's switch. */
    heartbeat: "heartbeat",
} as const;

export interface AlertmanagerConfigArgs {
    /** The Secret that holds the receiver credentials (mounted through alertmanagerSpec.secrets). */
    readonly receiverSecretName: string;
    /** Slack is configured: the webhook URL is in the Secret. */
    readonly slackEnabled: boolean;
    /** PagerDuty is configured: the routing key is in the Secret. */
    readonly pagerdutyEnabled: boolean;
    /**
     * A dead man's switch is configured: its URL is in the Secret, and the Watchdog alert calls it every
     * minute; otherwise the Watchdog is dropped.
     */
    readonly heartbeatEnabled: boolean;
    /** How long a new group waits for more alerts before the first notification (seed: 30s). */
    readonly groupWait: string;
    /** How long before a changed group notifies again (seed: 5m). */
    readonly groupInterval: string;
    /** How long before a still-firing group notifies again (seed: 4h). */
    readonly repeatInterval: string;
    /** Grafana's public URL, for links in notifications. */
    readonly grafanaUrl: string;
}

/** The arguments of a stack's Alertmanager config, from its config: routing, and which receivers have credentials. */
export function alertmanagerContext(config: StackConfig, receiverSecretName: string): AlertmanagerConfigArgs {
    const { alerting } = config;
    return {
        receiverSecretName,
        heartbeatEnabled: alerting.heartbeatUrl !== undefined,
        grafanaUrl: config.grafana.url,
        slackEnabled: alerting.slackWebhookUrl !== undefined,
        pagerdutyEnabled: alerting.pagerdutyRoutingKey !== undefined,
        groupWait: alerting.groupWait,
        groupInterval: alerting.groupInterval,
        repeatInterval: alerting.repeatInterval,
    };
}

type Credential = NonNullable<StackConfig["alerting"]["slackWebhookUrl"]>;

/** The receiver Secret's data: each configured credential under the key the config reads it by. Secrets stay Outputs. */
export function receiverCredentials(alerting: StackConfig["alerting"]): Record<string, Credential> {
    const data: Record<string, Credential> = {};
    if (alerting.slackWebhookUrl !== undefined) data[receiverSecretKeys.slackWebhookUrl] = alerting.slackWebhookUrl;
    if (alerting.pagerdutyRoutingKey !== undefined)
        data[receiverSecretKeys.pagerdutyRoutingKey] = alerting.pagerdutyRoutingKey;
    if (alerting.heartbeatUrl !== undefined) data[receiverSecretKeys.heartbeatUrl] = alerting.heartbeatUrl;
    return data;
}

/** A config's receivers and their integrations (slack_configs, …): the post-deploy check finds them in the running config. */
export function receiverIntegrations(config: Record<string, unknown>): { name: string; integrations: string[] }[] {
    return (config.receivers as Record<string, unknown>[]).map((receiver) => ({
        name: String(receiver.name),
        integrations: Object.keys(receiver).filter((key) => key.endsWith("_configs")),
    }));
}

// Slack's message, from the alert's own labels and annotations. Go templates, evaluated by Alertmanager.
const slackTitle =
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}';
const slackText = [
    "{{ range .Alerts }}",
    "*{{ .Labels.severity | toUpper }}* {{ .Annotations.summary }}{{ if .Labels.service }} ({{ .Labels.service }}){{ end }}",
    "{{ .Annotations.description }}",
    "{{ if .Annotations.runbook_url }}<{{ .Annotations.runbook_url }}|Runbook>{{ end }}" +
        "{{ if .Annotations.dashboard_url }} · <{{ .Annotations.dashboard_url }}|Dashboard>{{ end }}",
    "{{ end }}",
].join("\n");

/** How often the Watchdog pings the dead man's switch; set the switch's period to it (plus a grace). */
export const heartbeatInterval = "1m";

// PagerDuty's event severity (critical, error, warning or info) from the alert's own label; Alertmanager
// would send `error` for every page. Only critical alerts page today; a label PagerDuty does not know
// pages as critical rather than being refused.
const pagerdutySeverity =
    '{{ if eq .CommonLabels.severity "critical" "error" "warning" "info" }}{{ .CommonLabels.severity }}{{ else }}critical{{ end }}';

// Alertmanager (≥ 0.30) parses every rendered detail as YAML and sends what it parses to, so a
// description such as "27.6% of requests are failing: at this rate …" would arrive as a map. A
// leading backtick is a character YAML cannot start a document with: the text then stays a string,
// each firing alert's description on its own line, as written, between backticks.
const pagerdutyFiring = "{{ range .Alerts.Firing }}`{{ .Annotations.description }}`\n{{ end }}";

/** Which alerts silence which: the more precise alert wins, so one cause pages once. */
export function inhibitRules(): Record<string, unknown>[] {
    const symptoms = [
        "StellaBackendOutage",
        "HighErrorRate",
        "StellaBackendNotReady",
        "HighLatency",
        "StellaAvailabilityFastBurn",
        "StellaAvailabilitySlowBurn",
        "StellaLatencyFastBurn",
        "StellaLatencySlowBurn",
    ];
    return [
        // A critical alert silences the warning (and info) of the same alert on the same service.
        {
            source_matchers: ['severity = "critical"'],
            target_matchers: ['severity =~ "warning|info"'],
            equal: ["alertname", "namespace", "service"],
        },
        {
            source_matchers: ['severity = "warning"'],
            target_matchers: ['severity = "info"'],
            equal: ["alertname", "namespace", "service"],
        },
        // A backend that is down silences everything else it causes.
        {
            source_matchers: ['alertname = "StellaBackendDown"'],
            target_matchers: ['service = "stella-backend"', 'alertname != "StellaBackendDown"'],
        },
        // A failing health check explains the errors, the latency and the burn rates.
        {
            source_matchers: ['alertname = "StellaBackendHealthCheckFailing"'],
            target_matchers: [`alertname =~ "${symptoms.join("|")}"`],
        },
        // The outage page comes first (it reads the last scrape) and mutes the high error rate and the slow
        // burn that follow. Not the fast burn: the outage clears at the first healthy scrape, while the fast
        // burn holds for about 5 minutes more (its 5m window), and a fast burn muted until then would page
        // anew after the recovery. Measured with npm run bench:e2e.
        {
            source_matchers: ['alertname = "StellaBackendOutage"'],
            target_matchers: ['alertname =~ "StellaAvailabilitySlowBurn|HighErrorRate"'],
        },
        // A fast burn pages first and means the same as a high error rate: one page for one cause.
        {
            source_matchers: ['alertname = "StellaAvailabilityFastBurn"'],
            target_matchers: ['alertname = "HighErrorRate"'],
        },
        // A fast burn already pages; its slow twin adds nothing.
        {
            source_matchers: ['alertname = "StellaAvailabilityFastBurn"'],
            target_matchers: ['alertname = "StellaAvailabilitySlowBurn"'],
        },
        {
            source_matchers: ['alertname = "StellaLatencyFastBurn"'],
            target_matchers: ['alertname = "StellaLatencySlowBurn"'],
        },
        // kube-prometheus-stack's InfoInhibitor mutes info alerts of a namespace that has another alert firing.
        {
            source_matchers: ['alertname = "InfoInhibitor"'],
            target_matchers: ['severity = "info"'],
            equal: ["namespace"],
        },
        { target_matchers: ['alertname = "InfoInhibitor"'] },
    ];
}

/**
 * The Alertmanager configuration. Without Slack the default route drops alerts (dev only; the
 * config layer refuses it elsewhere); without PagerDuty critical alerts stay on the default route.
 */
export function alertmanagerConfig(args: AlertmanagerConfigArgs): Record<string, unknown> {
    const defaultReceiver = args.slackEnabled ? receiverNames.slack : receiverNames.blackhole;
    const receivers: Record<string, unknown>[] = [{ name: receiverNames.blackhole }];
    if (args.slackEnabled) {
        receivers.push({
            name: receiverNames.slack,
            slack_configs: [
                {
                    // No `channel`: an incoming webhook posts into the channel it was created for and
                    // ignores any other, so the stack's channel is its webhook's.
                    api_url_file: mountedSecretPath(args.receiverSecretName, receiverSecretKeys.slackWebhookUrl),
                    send_resolved: true,
                    title: slackTitle,
                    title_link: args.grafanaUrl,
                    text: slackText,
                },
            ],
        });
    }
    if (args.pagerdutyEnabled) {
        receivers.push({
            name: receiverNames.pagerduty,
            pagerduty_configs: [
                {
                    // Events API v2: the integration key is a routing key.
                    routing_key_file: mountedSecretPath(
                        args.receiverSecretName,
                        receiverSecretKeys.pagerdutyRoutingKey,
                    ),
                    send_resolved: true,
                    description: "{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}",
                    severity: pagerdutySeverity,
                    client: "STELLA Alertmanager",
                    client_url: args.grafanaUrl,
                    links: [
                        { href: "{{ .CommonAnnotations.runbook_url }}", text: "Runbook" },
                        { href: "{{ .CommonAnnotations.dashboard_url }}", text: "Dashboard" },
                    ],
                    details: {
                        firing: pagerdutyFiring,
                        service: "{{ .CommonLabels.service }}",
                    },
                },
            ],
        });
    }

    if (args.heartbeatEnabled) {
        receivers.push({
            name: receiverNames.heartbeat,
            webhook_configs: [
                {
                    url_file: mountedSecretPath(args.receiverSecretName, receiverSecretKeys.heartbeatUrl),
                    send_resolved: false,
                },
            ],
        });
    }

    const routes: Record<string, unknown>[] = [
        // kube-prometheus-stack's Watchdog fires all the time to prove the pipeline works. It never
        // reaches humans: it pings the dead man's switch every minute, which pages when the pings stop.
        !args.heartbeatEnabled
            ? { receiver: receiverNames.blackhole, matchers: ['alertname = "Watchdog"'] }
            : {
                  receiver: receiverNames.heartbeat,
                  matchers: ['alertname = "Watchdog"'],
                  group_wait: "0s",
                  group_interval: heartbeatInterval,
                  // Alertmanager re-sends an unchanged group at a group tick only when more than
                  // repeat_interval has passed since the last send, which finished a moment after the
                  // previous tick: equal to group_interval, every other tick is skipped (a ping every
                  // 2 minutes). Below it, every tick pings (Alertmanager logs that repeats then follow
                  // group_interval, which is the point).
                  repeat_interval: "30s",
              },
    ];
    if (args.pagerdutyEnabled) {
        // Critical pages PagerDuty and, with `continue`, also lands in Slack, where the team sees it.
        routes.push({
            receiver: receiverNames.pagerduty,
            matchers: ['severity = "critical"'],
            continue: args.slackEnabled,
        });
        if (args.slackEnabled) routes.push({ receiver: receiverNames.slack, matchers: ['severity = "critical"'] });
    }

    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: defaultReceiver,
            // Without group_by every alert of a route lands in one notification.
            group_by: ["alertname", "namespace", "service"],
            group_wait: args.groupWait,
            group_interval: args.groupInterval,
            repeat_interval: args.repeatInterval,
            routes,
        },
        inhibit_rules: inhibitRules(),
        receivers,
    };
}
