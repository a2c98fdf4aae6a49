// The community Grafana chart's values: admin and database Secrets, persistence, service, ingress,
// grafana.ini (with single sign-on) and the dashboards sidecar.

import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { containerResources, type HelmValues } from "./helm";
import { ssoClientSecretMount, ssoIniSections } from "./grafana-sso";
import { secretsVersionKey } from "./secret";

/** The keys of the admin Secret, the chart's defaults for `admin.userKey`/`admin.passwordKey`. */
/** The Helm release: with "grafana" in it, the chart names its Service after it. */
export const grafanaRelease = "grafana";

/** Grafana's ports: HTTP (the chart's container port), and unified alerting's HA gossip (Grafana's default ha_listen_address). */
export const grafanaPorts = { http: 3000, alertingGossip: 9094 } as const;

export const adminSecretKeys = { user: "admin-user", password: "admin-password" } as const;

export interface GrafanaValuesArgs {
    readonly grafana: StackConfig["grafana"];
    /** The Secret holding the admin user and password. */
    readonly adminSecretName: string;
    /** The Secret holding the external database's password, when there is one. */
    readonly databaseSecretName?: string;
    /** The Secret holding the SSO client secret, with grafana.sso. */
    readonly ssoSecretName?: string;
    /** Changes when the admin or database Secret changes, and then rolls the pods (they read them at start). */
    readonly secretsVersion?: pulumi.Input<string>;
}

/** The community Grafana chart's values. Pure. */
export function grafanaValues(args: GrafanaValuesArgs): HelmValues {
    const { grafana: config } = args;
    const url = new URL(config.url);
    const host = config.ingress.host ?? url.hostname;
    const persistence = config.persistence;
    return {
        replicas: config.replicas,
        ...(args.secretsVersion === undefined ? {} : { podAnnotations: { [secretsVersionKey]: args.secretsVersion } }),
        // Evictions keep one Grafana serving when there are several.
        ...(config.replicas > 1 ? { podDisruptionBudget: { minAvailable: 1 } } : {}),
        // The database password reaches Grafana as GF_DATABASE_PASSWORD, never as a value in grafana.ini.
        ...(args.databaseSecretName === undefined
            ? {}
            : {
                  envValueFrom: {
                      GF_DATABASE_PASSWORD: { secretKeyRef: { name: args.databaseSecretName, key: "password" } },
                  },
              }),
        ...(config.sso === undefined || args.ssoSecretName === undefined
            ? {}
            : {
                  extraSecretMounts: [
                      {
                          name: "sso-client-secret",
                          secretName: args.ssoSecretName,
                          mountPath: ssoClientSecretMount.directory,
                          readOnly: true,
                      },
                  ],
              }),
        admin: {
            existingSecret: args.adminSecretName,
            userKey: adminSecretKeys.user,
            passwordKey: adminSecretKeys.password,
        },
        resources: containerResources(config.resources),
        persistence: {
            enabled: persistence.enabled,
            type: "pvc",
            size: persistence.size,
            accessModes: ["ReadWriteOnce"],
            ...(persistence.storageClass === undefined ? {} : { storageClassName: persistence.storageClass }),
        },
        // A ReadWriteOnce volume cannot be attached to the old and the new pod at once.
        ...(persistence.enabled ? { deploymentStrategy: { type: "Recreate" } } : {}),
        service: {
            type: config.service.type,
            port: 80,
            ...(config.service.nodePort === undefined ? {} : { nodePort: config.service.nodePort }),
        },
        ingress: config.ingress.enabled
            ? {
                  enabled: true,
                  ...(config.ingress.className === undefined ? {} : { ingressClassName: config.ingress.className }),
                  annotations: {
                      ...(config.ingress.certManagerClusterIssuer === undefined
                          ? {}
                          : { "cert-manager.io/cluster-issuer": config.ingress.certManagerClusterIssuer }),
                      ...config.ingress.annotations,
                  },
                  hosts: [host],
                  path: "/",
                  pathType: "Prefix",
                  tls:
                      config.ingress.tlsSecretName === undefined
                          ? []
                          : [{ secretName: config.ingress.tlsSecretName, hosts: [host] }],
              }
            : { enabled: false },
        "grafana.ini": {
            server: { root_url: config.url, domain: url.hostname },
            ...(config.database === undefined
                ? {}
                : {
                      database: {
                          type: config.database.type,
                          host: config.database.host,
                          name: config.database.name,
                          user: config.database.user,
                          ssl_mode: config.database.sslMode,
                      },
                  }),
            security: { cookie_secure: url.protocol === "https:", disable_gravatar: true },
            "auth.anonymous": { enabled: false },
            analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
            users: { allow_sign_up: false },
            ...(config.sso === undefined ? {} : ssoIniSections(config.sso)),
        },
        // kube-prometheus-stack ships its dashboards as labelled ConfigMaps; the sidecar loads them.
        sidecar: {
            dashboards: {
                enabled: true,
                label: "grafana_dashboard",
                labelValue: "1",
                searchNamespace: "ALL",
                provider: { folder: "Kubernetes", foldersFromFilesStructure: false },
            },
            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
        // A root init container that chowns the volume; the pod's fsGroup (472) already gives Grafana
        // a new volume it can write.
        initChownData: { enabled: false },
        serviceMonitor: { enabled: true },
        testFramework: { enabled: false },
    };
}

/**
 * Whether Grafana's database outlives its pod (a volume or an external database), and with it the
 * admin password Grafana stored when it created the database. Pure.
 */
export function adminPasswordIsBound(config: StackConfig["grafana"]): boolean {
    return config.persistence.enabled || config.database !== undefined;
}
