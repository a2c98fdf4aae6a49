// Single sign-on to Grafana: the role mapping evaluated as Grafana evaluates it (a JMESPath engine, over
// sample ID tokens and user info, in Grafana's order of sources), the grafana.ini of each provider, the
// client secret kept out of every rendered file, and bad input refused, naming its key, before anything
// is registered.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { ConfigError, parseStackConfig, type RawEntry, type SsoConfig } from "../config";
import { roleAttributePath, ssoIniSections } from "../components/grafana-sso";
import { grafanaValues } from "../components/grafana-values";
import { overrideFlags, type ConfigOverride } from "../tools/offline-config";
import { tryRender } from "./support/render";
import { canaries } from "./support/stack-fixtures";

// The JMESPath engine is ESM-only; loaded once.
type Jmespath = { search(data: unknown, expression: string): unknown; compile(expression: string): unknown };
let jmespath: Jmespath;
before(async () => {
    jmespath = await import("@jmespath-community/jmespath");
});

/**
 * The role Grafana takes from role_attribute_path (pkg/login/social/connectors: searchRole and the
 * connectors' loops): each source in turn, first the source's own JSON, then {"groups": groups}; the
 * first string result wins. `groups` is the user's teams (GitHub) or groups (Google); the generic
 * OAuth connector passes an empty list.
 */
function grafanaRole(expression: string, sources: readonly unknown[], groups: readonly string[]): string | undefined {
    for (const source of sources) {
        for (const data of [source, { groups }]) {
            const result = jmespath.search(data, expression);
            if (typeof result === "string" && result !== "") return result;
        }
    }
    return undefined;
}

const plain = (value: unknown): RawEntry => ({ value, secret: false });
const secret = (value: unknown): RawEntry => ({ value, secret: true });

function sso(grafana: Record<string, unknown>): SsoConfig {
    const config = parseStackConfig("dev", { grafana: secret(grafana) });
    assert.ok(config.grafana.sso);
    return config.grafana.sso;
}

const oidc = {
    provider: "oidc",
    clientId: "stella-grafana",
    clientSecret: "CANARY-oidc-secret",
    allowedGroups: ["stella-staff"],
    roles: { grafanaAdmin: ["sre-leads"], admin: ["sre"], editor: ["stella-developers"], viewer: ["support"] },
    oidc: {
        issuer: "https://sso.stella.example.com/realms/stella",
        authorizeEndpoint: "/protocol/openid-connect/auth",
        tokenEndpoint: "/protocol/openid-connect/token",
        userinfoEndpoint: "https://sso.stella.example.com/realms/stella/protocol/openid-connect/userinfo",
    },
};
const github = {
    provider: "github",
    clientId: "Iv1.stella",
    clientSecret: "CANARY-github-secret",
    allowedOrganizations: ["stella-ai"],
    roles: { admin: ["@stella-ai/sre"], editor: ["@stella-ai/backend"] },
    defaultRole: "None",
};
const google = {
    provider: "google",
    clientId: "1234.apps.googleusercontent.com",
    clientSecret: "CANARY-google-secret",
    allowedDomains: ["stella.example.com"],
    roles: { admin: ["sre@stella.example.com"] },
};

