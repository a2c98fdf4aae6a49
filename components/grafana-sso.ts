// Single sign-on to Grafana (OIDC, GitHub, Google): the grafana.ini sections and the JMESPath that
// maps the identity provider's groups to Grafana roles.

import type { SsoConfig } from "../config";

/** Where the SSO client secret is mounted; grafana.ini reads it with $__file{…}, so it is never a value. */
export const ssoClientSecretMount = { directory: "/etc/secrets/grafana-sso", key: "client-secret" } as const;

/** Google's groups come from the Cloud Identity API, read only with this scope. */
const googleGroupsScope = "https://www.googleapis.com/auth/cloud-identity.groups.readonly";

/**
 * The role_attribute_path (JMESPath) that maps the identity provider's groups to Grafana roles, highest
 * first, everyone else to the default role. Grafana evaluates it against each source in turn (the ID
 * token, then the user info; GitHub's and Google's user JSON) and, where that yields no role, against
 * {"groups": [the user's teams or groups]}; the first role found wins. The type() guard yields no role
 * for a source without the groups claim, so GitHub's user JSON (which has none) falls through to its
 * teams instead of taking the default role. Pure.
 */
export function roleAttributePath(
    roles: SsoConfig["roles"],
    defaultRole: SsoConfig["defaultRole"],
    groupsClaim = "groups",
): string {
    const ladder: [string, readonly string[]][] = [
        ["GrafanaAdmin", roles.grafanaAdmin],
        ["Admin", roles.admin],
        ["Editor", roles.editor],
        ["Viewer", roles.viewer],
    ];
    // Group names hold no quote or backslash (config/schema/grafana.ts refuses them): safe inside '…'.
    const steps = ladder
        .filter(([, groups]) => groups.length > 0)
        .map(
            ([role, groups]) =>
                `(${groups.map((group) => `contains(${groupsClaim}, '${group}')`).join(" || ")}) && '${role}'`,
        );
    return `type(${groupsClaim}) == 'array' && (${[...steps, `'${defaultRole}'`].join(" || ")})`;
}

/** An OIDC endpoint: absolute, or a path below the issuer. */
function oidcUrl(issuer: string, endpoint: string): string {
    return endpoint.startsWith("/") ? `${issuer.replace(/\/+$/, "")}${endpoint}` : endpoint;
}

/**
 * The grafana.ini sections of single sign-on ([auth], [auth.basic] and the provider's), read from
 * Grafana 13's configuration reference. The client secret is a $__file{} reference to the mounted
 * Secret, which the chart's assertNoLeakedSecrets accepts and Grafana expands at start. Pure.
 */
export function ssoIniSections(sso: SsoConfig): Record<string, Record<string, unknown>> {
    const groupsClaim = sso.oidc?.groupsClaim ?? "groups";
    const usesGroups = sso.allowedGroups.length > 0 || Object.values(sso.roles).some((groups) => groups.length > 0);
    // Grafana splits these lists on spaces (config/schema/grafana.ts refuses spaces inside a name).
    const list = (items: readonly string[]) => items.join(" ");
    const common = {
        enabled: true,
        client_id: sso.clientId,
        client_secret: `$__file{${ssoClientSecretMount.directory}/${ssoClientSecretMount.key}}`,
        // Users are created at their first sign-in ([users] allow_sign_up stays off for the form).
        allow_sign_up: true,
        auto_login: sso.autoLogin,
        ...(sso.allowedDomains.length === 0 ? {} : { allowed_domains: list(sso.allowedDomains) }),
        role_attribute_path: roleAttributePath(sso.roles, sso.defaultRole, groupsClaim),
        // No role found (a custom claim missing from every token): refuse the sign-in rather than
        // fall back to auto_assign_org_role.
        role_attribute_strict: true,
        allow_assign_grafana_admin: sso.roles.grafanaAdmin.length > 0,
        // The identity provider is the source of truth: roles are synced at every sign-in.
        skip_org_role_sync: false,
    };
    const provider: Record<string, Record<string, unknown>> = {};
    if (sso.provider === "oidc") {
        const oidc = sso.oidc as NonNullable<SsoConfig["oidc"]>;
        provider["auth.generic_oauth"] = {
            ...common,
            name: oidc.name,
            scopes: oidc.scopes.join(" "),
            auth_url: oidcUrl(oidc.issuer, oidc.authorizeEndpoint),
            token_url: oidcUrl(oidc.issuer, oidc.tokenEndpoint),
            api_url: oidcUrl(oidc.issuer, oidc.userinfoEndpoint),
            use_pkce: true,
            groups_attribute_path: groupsClaim,
            ...(sso.allowedGroups.length === 0 ? {} : { allowed_groups: list(sso.allowedGroups) }),
        };
    } else if (sso.provider === "github") {
        provider["auth.github"] = {
            ...common,
            // read:org: Grafana lists the user's organizations and teams.
            scopes: "user:email,read:org",
            allowed_organizations: list(sso.allowedOrganizations),
        };
    } else {
        provider["auth.google"] = {
            ...common,
            scopes: ["openid", "email", "profile", ...(usesGroups ? [googleGroupsScope] : [])].join(" "),
            use_pkce: true,
            ...(sso.allowedGroups.length === 0 ? {} : { allowed_groups: list(sso.allowedGroups) }),
        };
    }
    return {
        // The form goes; basic auth on the API stays (Grafana registers the two apart): the Grafana
        // provider and the dashboards sidecar sign in as the generated admin, the break-glass account.
        auth: { disable_login_form: sso.disableLoginForm },
        "auth.basic": { enabled: true },
        ...provider,
    };
}
