// PromQL and LogQL as the editors of Prometheus and Grafana parse them (their lezer grammars), for
// the tests that check every query a dashboard or rule holds.

/** The parsers are ESM-only: loadQueryParsers() in a before() hook, then the functions below. */
type Parser = { parse(text: string): { iterate(spec: { enter(node: SyntaxNodeRef): void }): void } };
interface SyntaxNodeRef {
    readonly name: string;
    readonly from: number;
    readonly to: number;
    readonly type: { readonly name: string; readonly isError: boolean };
    readonly node: { getChild(name: string): { from: number; to: number } | null };
}
let promqlParser: Parser | undefined;
let logqlParser: Parser | undefined;

export async function loadQueryParsers(): Promise<void> {
    promqlParser = (await import("@prometheus-io/lezer-promql")).parser;
    logqlParser = (await import("@grafana/lezer-logql")).parser;
}

function parser(language: Query["language"]): Parser {
    const loaded = language === "promql" ? promqlParser : logqlParser;
    if (loaded === undefined) throw new Error("call loadQueryParsers() in a before() hook first");
    return loaded;
}

/** A query and where it comes from, for messages. */
export interface Query {
    readonly where: string;
    readonly language: "promql" | "logql";
    readonly text: string;
}

/** Grafana's variables are not PromQL/LogQL: put in what Grafana would before parsing. */
function interpolate(query: string): string {
    return query
        .replace(/\$__(rate_interval|interval|auto|range)/g, "5m")
        .replace(/\$\{?(\w+)(:\w+)?\}?/g, (_match, name: string) => `var_${name}`);
}

/** The syntax errors of a query, one message each; none for a query that parses. */
export function parseErrors(query: Query): string[] {
    const text = interpolate(query.text);
    const errors: string[] = [];
    parser(query.language)
        .parse(text)
        .iterate({
            enter: (node) => {
                if (node.type.isError)
                    errors.push(`${query.where}: ${query.language} error at ${node.from} in ${JSON.stringify(text)}`);
            },
        });
    return errors;
}

/** The metric names a PromQL query reads; a `__name__` regex comes back as a RegExp. */
export function metricsRead(text: string): (string | RegExp)[] {
    const source = interpolate(text);
    const names: (string | RegExp)[] = [];
    parser("promql")
        .parse(source)
        .iterate({
            enter: (node) => {
                if (node.name === "VectorSelector") {
                    const identifier = node.node.getChild("Identifier");
                    if (identifier !== null) names.push(source.slice(identifier.from, identifier.to));
                }
                if (node.name === "UnquotedLabelMatcher") {
                    const matcher = source.slice(node.from, node.to);
                    const byName = /^__name__\s*(=~|=)\s*"(.*)"$/.exec(matcher);
                    if (byName !== null)
                        names.push(byName[1] === "=" ? (byName[2] as string) : new RegExp(`^(?:${byName[2]})$`));
                }
            },
        });
    return names;
}