describe("role mapping, evaluated by a JMESPath engine as Grafana evaluates it", () => {
    it("compiles for every provider's mapping", () => {
        for (const config of [oidc, github, google]) {
            const { roles, defaultRole, oidc: settings } = sso({ sso: config });
            assert.doesNotThrow(() => jmespath.compile(roleAttributePath(roles, defaultRole, settings?.groupsClaim)));
        }
    });

    it("OIDC: the ID token's groups give the highest mapped role, everyone else the default", () => {
        const { roles, defaultRole } = sso({ sso: oidc });
        const path = roleAttributePath(roles, defaultRole);
        const idToken = (groups?: string[]) => ({ sub: "u1", email: "a@stella.example.com", groups });
        const role = (groups?: string[]) => grafanaRole(path, [idToken(groups), { sub: "u1" }], []);
        assert.equal(role(["stella-staff", "sre-leads"]), "GrafanaAdmin");
        assert.equal(role(["stella-staff", "stella-developers", "sre"]), "Admin");
        assert.equal(role(["stella-developers"]), "Editor");
        assert.equal(role(["support"]), "Viewer");
        assert.equal(role(["stella-staff", "marketing"]), "Viewer");
        assert.equal(role([]), "Viewer");
        // A group whose name contains another's is not that group.
        assert.equal(role(["sre-oncall"]), "Viewer");
    });

    it("OIDC: a claim elsewhere (Keycloak's realm roles in the access token) is found there", () => {
        const { roles, defaultRole } = sso({
            sso: { ...oidc, oidc: { ...oidc.oidc, groupsClaim: "realm_access.roles" } },
        });
        const path = roleAttributePath(roles, defaultRole, "realm_access.roles");
        const idToken = { sub: "u1", email: "a@stella.example.com" };
        const userInfo = { sub: "u1" };
        const accessToken = { sub: "u1", realm_access: { roles: ["offline_access", "sre"] } };
        assert.equal(grafanaRole(path, [idToken, userInfo, accessToken], []), "Admin");
        // Missing everywhere: no role, so role_attribute_strict refuses the sign-in.
        assert.equal(grafanaRole(path, [idToken, userInfo], []), undefined);
    });

    it("GitHub: the user JSON has no groups, so the teams decide; no team gives the default (None)", () => {
        const { roles, defaultRole } = sso({ sso: github });
        const path = roleAttributePath(roles, defaultRole);
        const user = { login: "octocat", id: 1, email: "o@stella.example.com" };
        const teams = (slug: string) => [`https://github.com/orgs/stella-ai/teams/${slug}`, `@stella-ai/${slug}`];
        assert.equal(grafanaRole(path, [user], teams("sre")), "Admin");
        assert.equal(grafanaRole(path, [user], teams("backend")), "Editor");
        assert.equal(grafanaRole(path, [user], teams("design")), "None");
        assert.equal(grafanaRole(path, [user], []), "None");
    });

    it("Google: groups from Cloud Identity (group emails) decide, the ID token alone does not", () => {
        const { roles, defaultRole } = sso({ sso: google });
        const path = roleAttributePath(roles, defaultRole);
        const idToken = { sub: "1", email: "a@stella.example.com", hd: "stella.example.com", email_verified: true };
        assert.equal(grafanaRole(path, [idToken], ["sre@stella.example.com"]), "Admin");
        assert.equal(grafanaRole(path, [idToken], ["everyone@stella.example.com"]), "Viewer");
    });
});

describe("grafana.ini of each provider", () => {
    const sensitive = /\$(?:__(?:env|file|vault))?{[^}]+}/; // the chart's assertNoLeakedSecrets test
    const base = parseStackConfig("dev", {}).grafana;
    const values = (config: SsoConfig) =>
        grafanaValues({
            grafana: { ...base, sso: config },
            adminSecretName: "grafana-admin",
            ssoSecretName: "grafana-sso",
        });

    it("OIDC: generic OAuth with the issuer's endpoints, PKCE, allowed groups and the mapping", () => {
        const ini = ssoIniSections(sso({ sso: oidc }));
        const section = ini["auth.generic_oauth"] as Record<string, unknown>;
        assert.deepEqual(Object.keys(ini).sort(), ["auth", "auth.basic", "auth.generic_oauth"]);
        assert.equal(section.auth_url, "https://sso.stella.example.com/realms/stella/protocol/openid-connect/auth");
        assert.equal(section.token_url, "https://sso.stella.example.com/realms/stella/protocol/openid-connect/token");
        assert.equal(section.api_url, oidc.oidc.userinfoEndpoint);
        assert.equal(section.scopes, "openid profile email groups");
        assert.equal(section.groups_attribute_path, "groups");
        assert.equal(section.allowed_groups, "stella-staff");
        assert.equal(section.use_pkce, true);
        assert.equal(section.role_attribute_strict, true);
        assert.equal(section.allow_assign_grafana_admin, true);
        assert.equal(section.skip_org_role_sync, false);
        assert.match(String(section.client_secret), sensitive);
        assert.deepEqual(ini.auth, { disable_login_form: false });
    });

    it("GitHub: organizations allowed, read:org to list them, no endpoints of its own", () => {
        const section = ssoIniSections(sso({ sso: github }))["auth.github"] as Record<string, unknown>;
        assert.equal(section.allowed_organizations, "stella-ai");
        assert.equal(section.scopes, "user:email,read:org");
        assert.equal(section.allow_assign_grafana_admin, false);
        assert.equal(section.auth_url, undefined);
    });

    it("Google: domains allowed, the Cloud Identity scope added only where groups matter", () => {
        const section = ssoIniSections(sso({ sso: google }))["auth.google"] as Record<string, unknown>;
        assert.equal(section.allowed_domains, "stella.example.com");
        assert.match(String(section.scopes), /cloud-identity\.groups\.readonly$/);
        const withoutGroups = ssoIniSections(sso({ sso: { ...google, roles: {} } }))["auth.google"];
        assert.equal(withoutGroups?.scopes, "openid email profile");
    });

    it("puts no client secret in values: a $__file{} reference to the mounted Secret, which the chart accepts", () => {
        for (const config of [oidc, github, google]) {
            const rendered = values(sso({ sso: { ...config, disableLoginForm: true } }));
            const text = JSON.stringify(rendered);
            assert.doesNotMatch(text, /CANARY/);
            const ini = rendered["grafana.ini"] as Record<string, Record<string, unknown>>;
            for (const section of ["auth.generic_oauth", "auth.github", "auth.google"]) {
                const value = ini[section]?.client_secret;
                if (value !== undefined) assert.match(value as string, sensitive, `${section}.client_secret`);
            }
            assert.deepEqual(ini.auth, { disable_login_form: true });
            assert.deepEqual(ini["auth.basic"], { enabled: true }, "the provider's basic auth must stay");
            assert.deepEqual(rendered.extraSecretMounts, [
                {
                    name: "sso-client-secret",
                    secretName: "grafana-sso",
                    mountPath: "/etc/secrets/grafana-sso",
                    readOnly: true,
                },
            ]);
        }
        assert.equal(grafanaValues({ grafana: base, adminSecretName: "grafana-admin" }).extraSecretMounts, undefined);
    });
});

