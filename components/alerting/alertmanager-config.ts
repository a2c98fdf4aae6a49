// Builds Alertmanager's configuration (alertmanager.yaml) for STELLA, following the seed's routing
// (../shared/seed-monitoring.md, "Alertmanager Configuration"): everything to Slack #stella-alerts,
// severity=critical to PagerDuty. Credentials are referenced by file path, never inline: the files are
// the keys of a Kubernetes Secret that the Prometheus Operator mounts into every Alertmanager pod.

/** Where the operator mounts a Secret listed in `alertmanagerSpec.secrets`. */
export function mountedSecretPath(secretName: string, key: string): string {
    return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

/** The keys of the receiver Secret. */
export const receiverSecretKeys = {
    slackWebhookUrl: "slack-webhook-url",
    pagerdutyRoutingKey: "pagerduty-routing-key",
} as const;

/** Receiver names, as they appear in routes and in `amtool config routes test`. */
export const receiverNames = {
    slack: "slack",
    pagerduty: "pagerduty",
    /** Drops what it gets: kube-prometheus-stack's always-firing Watchdog, and dev without receivers. */
    blackhole: "null",
} as const;

export interface AlertmanagerConfigArgs {
    /** The Secret that holds the receiver credentials (mounted through alertmanagerSpec.secrets). */
    readonly receiverSecretName: string;
    /** Slack is configured: the webhook URL is in the Secret. */
    readonly slackEnabled: boolean;
    /** PagerDuty is configured: the routing key is in the Secret. */
    readonly pagerdutyEnabled: boolean;
    /** The Slack channel of the default route, e.g. #stella-alerts. */
    readonly slackChannel: string;
    /** How long a new group waits for more alerts before the first notification (seed: 30s). */
    readonly groupWait: string;
    /** How long before a changed group notifies again (seed: 5m). */
    readonly groupInterval: string;
    /** How long before a still-firing group notifies again (seed: 4h). */
    readonly repeatInterval: string;
}

// Slack's message, from the alert's own labels and annotations. Go templates, evaluated by Alertmanager.
const slackTitle =
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}';
const slackText = [
    "{{ range .Alerts }}",
    "*{{ .Labels.severity }}* {{ .Annotations.summary }}",
    "{{ .Annotations.description }}",
    "{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}{{ end }}",
    "{{ end }}",
].join("\n");

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
                    api_url_file: mountedSecretPath(args.receiverSecretName, receiverSecretKeys.slackWebhookUrl),
                    channel: args.slackChannel,
                    send_resolved: true,
                    title: slackTitle,
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
                },
            ],
        });
    }

    const routes: Record<string, unknown>[] = [
        // kube-prometheus-stack's Watchdog fires all the time to prove the pipeline works; it must not
        // reach humans.
        { receiver: receiverNames.blackhole, matchers: ['alertname = "Watchdog"'] },
    ];
    if (args.pagerdutyEnabled) {
        routes.push({ receiver: receiverNames.pagerduty, matchers: ['severity = "critical"'] });
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
        inhibit_rules: [
            {
                // A critical alert silences the warning of the same alert on the same target.
                source_matchers: ['severity = "critical"'],
                target_matchers: ['severity = "warning"'],
                equal: ["alertname", "namespace", "service"],
            },
        ],
        receivers,
    };
}
