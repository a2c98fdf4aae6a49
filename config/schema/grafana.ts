// The schema of Grafana: its URL, database, service, ingress and single sign-on.

import { z } from "zod";
import { dnsLabel, dnsNamePattern, formatted, httpUrl, httpsUrl, isHttpUrl, numeric, shown } from "../formats";
import { secretString } from "../secrets";
import { persistentVolume, resources } from "./common";

/**
 * A group (or GitHub team) as the identity provider names it. It lands inside a JMESPath string literal
 * ('…') and in Grafana's space-separated lists, so quotes, backslashes, braces (Helm's tpl), ";" and "#"
 * (ini comments), commas and whitespace are refused: use the group's id or slug.
 */
const ssoGroup = z.string().refine((value) => /^[^\s,'"\\{};#]+$/.test(value), {
    error: (issue) =>
        `expected a group name without spaces, commas, quotes, backslashes, braces, ";" or "#" (use its id or slug), got ${shown(issue.input)}`,
});
const ssoGroups = z.array(ssoGroup).default([]);

/** An OIDC endpoint: an https:// URL, or a path below the issuer (/protocol/openid-connect/token). */
const oidcEndpoint = z
    .string()
    .refine((value) => /^\/[\w\-./~%]*$/.test(value) || (isHttpUrl(value) && value.startsWith("https://")), {
        error: (issue) =>
            `expected an https:// URL or a path below the issuer such as /token, got ${shown(issue.input)}`,
    });

export const grafanaSchema = z
    .strictObject({
        /** Grafana's public URL: its root_url, and where this program's Grafana provider reaches it. */
        url: httpUrl().default("http://localhost:3000"),
        /** Where `pulumi up` reaches Grafana's API when that is not `url` (a port-forward, an internal name). */
        apiUrl: httpUrl().optional(),
        adminUser: z.string().min(1).default("admin"),
        replicas: numeric(z.number().int().min(1).max(10)).default(1),
        /** An external database for Grafana's state; required for more than one replica (sqlite is per pod). */
        database: z
            .strictObject({
                type: z.enum(["postgres", "mysql"]),
                /** host:port */
                host: z.string().regex(/^[\w.-]+:\d+$/, "expected host:port, such as postgres.internal:5432"),
                name: z.string().min(1),
                user: z.string().min(1),
                /** The password (secret). */
                password: secretString((value) => value.length > 0, "a non-empty password").optional(),
                sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
            })
            .optional(),
        persistence: persistentVolume(false, "5Gi"),
        resources: resources({ cpu: "50m", memory: "192Mi" }, "384Mi"),
        service: z
            .strictObject({
                type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP"),
                /** The node port, with type NodePort (30000-32767). */
                nodePort: numeric(z.number().int().min(30000).max(32767)).optional(),
            })
            .prefault({}),
        ingress: z
            .strictObject({
                enabled: z.boolean().default(false),
                className: z.string().min(1).optional(),
                /** The host name; defaults to the host of `grafana.url`. */
                host: formatted(dnsNamePattern, "a DNS host name such as grafana.example.com").optional(),
                /** The Secret holding the TLS certificate; unset serves plain HTTP. */
                tlsSecretName: dnsLabel.optional(),
                /** A cert-manager ClusterIssuer that issues tlsSecretName (adds its annotation). */
                certManagerClusterIssuer: dnsLabel.optional(),
                annotations: z.record(z.string(), z.string()).default({}),
            })
            .prefault({}),
        /**
         * Single sign-on: people sign in through an identity provider, their groups mapped to Grafana
         * roles; unset: only the generated admin account. The admin account stays either way: the
         * Grafana provider of `pulumi up` signs in with it (basic auth), even with the login form off.
         */
        sso: z
            .strictObject({
                /** oidc: any OpenID Connect provider (Grafana's generic OAuth); github; google. */
                provider: z.enum(["oidc", "github", "google"]),
                /** The OAuth client (application) id, not secret. */
                clientId: z.string().min(1),
                /** The OAuth client secret (secret), mounted as a file that grafana.ini reads. */
                clientSecret: secretString(
                    (value) => value.length > 0 && !/[\r\n]/.test(value),
                    "a non-empty client secret on one line",
                ).optional(),
                /** oidc and google: only members of one of these groups sign in (google: group emails). */
                allowedGroups: ssoGroups,
                /** github (required there): only members of one of these organizations sign in. */
                allowedOrganizations: z
                    .array(formatted(/^[A-Za-z0-9][A-Za-z0-9-]*$/, "a GitHub organization login such as stella-ai"))
                    .default([]),
                /** Only people whose email is in one of these domains sign in (google: the Workspace domain). */
                allowedDomains: z
                    .array(formatted(dnsNamePattern, "an email domain such as stella.example.com"))
                    .default([]),
                /** The identity provider's groups that get each Grafana role; the highest role wins. */
                roles: z
                    .strictObject({
                        /** Grafana server administrators (and Admin of the organization). */
                        grafanaAdmin: ssoGroups,
                        admin: ssoGroups,
                        editor: ssoGroups,
                        viewer: ssoGroups,
                    })
                    .prefault({}),
                /** The role of everyone who signs in and is in none of the groups of `roles`. */
                defaultRole: z.enum(["Admin", "Editor", "Viewer", "None"]).default("Viewer"),
                /** Hide the user/password form (prod): people sign in through the provider only. */
                disableLoginForm: z.boolean().default(false),
                /** Skip Grafana's login page and go straight to the provider. */
                autoLogin: z.boolean().default(false),
                /** With provider oidc: the issuer and its endpoints (from its /.well-known/openid-configuration). */
                oidc: z
                    .strictObject({
                        /** The button's label on the login page. */
                        name: z.string().min(1).default("SSO"),
                        issuer: httpsUrl("an https:// issuer URL such as https://sso.stella.example.com/realms/stella"),
                        authorizeEndpoint: oidcEndpoint,
                        tokenEndpoint: oidcEndpoint,
                        userinfoEndpoint: oidcEndpoint,
                        scopes: z
                            .array(formatted(/^[\x21-\x7e]+$/, "an OAuth scope such as openid"))
                            .default(["openid", "profile", "email", "groups"]),
                        /** The claim (a JMESPath field path) that lists the user's groups, in the ID token. */
                        groupsClaim: formatted(
                            /^([A-Za-z_][A-Za-z0-9_]*|"[^"\\]+")(\.([A-Za-z_][A-Za-z0-9_]*|"[^"\\]+"))*$/,
                            'a claim path such as groups, realm_access.roles or "https://stella.example.com/groups"',
                        ).default("groups"),
                    })
                    .optional(),
            })
            .optional(),
    })
    .prefault({});