describe("bad single sign-on config, refused naming the key", () => {
    const cases: { name: string; grafana: RawEntry; key: string; says: RegExp }[] = [
        {
            name: "an issuer that is not https",
            grafana: secret({ sso: { ...oidc, oidc: { ...oidc.oidc, issuer: "http://sso.stella.example.com" } } }),
            key: "grafana.sso.oidc.issuer",
            says: /expected an https:\/\/ issuer URL.*got "http:\/\/sso/,
        },
        {
            name: "an endpoint that is not https",
            grafana: secret({ sso: { ...oidc, oidc: { ...oidc.oidc, tokenEndpoint: "http://sso/token" } } }),
            key: "grafana.sso.oidc.tokenEndpoint",
            says: /https:\/\//,
        },
        {
            name: "a mapping to an unknown role",
            grafana: secret({ sso: { ...oidc, roles: { superuser: ["sre"] } } }),
            key: "grafana.sso.roles.superuser",
            says: /unknown key; allowed: grafanaAdmin, admin, editor, viewer/,
        },
        {
            name: "an unknown default role",
            grafana: secret({ sso: { ...oidc, defaultRole: "Owner" } }),
            key: "grafana.sso.defaultRole",
            says: /one of "Admin", "Editor", "Viewer", "None", got "Owner"/,
        },
        {
            name: "a client secret set without --secret",
            grafana: plain({ sso: oidc }),
            key: "grafana.sso.clientSecret",
            says: /--secret/,
        },
        {
            name: "no client secret",
            grafana: plain({ sso: { ...oidc, clientSecret: undefined } }),
            key: "grafana.sso.clientSecret",
            says: /required with grafana\.sso/,
        },
        {
            name: "OIDC without its issuer and endpoints",
            grafana: secret({ sso: { ...oidc, oidc: undefined } }),
            key: "grafana.sso.oidc",
            says: /required with grafana\.sso\.provider "oidc"/,
        },
        {
            name: "OIDC without a token endpoint",
            grafana: secret({ sso: { ...oidc, oidc: { ...oidc.oidc, tokenEndpoint: undefined } } }),
            key: "grafana.sso.oidc.tokenEndpoint",
            says: /expected text, got nothing/,
        },
        {
            name: "GitHub without organizations",
            grafana: secret({ sso: { ...github, allowedOrganizations: [] } }),
            key: "grafana.sso.allowedOrganizations",
            says: /every GitHub account/,
        },
        {
            name: "Google without domains or groups",
            grafana: secret({ sso: { ...google, allowedDomains: [] } }),
            key: "grafana.sso.allowedDomains",
            says: /every Google account/,
        },
        {
            name: "OIDC settings with GitHub",
            grafana: secret({ sso: { ...github, oidc: oidc.oidc } }),
            key: "grafana.sso.oidc",
            says: /only valid with grafana\.sso\.provider "oidc"/,
        },
        {
            name: "one group mapped to two roles",
            grafana: secret({ sso: { ...oidc, roles: { admin: ["sre"], viewer: ["sre"] } } }),
            key: "grafana.sso.roles.viewer",
            says: /also in grafana\.sso\.roles\.admin/,
        },
        {
            name: "a group name that would break the JMESPath literal",
            grafana: secret({ sso: { ...oidc, roles: { admin: ["o'brien"] } } }),
            key: "grafana.sso.roles.admin[0]",
            says: /without spaces, commas, quotes/,
        },
    ];
    for (const bad of cases) {
        it(`refuses ${bad.name}, naming ${bad.key}`, () => {
            let error: unknown;
            try {
                parseStackConfig("dev", { grafana: bad.grafana });
            } catch (caught) {
                error = caught;
            }
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
            const line = error.problems.find((problem) => problem.startsWith(`${bad.key}:`));
            assert.ok(line, `no problem names ${bad.key}: ${error.message}`);
            assert.match(line, bad.says);
            assert.doesNotMatch(error.message, /CANARY/, "a secret value leaked into the error");
        });
    }
});

