/**
 * An in-process Kubernetes API server faithful enough that our controllers — and the real kubectl — behave against
 * it as against kube-apiserver. See docs/architecture.md for the module map of this folder.
 *
 *   const api = await startApiServer();             // HTTPS on 127.0.0.1, random port, generated CA, bearer token
 *   const client = new KubeClient(api.connection());
 *   await api.installCrds(loadCrds({ groups: ["machine"] })); // the vendored MCM CRDs (src/playground/crds.ts)
 *   api.faults.add({ verb: "update", resource: "machines", status: 409, probability: 0.1 });
 *   api.counters.writes();                           // create+update+patch+delete requests served
 *   await api.stop();
 */
export * from "./api_server.ts";
export { isWriteVerb, type RequestCounters } from "./counters.ts";
export type { FaultInjector, FaultRule } from "./faults.ts";
export type { Verb } from "./http/request_info.ts";
export type { AuditEntry } from "./rbac/audit.ts";
export { type Policy, policyOf, type PolicyRule } from "./rbac/authorizer.ts";
export { type UnusedRule, unusedRules } from "./rbac/unused_rules.ts";