/** Runs the offline render (the CLI, its own process) and returns its status, stderr and every file it wrote. */
function render(stack: string, overrides: ConfigOverride[]) {
    const result = tryRender(stack, overrideFlags(overrides), { timeout: 120_000 });
    const files: string[] = [];
    const walk = (directory: string) => {
        for (const name of readdirSync(directory)) {
            const path = join(directory, name);
            if (statSync(path).isDirectory()) walk(path);
            else files.push(readFileSync(path, "utf8"));
        }
    };
    if (result.status === 0) walk(result.directory);
    return { status: result.status, stderr: result.stderr, files };
}

function flatten(prefix: string, value: unknown, secretPath: string): ConfigOverride[] {
    if (Array.isArray(value)) return value.flatMap((item, index) => flatten(`${prefix}[${index}]`, item, secretPath));
    if (value !== null && typeof value === "object")
        return Object.entries(value).flatMap(([key, child]) => flatten(`${prefix}.${key}`, child, secretPath));
    return [{ path: prefix, value: String(value), secret: prefix === secretPath }];
}

describe("the offline render with each provider", () => {
    for (const [name, config] of Object.entries({ github, google })) {
        it(`${name}: the client secret reaches no rendered file; the Grafana release reads it from its Secret`, () => {
            const overrides = flatten(
                "grafana.sso",
                { ...config, clientSecret: canaries.ssoClientSecret },
                "grafana.sso.clientSecret",
            );
            const { status, stderr, files } = render("dev", overrides);
            assert.equal(status, 0, stderr);
            const grafana = files
                .map((text) => JSON.parse(text.startsWith("{") ? text : "{}") as Record<string, unknown>)
                .find((file) => file.name === "grafana" && file.chart === "grafana");
            const ini = (grafana?.values as Record<string, unknown>)["grafana.ini"] as Record<
                string,
                Record<string, unknown>
            >;
            assert.equal(ini[`auth.${name}`]?.client_secret, "$__file{/etc/secrets/grafana-sso/client-secret}");
            for (const text of files) assert.ok(!text.includes(canaries.ssoClientSecret), "the client secret leaked");
        });
    }

    it("refuses an http issuer before registering anything, naming the key", () => {
        const overrides = flatten(
            "grafana.sso",
            {
                ...oidc,
                clientSecret: canaries.ssoClientSecret,
                oidc: { ...oidc.oidc, issuer: "http://sso.stella.example.com" },
            },
            "grafana.sso.clientSecret",
        );
        const { status, stderr } = render("dev", overrides);
        assert.notEqual(status, 0);
        assert.match(stderr, /grafana\.sso\.oidc\.issuer: expected an https:\/\/ issuer URL/);
        assert.match(stderr, /\(0 resources were registered\)/);
        assert.ok(!stderr.includes(canaries.ssoClientSecret));
    });
});
